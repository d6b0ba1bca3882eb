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
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PgChannel } from '../../src/store/engine/postgres-channel.js';
import { ensureBuilt } from './cli.js';

/** The folder of initdb and pg_ctl, if PostgreSQL is installed. */
function pgBin(): string | null {
  const cfg = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dirs = cfg.status === 0 ? [cfg.stdout.trim()] : [];
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a))) dirs.push(path.join(base, v, 'bin'));
  }
  return dirs.find((d) => existsSync(path.join(d, 'initdb')) && existsSync(path.join(d, 'pg_ctl'))) ?? null;
}

const isRoot = process.getuid?.() === 0;
const hasPostgresUser = () => spawnSync('id', ['-u', 'postgres']).status === 0;
const hasRunuser = () => spawnSync('runuser', ['--help']).status === 0;

/** Why the PostgreSQL tests skip (one line), or null when they run. */
export const PG_SKIP: string | null = (() => {
  if (process.env.YASR_TEST_PG) return null;
  if (!pgBin()) return 'PostgreSQL tests skipped: $YASR_TEST_PG is unset and initdb/pg_ctl are not installed (set YASR_TEST_PG=postgres://user:password@host:port/db)';
  if (isRoot && !(hasRunuser() && hasPostgresUser())) {
    return 'PostgreSQL tests skipped: $YASR_TEST_PG is unset, and initdb refuses to run as root with no postgres user to run it as';
  }
  return null;
})();

let warned = false;
/** Say once (in this test file) why the PostgreSQL tests skip. */
export function warnSkip(): void {
  if (PG_SKIP && !warned) {
    warned = true;
    process.stderr.write(`${PG_SKIP}\n`);
  }
}

interface Server {
  url: string;
  stop(): void;
}

let server: Server | null = null;
const schemas: string[] = [];

function asPostgres(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = isRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** A cluster of our own: initdb in a temporary folder, password auth over TCP on 127.0.0.1. */
function startCluster(): Server {
  const bin = pgBin()!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-pg-'));
  const data = path.join(dir, 'data');
  const pw = path.join(dir, 'pw');
  writeFileSync(pw, 'yasr-test\n');
  if (isRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
    chownSync(dir, Number(ids), Number(gid));
    chownSync(pw, Number(ids), Number(gid));
  }
  const init = asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--pwfile', pw, '--auth-host=scram-sha-256', '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.out}`);
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    const start = asPostgres(path.join(bin, 'pg_ctl'), [
      '-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start',
    ]);
    if (start.status === 0) {
      return {
        url: `postgres://postgres:yasr-test@127.0.0.1:${port}/postgres`,
        stop() {
          asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (attempt >= 4) throw new Error(`pg_ctl start failed: ${start.out}`);
  }
}

/** The server's URL (starting a cluster the first time when $YASR_TEST_PG is unset). */
export function pgServerUrl(): string {
  if (PG_SKIP) throw new Error(PG_SKIP);
  if (!server) {
    ensureBuilt(); // the connection's worker thread runs from dist/
    const env = process.env.YASR_TEST_PG;
    server = env ? { url: env, stop() {} } : startCluster();
    if (!env) process.once('exit', () => server?.stop());
  }
  return server.url;
}

/** Run SQL on the server (PostgreSQL SQL, no translation), as the test's admin. */
export function pgAdmin(sql: string, url = pgServerUrl()): void {
  const c = new PgChannel({ connectionString: url, display: 'test server', connectTimeoutMs: 10_000, queryTimeoutMs: 60_000, lockTimeoutMs: 30_000 });
  try {
    c.connect();
    c.exec(sql);
  } finally {
    c.close();
  }
}

/** `url` with its search_path set to `schema`. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
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
