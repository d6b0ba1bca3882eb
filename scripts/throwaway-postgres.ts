/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a temporary folder (as the
 * postgres user through runuser when running as root: initdb refuses root), password auth over
 * TCP on 127.0.0.1, fsync off; stop() removes it. Also what tests and benchmarks do on any server:
 * run admin SQL (pgAdminExec), and give a URL whose search_path is a schema (withSchema). Nothing
 * here is used by yasr itself.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PgChannel } from '../src/store/engine/postgres-channel.js';

/** The folder of initdb and pg_ctl, if PostgreSQL is installed. */
export function pgBin(): string | null {
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

export interface ThrowawayPostgres {
  url: string;
  stop(): void;
}

function asPostgres(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = isRoot ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** A cluster of our own: initdb in a temporary folder, password auth over TCP on 127.0.0.1. */
export function startThrowawayPostgres(): ThrowawayPostgres {
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

/** Why no throwaway cluster can be started here (one line), or null when one can. */
export function whyNoThrowawayPostgres(): string | null {
  if (!pgBin()) return 'initdb/pg_ctl are not installed';
  if (isRoot && !(hasRunuser() && hasPostgresUser())) return 'initdb refuses to run as root and there is no postgres user to run it as';
  return null;
}


/** Run SQL on the server at `url` (PostgreSQL SQL, no translation), as its admin; `display` names it in errors. */
export function pgAdminExec(url: string, sql: string, display = 'test server'): void {
  const c = new PgChannel({ connectionString: url, display, connectTimeoutMs: 10_000, queryTimeoutMs: 60_000, lockTimeoutMs: 30_000 });
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
