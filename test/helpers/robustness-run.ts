/**
 * Process helpers for the robustness tests (issue 5): run the compiled CLI as a child process
 * that can be killed at a chosen moment, and a seeded random source so every trial reproduces.
 *
 * The CLI is `dist/bin/yasr.js` (built by `npm run build`; `ensureBuilt()` builds it when
 * missing). `YASR_TEST_BIN` may name another compiled copy (a private build, useful while other
 * people rebuild `dist/` in the same working tree).
 */
import { seededRandom } from '../../src/util/random.js';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT, ensureBuilt } from './cli.js';

/** The compiled CLI the robustness tests run. */
export function yasrBin(): string {
  const own = process.env.YASR_TEST_BIN;
  if (own) return path.resolve(own);
  ensureBuilt();
  return path.join(ROOT, 'dist', 'bin', 'yasr.js');
}

export interface ChildResult {
  /** Exit status, null when ended by a signal. */
  status: number | null;
  /** The signal that ended it (e.g. 'SIGKILL'), or null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number;
}

export interface Spawned {
  child: ChildProcess;
  done: Promise<ChildResult>;
}

/** Start `yasr --db DB --quiet ARGS...` without waiting for it. */
export function spawnYasr(db: string, args: string[], env: Record<string, string | undefined> = {}): Spawned {
  const t0 = performance.now();
  const child = spawn(process.execPath, [yasrBin(), '--db', db, '--quiet', ...args], {
    env: { ...process.env, CI: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr, ms: performance.now() - t0 }));
  });
  return { child, done };
}

/** Run the CLI to completion (asynchronously, so several can run at once). */
export function runYasr(db: string, args: string[], env: Record<string, string | undefined> = {}): Promise<ChildResult> {
  return spawnYasr(db, args, env).done;
}

/**
 * Run the CLI and `kill -9` it `afterMs` milliseconds after spawning (if it is still running).
 * `killed` says whether the signal arrived before the process had exited by itself.
 */
export async function runAndKill(
  db: string,
  args: string[],
  afterMs: number,
  env: Record<string, string | undefined> = {},
): Promise<ChildResult & { killed: boolean }> {
  const s = spawnYasr(db, args, env);
  let exited = false;
  const timer = setTimeout(() => {
    if (!exited) s.child.kill('SIGKILL');
  }, Math.max(0, afterMs));
  const r = await s.done.finally(() => {
    exited = true;
    clearTimeout(timer);
  });
  return { ...r, killed: r.signal === 'SIGKILL' };
}

/**
 * Start yasr and SIGKILL it as soon as `ready()` holds (polled every `pollMs`), e.g. once a
 * chosen number of blocks is committed: a kill that is sure to land mid-work, whatever the
 * machine's speed.
 */
export async function runAndKillWhen(
  db: string,
  args: string[],
  ready: () => boolean,
  pollMs = 2,
  env: Record<string, string | undefined> = {},
): Promise<ChildResult & { killed: boolean }> {
  const s = spawnYasr(db, args, env);
  let exited = false;
  const poll = setInterval(() => {
    if (exited) return;
    let hit = false;
    try {
      hit = ready();
    } catch {
      /* the database may not be readable yet */
    }
    if (hit) {
      clearInterval(poll);
      s.child.kill('SIGKILL');
    }
  }, pollMs);
  const r = await s.done.finally(() => {
    exited = true;
    clearInterval(poll);
  });
  return { ...r, killed: r.signal === 'SIGKILL' };
}

/** A seeded uniform [0, 1) generator (mulberry32): the same seed gives the same trials. */
export { seededRandom };

/** Random bytes from a seeded generator. */
export function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/**
 * `n` kill moments spread over [lo, hi] ms: one uniformly random moment in each of `n` equal
 * strata (so early, middle and late kills are all tried), in a shuffled order.
 */
export function spreadMoments(rand: () => number, n: number, lo: number, hi: number): number[] {
  const out = Array.from({ length: n }, (_, i) => Math.round(lo + ((i + rand()) / n) * (hi - lo)));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
