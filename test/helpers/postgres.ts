/**
 * PostgreSQL for tests: `$YASR_TEST_PG` (a postgres:// URL of a database the tests may create
 * schemas in), else a throwaway cluster this process starts itself when initdb and pg_ctl are
 * installed (as the postgres user when running as root, through runuser), else PG_SKIP says why
 * the PostgreSQL tests skip, in one line.
 *
 * freshPgUrl() gives an empty schema of its own each time (a URL whose search_path is it), so
 * that every test opens a new, isolated store; stopPg() (afterAll) drops them, and stops the
 * cluster if this process started one.
 */
import { pgAdminExec, startThrowawayPostgres, whyNoThrowawayPostgres, withSchema, type ThrowawayPostgres } from '../../scripts/throwaway-postgres.js';
import { ensureBuilt } from './cli.js';

/** Why the PostgreSQL tests skip (one line), or null when they run. */
export const PG_SKIP: string | null = (() => {
  if (process.env.YASR_TEST_PG) return null;
  const why = whyNoThrowawayPostgres();
  return why ? `PostgreSQL tests skipped: $YASR_TEST_PG is unset and ${why} (set YASR_TEST_PG=postgres://user:password@host:port/db)` : null;
})();

let warned = false;
/** Say once (in this test file) why the PostgreSQL tests skip. */
export function warnSkip(): void {
  if (PG_SKIP && !warned) {
    warned = true;
    process.stderr.write(`${PG_SKIP}\n`);
  }
}

let server: ThrowawayPostgres | null = null;
const schemas: string[] = [];

/** The server's URL (starting a cluster the first time when $YASR_TEST_PG is unset). */
export function pgServerUrl(): string {
  if (PG_SKIP) throw new Error(PG_SKIP);
  if (!server) {
    ensureBuilt(); // the connection's worker thread runs from dist/
    const env = process.env.YASR_TEST_PG;
    server = env ? { url: env, stop() {} } : startThrowawayPostgres();
    if (!env) process.once('exit', () => server?.stop());
  }
  return server.url;
}

/** Run SQL on the server (PostgreSQL SQL, no translation), as the test's admin. */
export function pgAdmin(sql: string, url = pgServerUrl()): void {
  pgAdminExec(url, sql);
}

let counter = 0;
/** A new, empty schema of its own: a store opened on this URL is fresh and isolated. */
export function freshPgUrl(): string {
  const url = pgServerUrl();
  const schema = `yasr_t${process.pid}_${Date.now().toString(36)}_${++counter}`;
  pgAdmin(`CREATE SCHEMA ${schema}`, url);
  schemas.push(schema);
  return withSchema(url, schema);
}

/** afterAll: drop this file's schemas; stop the cluster this process started. */
export function stopPg(): void {
  if (!server) return;
  if (process.env.YASR_TEST_PG && schemas.length) {
    try {
      pgAdmin(schemas.map((s) => `DROP SCHEMA IF EXISTS ${s} CASCADE`).join(';'));
    } catch {
      // left for the next run's cleanup
    }
  }
  schemas.length = 0;
  server.stop();
  server = null;
}

/** The engines a store test runs on: SQLite always, PostgreSQL unless PG_SKIP. */
export const ENGINES: { engine: 'sqlite' | 'postgres'; skip: boolean; fresh: () => string }[] = [
  { engine: 'sqlite', skip: false, fresh: () => ':memory:' },
  { engine: 'postgres', skip: PG_SKIP !== null, fresh: freshPgUrl },
];
