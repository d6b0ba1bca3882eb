/**
 * The SQLite store: a better-sqlite3 Database is a `Db` as it is (no wrapper, no cost), opened
 * with WAL, foreign keys and a busy timeout, migrations keyed by PRAGMA user_version.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { YasrError } from '../../errors.js';
import { MIGRATIONS } from '../migrations.js';
import type { Db } from './engine.js';

// (compile-time check: better-sqlite3's Database has everything the Db interface asks for)
const _isDb = (d: BetterSqlite3.Database): Db => d;
void _isDb;

// required, not imported: better-sqlite3 is CommonJS, and the ES module loader's extra parse and
// wrapping of it cost every command's start-up a few milliseconds (the same module either way)
const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof BetterSqlite3;

let addonPath: string | undefined | null = null;

/**
 * better-sqlite3's compiled addon where its build (or prebuilt download) puts it. Given to the
 * constructor, it spares the `bindings` package's search for it, which finds the package by
 * throwing and catching errors (stack traces and all): several milliseconds of every start.
 * Undefined (the search then runs) when it is elsewhere.
 */
export function nativeBinding(): string | undefined {
  if (addonPath === null) {
    const p = path.join(path.dirname(require.resolve('better-sqlite3')), '..', 'build', 'Release', 'better_sqlite3.node');
    addonPath = existsSync(p) ? p : undefined;
  }
  return addonPath;
}

/** The better-sqlite3 Database behind a SQLite `Db` (for SQLite-only calls: pragma, VACUUM). */
export function sqliteOf(db: Db): BetterSqlite3.Database {
  return db as unknown as BetterSqlite3.Database;
}

/**
 * Open (creating if needed) a SQLite database: WAL journal, foreign keys on, a busy timeout so
 * that a concurrent reader/writer waits instead of failing, and all migrations applied.
 */
export function openSqlite(file: string, opts: { readonly?: boolean } = {}): Db {
  let db: BetterSqlite3.Database;
  try {
    if (!opts.readonly && file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const addon = nativeBinding();
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false, ...(addon ? { nativeBinding: addon } : {}) });
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

export function sqliteSchemaVersion(db: Db): number {
  return sqliteOf(db).pragma('user_version', { simple: true }) as number;
}

function migrate(db: BetterSqlite3.Database): void {
  const current = sqliteSchemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new YasrError(
      'STORE',
      `database schema version ${current} is newer than this yasr understands (${MIGRATIONS.length}); upgrade yasr`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      if (sqliteSchemaVersion(db) > v) return; // another process applied it while we waited for the lock
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** SQLite's data_version: moves when another connection committed a change. */
export function sqliteDataVersion(db: Db): number {
  return sqliteOf(db).pragma('data_version', { simple: true }) as number;
}

/** A consistent copy of the whole database in a new file (which must not exist yet). */
export function copySqlite(db: Db, file: string): void {
  db.prepare('VACUUM INTO ?').run(file);
}
