import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { YasrError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export const DEFAULT_DB = 'data/yasr.db';

/** The database path: explicit option, then $YASR_DB, then data/yasr.db. */
export function resolveDbPath(option?: string): string {
  return option ?? process.env.YASR_DB ?? DEFAULT_DB;
}

/**
 * Open (creating if needed) the yasr database: WAL journal, foreign keys on, a busy timeout so
 * that a concurrent reader/writer waits instead of failing, and all migrations applied.
 */
export function openDb(file: string, opts: { readonly?: boolean } = {}): Db {
  let db: Db;
  try {
    if (!opts.readonly && file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new YasrError('STORE', `cannot open database ${file}: ${(err as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 30000');
    // Two processes opening a new database at once can meet SQLITE_BUSY where SQLite does not
    // call the busy handler (switching to WAL, upgrading a read lock): try again a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        if (!opts.readonly) {
          db.pragma('journal_mode = WAL');
          db.pragma('synchronous = NORMAL');
        }
        db.pragma('foreign_keys = ON');
        if (!opts.readonly) migrate(db);
        break;
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (attempt >= 50 || !(code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.floor(Math.random() * 80));
      }
    }
  } catch (err) {
    db.close();
    if (err instanceof YasrError) throw err;
    throw new YasrError('STORE', `cannot prepare database ${file}: ${(err as Error).message}`);
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new YasrError(
      'STORE',
      `database schema version ${current} is newer than this yasr understands (${MIGRATIONS.length}); upgrade yasr`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      if (schemaVersion(db) > v) return; // another process applied it while we waited for the lock
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
