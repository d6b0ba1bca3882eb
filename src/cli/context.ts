import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { localBase, openDb, resolveDbPath, type Db } from '../store/db.js';
import { badParameter } from '../errors.js';
import { parseSince } from '../sources/since.js';

export interface GlobalOptions {
  db?: string;
  ffmpeg?: string;
  quiet?: boolean;
}

/** Options of the root program, seen from any subcommand. */
export function globals(cmd: Command): GlobalOptions {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

export function dbPath(cmd: Command): string {
  return resolveDbPath(globals(cmd).db);
}

export function openFromCli(cmd: Command): Db {
  return openDb(dbPath(cmd));
}

/** Downloaded audio lives next to the database (a PostgreSQL store's: under ./data, see localBase). */
export function audioStoreDir(cmd: Command): string {
  return path.join(path.dirname(localBase(dbPath(cmd))), 'audio');
}

/** Cached catalogue replies live next to the database. */
export function cacheDir(cmd: Command): string {
  return path.join(path.dirname(localBase(dbPath(cmd))), 'cache', 'http');
}

/** --since 7d | 2w | 1m | YYYY-MM-DD -> the first day included (YYYY-MM-DD). */
export function sinceOption(v: string): string {
  return parseSince(v, process.env.YASR_TODAY ? new Date(process.env.YASR_TODAY) : new Date());
}

export function intOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw badParameter(name, v, `an integer from ${min} to ${max}`);
    return n;
  };
}

export function numberOption(name: string, min: number, max = Number.MAX_VALUE) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw badParameter(name, v, `a number from ${min} to ${max}`);
    return n;
  };
}

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

/** Run `fn` holding the database's run lock (<db>.lock): one heavy run at a time. */
export async function withRunLock<T>(cmd: Command, what: string, waitSeconds: number, fn: () => Promise<T>): Promise<T> {
  const { acquireLock } = await import('../pipeline/nightly/lock.js');
  const file = `${localBase(dbPath(cmd))}.lock`;
  mkdirSync(path.dirname(file), { recursive: true }); // (a PostgreSQL store's ./data may not exist yet)
  const lock = await acquireLock(file, what, waitSeconds * 1000);
  if (lock.tookOver) process.stderr.write(`yasr: took over a stale lock left by pid ${lock.tookOver.pid} (${lock.tookOver.command})\n`);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/**
 * SIGINT/SIGTERM abort the returned signal (stages stop between blocks; workers are ended) and
 * end any external downloader still running (they run in their own process groups).
 */
export function interruptOnSignals(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSig = (sig: NodeJS.Signals) => {
    ac.abort(new Error(`interrupted by ${sig}`));
    void import('../ingest/downloader-command.js').then((m) => m.killRunningDownloaders(sig)).catch(() => undefined);
  };
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
    },
  };
}
