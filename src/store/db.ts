import type BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { YasrError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export type Db = BetterSqlite3.Database;

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

/**
 * The engine behind a database handle. TEMPORARY stub of the pg-store branch's function of the
 * same signature (every handle is SQLite here); that branch's version replaces it at the merge.
 */
export function engineOf(db: Db): 'sqlite' | 'postgres' {
  void db;
  return 'sqlite';
}

export const DEFAULT_DB = 'data/yasr.db';

/** Database engines named by URL scheme that yasr does not support (yet), for the message. */
const OTHER_ENGINES: Record<string, string> = {
  postgres: 'PostgreSQL',
  postgresql: 'PostgreSQL',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  mongodb: 'MongoDB',
  redis: 'Redis',
};

/** A URL's password replaced by '***', for messages. */
function maskUrl(spec: string): string {
  return spec.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*:)[^/@]*@/i, '$1***@');
}

/**
 * Where the SQLite database is, from `--db`/`$YASR_DB`: a file path, `:memory:`, or a URL:
 * `file:///abs/yasr.db`, `sqlite:///abs/yasr.db`, `sqlite:relative/yasr.db`. Any other URL scheme
 * (`postgres://...`) is an error, never a file name. (One letter and a colon is a Windows drive.)
 */
export function dbLocation(spec: string): string {
  if (spec === ':memory:') return spec;
  const m = /^([a-z][a-z0-9+.-]+):/i.exec(spec);
  if (!m) return spec;
  const scheme = m[1].toLowerCase();
  if (scheme === 'file') {
    try {
      return fileURLToPath(spec);
    } catch (err) {
      throw new YasrError('BAD_PARAMETER', `invalid --db ${JSON.stringify(spec)}: ${(err as Error).message}`, { name: 'db', value: spec });
    }
  }
  if (scheme === 'sqlite' || scheme === 'sqlite3') {
    const rest = spec.slice(m[0].length);
    const p = rest.startsWith('//') ? decodeURIComponent(rest.slice(2).replace(/^[^/]*/, '')) : decodeURIComponent(rest);
    if (!p) throw new YasrError('BAD_PARAMETER', `invalid --db ${JSON.stringify(spec)}: no file path after ${scheme}:`, { name: 'db', value: spec });
    return p;
  }
  const engine = OTHER_ENGINES[scheme];
  throw new YasrError(
    'BAD_PARAMETER',
    `unsupported --db ${JSON.stringify(maskUrl(spec))}: ${engine ? `${engine} is not supported yet` : `the URL scheme ${scheme}: is not a database yasr knows`}; ` +
      'give a SQLite file path (or a file:// or sqlite:// URL)',
    { name: 'db', value: maskUrl(spec) },
  );
}

/** The database path: explicit option, then $YASR_DB, then data/yasr.db (URLs as in dbLocation). */
export function resolveDbPath(option?: string): string {
  return dbLocation(option ?? process.env.YASR_DB ?? DEFAULT_DB);
}

/**
 * Open (creating if needed) the yasr database: WAL journal, foreign keys on, a busy timeout so
 * that a concurrent reader/writer waits instead of failing, and all migrations applied.
 */
export function openDb(location: string, opts: { readonly?: boolean } = {}): Db {
  const file = dbLocation(location);
  let db: Db;
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

/** A consistent copy of the whole database in a new file (which must not exist yet). */
export function copyDatabase(db: Db, file: string): void {
  db.prepare('VACUUM INTO ?').run(file);
}
