import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { YasrError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';
import type { Db, EngineName } from './engine/engine.js';
import { PgDb } from './engine/postgres.js';
import { copySqlite, nativeBinding, openSqlite, sqliteDataVersion, sqliteSchemaVersion } from './engine/sqlite.js';

export type { Db, EngineName } from './engine/engine.js';
export { nativeBinding };

/** Which engine a store runs on, for the few queries whose SQL differs per engine. */
export function engineOf(db: Db): EngineName {
  return (db as { engine?: EngineName }).engine === 'postgres' ? 'postgres' : 'sqlite';
}

export const DEFAULT_DB = 'data/yasr.db';

/** Database engines named by URL scheme that yasr does not support (yet), for the message. */
const OTHER_ENGINES: Record<string, string> = {
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  mongodb: 'MongoDB',
  redis: 'Redis',
};

/** A URL's password replaced by '***', for messages. */
export function maskUrl(spec: string): string {
  return spec.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*:)[^/@]*@/i, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** A PostgreSQL connection URL (postgres:// or postgresql://). */
export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/**
 * Where the database is, from `--db`/`$YASR_DB`: a SQLite file path, `:memory:`, or a URL:
 * `file:///abs/yasr.db`, `sqlite:///abs/yasr.db`, `sqlite:relative/yasr.db` (SQLite), or
 * `postgres://user:password@host:port/database` (PostgreSQL: returned as it is, once checked).
 * Any other URL scheme is an error, never a file name. (One letter and a colon is a Windows drive.)
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
  if (scheme === 'postgres' || scheme === 'postgresql') {
    pgTarget(spec);
    return spec;
  }
  const engine = OTHER_ENGINES[scheme];
  throw new YasrError(
    'BAD_PARAMETER',
    `unsupported --db ${JSON.stringify(maskUrl(spec))}: ${engine ? `${engine} is not supported yet` : `the URL scheme ${scheme}: is not a database yasr knows`}; ` +
      'give a SQLite file path (or a file:// or sqlite:// URL) or a postgres:// URL',
    { name: 'db', value: maskUrl(spec) },
  );
}

/** What yasr reads of a postgres:// URL: the server and database, and its own timeouts. */
interface PgTarget {
  /** The URL for pg, without yasr's own parameters. */
  connectionString: string;
  host: string;
  port: string;
  database: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

/**
 * A postgres:// URL checked, with yasr's parameters taken out: `connect_timeout` (seconds, as
 * libpq's; default 10) and `query_timeout` (seconds a statement may run, and the longest wait
 * for an answer; default 300; 0: no limit).
 */
function pgTarget(spec: string): PgTarget {
  const bad = (why: string) =>
    new YasrError('BAD_PARAMETER', `invalid --db ${JSON.stringify(maskUrl(spec))}: ${why} (expected postgres://user:password@host:port/database)`, { name: 'db', value: maskUrl(spec) });
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw bad('not a URL');
  }
  const seconds = (name: string, dflt: number, min: number): number => {
    const v = u.searchParams.get(name);
    if (v === null) return dflt;
    const n = Number(v);
    if (!/^\d+(\.\d+)?$/.test(v) || !(n >= min)) throw bad(`${name} must be a number of seconds${min > 0 ? ' above 0' : ''}, not ${JSON.stringify(v)}`);
    return n;
  };
  const connectTimeoutMs = seconds('connect_timeout', 10, 0.001) * 1000;
  const queryTimeoutMs = seconds('query_timeout', 300, 0) * 1000;
  u.searchParams.delete('connect_timeout');
  u.searchParams.delete('query_timeout');
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!u.hostname && !u.searchParams.get('host')) throw bad('no host');
  if (!database) throw bad('no database name');
  return { connectionString: u.toString(), host: u.hostname || (u.searchParams.get('host') ?? ''), port: u.port || '5432', database, connectTimeoutMs, queryTimeoutMs };
}

/**
 * Where yasr keeps files beside the database (downloaded audio, the HTTP cache, the run lock,
 * reports), as a path whose folder holds them and to which `.lock` is added: the database file
 * itself for SQLite; for PostgreSQL, data/pg-<host>-<port>-<database> under the current folder.
 */
export function localBase(location: string): string {
  if (!isPostgresUrl(location)) return path.resolve(location);
  const t = pgTarget(location);
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return path.resolve(path.dirname(DEFAULT_DB), `pg-${safe(t.host)}-${safe(t.port)}-${safe(t.database)}`);
}

/** The database as messages and listings show it (a URL's password masked). */
export function describeDb(location: string): string {
  return maskUrl(location);
}

/** The database path: explicit option, then $YASR_DB, then data/yasr.db (URLs as in dbLocation). */
export function resolveDbPath(option?: string): string {
  return dbLocation(option ?? process.env.YASR_DB ?? DEFAULT_DB);
}

/**
 * Open (creating if needed) the yasr database, all migrations applied: SQLite (a file or
 * :memory:; WAL, foreign keys, a busy timeout) or PostgreSQL (a postgres:// URL).
 */
export function openDb(location: string, opts: { readonly?: boolean } = {}): Db {
  const where = dbLocation(location);
  if (!isPostgresUrl(where)) return openSqlite(where, opts);
  const t = pgTarget(where);
  const db = new PgDb(t.connectionString, maskUrl(where), { readonly: opts.readonly, connectTimeoutMs: t.connectTimeoutMs, queryTimeoutMs: t.queryTimeoutMs });
  try {
    if (!opts.readonly) db.migrate();
    else if (db.schemaVersion() > MIGRATIONS.length) db.migrate(); // says it is newer
  } catch (err) {
    db.close();
    if (err instanceof YasrError) throw err;
    throw new YasrError('STORE', `cannot prepare database ${maskUrl(where)}: ${(err as Error).message}`);
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db instanceof PgDb ? db.schemaVersion() : sqliteSchemaVersion(db);
}

/**
 * A number that moves when the database may have changed since the last call, for caches:
 * SQLite's data_version (another connection committed); on PostgreSQL, see PgDb.dataVersion
 * (moves whenever any writing transaction of the cluster began or ended: never misses a change).
 */
export function dataVersion(db: Db): number {
  return db instanceof PgDb ? db.dataVersion() : sqliteDataVersion(db);
}

/** A consistent copy of the whole database in a new file (which must not exist yet); SQLite only. */
export function copyDatabase(db: Db, file: string): void {
  if (db instanceof PgDb) {
    throw new YasrError('STORE', `cannot copy the PostgreSQL database ${db.display} to a file: copies (evaluate --variants) need a SQLite database`);
  }
  copySqlite(db, file);
}

/**
 * SQL for the values of a JSON array given as one parameter (`?`), for `x IN (...)` and joins:
 * SQLite's json_each; on PostgreSQL json_array_elements_text, cast to the values' type. The
 * result has one column, `value`.
 */
export function jsonValues(db: Db, type: 'integer' | 'text'): string {
  if (engineOf(db) === 'sqlite') return 'SELECT value FROM json_each(?)';
  return type === 'integer' ? 'SELECT value::bigint AS value FROM json_array_elements_text(?::json)' : 'SELECT value FROM json_array_elements_text(?::json)';
}
