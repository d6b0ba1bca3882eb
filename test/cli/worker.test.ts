/**
 * `yasr worker` from the command line: its help, bad values, an idle exit; and the end-to-end
 * run of the task queue: three `yasr worker` processes on one database share the work of
 * `yasr features --queue` on 12 synthetic tracks and of a queued dtw similarity job; one of them
 * is killed (SIGKILL) while it holds a lease, another process takes the task over once its lease
 * (2 s) expired, and the features rows and neighbour lists are byte for byte those of a
 * single-process run on a fresh database. SIGTERM stops the others, which give back their leases.
 *
 * The database is SQLite (WAL, several processes), and the same run happens on PostgreSQL in a
 * fresh schema of its own (test/helpers/postgres.ts: $YASR_TEST_PG, or a throwaway cluster).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthTrack, type Timbre } from '../../src/demo/synth.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { openDb } from '../../src/store/db.js';
import { buildSyntheticCatalogue } from '../../benchmarks/pipeline/synthetic-catalogue.js';
import { resolveRun } from '../../src/pipeline/similarity/catalogue.js';
import { hashOf } from '../../src/pipeline/similarity/methods.js';
import { syncMembers } from '../../src/pipeline/similarity/sequence-stage.js';
import { blockTasks } from '../../src/pipeline/worker/block-task.js';
import { getOrCreateSet, pendingBlocks } from '../../src/store/similarity.js';
import { enqueueTasks } from '../../src/store/tasks.js';
import { ensureBuilt, ROOT, tempDir, yasr, yasrAsync, yasrJson } from '../helpers/cli.js';
import { PG_SKIP, freshPgUrl, stopPg, warnSkip } from '../helpers/postgres.js';

const BIN = path.join(ROOT, 'dist', 'bin', 'yasr.js');
const dir = tempDir('yasr-worker-');
const audio = path.join(dir, 'audio');
const files: string[] = [];
const timbres: Timbre[] = ['brass', 'pluck', 'organ', 'pad', 'square', 'sine'];

afterAll(stopPg);

beforeAll(() => {
  mkdirSync(audio, { recursive: true });
  for (let i = 0; i < 12; i++) {
    const f = path.join(audio, `t${String(i).padStart(2, '0')}.wav`);
    writeWav(f, synthTrack({ seconds: 3, bpm: 70 + 9 * i, key: (i * 5) % 12, mode: i % 2 ? 'minor' : 'major', timbre: timbres[i % 6], seed: i + 21 }), 22050);
    files.push(f);
  }
});

describe('yasr worker: help and bad values', () => {
  const db = path.join(dir, 'plain.db');

  it('--help says how audio reaches workers and shows examples', () => {
    const r = yasr(db, ['worker', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--concurrency <n>/);
    expect(r.stdout).toMatch(/--exit-when-idle/);
    expect(r.stdout).toMatch(/--lease <seconds>/);
    expect(r.stdout).toMatch(/local_path/);
    expect(r.stdout).toContain('yasr features --db /shared/yasr.db --queue');
    expect(r.stdout).toContain('yasr worker --db data/yasr.db --exit-when-idle --json');
  });

  it('refuses a bad --lease or --concurrency with one line', () => {
    for (const [opt, v] of [['--lease', '0'], ['--lease', 'soon'], ['--concurrency', '0'], ['--concurrency', '1.5']]) {
      const r = yasr(db, ['worker', opt, v, '--exit-when-idle']);
      expect(r.status, `${opt} ${v}`).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, `${opt} ${v}`).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^yasr: invalid ${opt}: "${v.replace('.', '\\.')}"`));
    }
  });

  it('--exit-when-idle on an empty queue exits at once with an empty summary; --db after the command works', () => {
    const r = spawnSyncYasr(['worker', '--db', db, '--exit-when-idle']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^0 task\(s\) done, 0 failed \(\d+\.\d s\)\n$/);
    const j = yasrJson(db, ['worker', '--exit-when-idle']);
    expect(j).toMatchObject({ done: 0, failed: 0, lost: 0, interrupted: false, tasks: {} });
    expect(j.owner).toMatch(/:\d+:[0-9a-f]{6}$/);
  });

  it('similarity --queue is refused for a method that is not blocked', () => {
    const r = yasr(db, ['similarity', '--method', 'cosine', '--queue']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['yasr: --queue shares the blocks of dtw and fastdtw on all pairs among workers; cosine runs without it']);
  });
});

function spawnSyncYasr(args: string[]): { status: number | null; stdout: string; stderr: string } {
  ensureBuilt();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Worker {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function startWorker(db: string, args: string[]): Worker {
  ensureBuilt();
  const child = spawn(process.execPath, [BIN, '--db', db, 'worker', ...args], { env: { ...process.env, CI: '1' } });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

function query<T>(db: string, sql: string, ...params: unknown[]): T[] {
  const d = openDb(db);
  try {
    return d.prepare(sql).all(...params) as T[];
  } finally {
    d.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, fn: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function endToEnd(engine: string, queuedDb: () => string): void {
  it(`${engine}: three workers share features --queue and a queued dtw job; one killed mid-task; results equal a single run's`, async () => {
    const single = path.join(dir, `${engine}-single.db`);
    const db = queuedDb();
    const k = ['--block-size', '2', '-k', '5'];

    expect(yasrJson(single, ['ingest', ...files]).added).toBe(12);
    const f1 = yasr(single, ['features', '--mfcc', '--workers', '1']);
    expect(f1.status, f1.stderr).toBe(0);
    const s1 = yasr(single, ['similarity', '--method', 'dtw', ...k, '--workers', '1']);
    expect(s1.status, s1.stderr).toBe(0);

    expect(yasrJson(db, ['ingest', ...files]).added).toBe(12);
    const workers = ['A', 'B', 'C'].map(() => startWorker(db, ['--lease', '2', '--concurrency', '1', '--json']));
    let victim = -1;
    try {
      // every worker up and taking tasks before there are any (on a loaded machine a late one
      // could otherwise find the 12 tasks all done by the features run's own thread)
      await until('the workers to start', 120_000, () => workers.every((w) => w.err().includes('taking tasks')));
      const features = yasrAsync(db, ['features', '--queue', '--mfcc', '--workers', '1', '--json']);
      // wait until a worker holds a lease (whichever claims first: on a loaded machine one of the
      // three may start too late to claim any of the 12 tasks), then kill it outright
      const holds = (w: Worker) => query<{ n: number }>(db, `SELECT COUNT(*) AS n FROM tasks WHERE status = 'running' AND lease_owner LIKE ?`, `%:${w.child.pid}:%`)[0].n > 0;
      await until('a worker to hold a lease', 120_000, () => (victim = workers.findIndex(holds)) >= 0);
      const a = workers[victim];
      const [b, c] = workers.filter((_, i) => i !== victim);
      const mine = `%:${a.child.pid}:%`;
      a.child.kill('SIGKILL');
      expect(await a.exited).toBe(null);
      const orphaned = query<{ id: number }>(db, `SELECT id FROM tasks WHERE status = 'running' AND lease_owner LIKE ?`, mine);
      expect(orphaned.length).toBeGreaterThanOrEqual(1);

      const fr = await features;
      expect(fr.status, fr.stderr).toBe(0);
      expect(JSON.parse(fr.stdout)).toMatchObject({ analysed: 12, failed: 0, skipped: 0 });
      // the killed worker's task was claimed again after its lease expired, and finished
      for (const { id } of orphaned) {
        const [t] = query<{ status: string; attempts: number }>(db, 'SELECT status, attempts FROM tasks WHERE id = ?', id);
        expect(t.status).toBe('done');
        expect(t.attempts).toBeGreaterThanOrEqual(2);
      }

      const sr = await yasrAsync(db, ['similarity', '--method', 'dtw', ...k, '--workers', '1', '--queue', '--json']);
      expect(sr.status, sr.stderr).toBe(0);
      const sim = JSON.parse(sr.stdout);
      expect(sim).toMatchObject({ method: 'dtw', tracks: 12, blocksComputed: 21, blocksTotal: 21, pairsComputed: 66 });
      const counts = query<{ kind: string; status: string; n: number }>(db, 'SELECT kind, status, COUNT(*) AS n FROM tasks GROUP BY kind, status ORDER BY kind, status');
      expect(counts).toEqual([{ kind: 'features', status: 'done', n: 12 }, { kind: 'sim-block', status: 'done', n: 21 }]);

      // SIGTERM: the others stop, give back nothing (they hold nothing now) and report what they did
      for (const w of [b, c]) w.child.kill('SIGTERM');
      for (const w of [b, c]) {
        expect(await w.exited, w.err()).toBe(0);
        expect(JSON.parse(w.out())).toMatchObject({ interrupted: true, failed: 0 });
      }
      const did = [b, c].map((w) => JSON.parse(w.out()).done as number);
      expect(did[0] + did[1]).toBeGreaterThan(0);
      // their progress lines name each task
      expect(b.err() + c.err()).toMatch(/^(features track|sim-block dtw block) .*: done in \d+\.\d s/m);
    } finally {
      for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    }

    // byte for byte the single run's features and lists
    const features = (d: string) => query(d, 'SELECT track_id, name, version, params_hash, rows, cols, data, meta FROM features ORDER BY track_id, name');
    const lists = (d: string) => query(d, 'SELECT track_id, nearest, farthest FROM neighbours ORDER BY track_id');
    const fq = features(db);
    expect(fq.length).toBeGreaterThan(12);
    expect(fq).toEqual(features(single));
    const lq = lists(db);
    expect(lq).toHaveLength(12);
    expect(lq).toEqual(lists(single));

    expect(yasrJson(db, ['status']).queue).toEqual({ pending: 0, running: 0, done: 33, failed: 0 });
    expect(yasr(db, ['status']).stdout).toMatch(/^task queue: 0 pending, 0 running, 33 done, 0 failed$/m);
    expect(yasr(single, ['status']).stdout).not.toMatch(/task queue/);

    // nothing left: an idle worker exits at once
    const idle = startWorker(db, ['--exit-when-idle', '--json']);
    expect(await idle.exited).toBe(0);
    expect(JSON.parse(idle.out())).toMatchObject({ done: 0, interrupted: false });
  }, 600_000);
}

/** A synthetic catalogue of n tracks whose dtw set (pool 1, no band) is one block, queued as one task. */
function queueOneDtwBlock(db: string, n: number, seed: number): void {
  const d = openDb(db);
  buildSyntheticCatalogue(d, n, { seed });
  const { params, entries } = resolveRun(d, { method: 'dtw', pool: 1, band: 0 });
  const set = getOrCreateSet(d, 'dtw', hashOf(params), params);
  syncMembers(d, set.id, entries, n);
  enqueueTasks(d, 'j', blockTasks(set.id, pendingBlocks(d, set.id)), Date.now());
  d.close();
}

/** Wait until some worker holds the queued block. */
function untilHeld(db: string, who: string): Promise<void> {
  return until(`${who} to hold the block`, 60_000, () => query<{ n: number }>(db, `SELECT COUNT(*) AS n FROM tasks WHERE status = 'running'`)[0].n > 0);
}

describe('yasr worker: SIGTERM mid-task', () => {
  it('gives the task back (pending, the claim not counted), stores nothing and exits 0 with its summary', async () => {
    const db = path.join(dir, 'sigterm.db');
    // one block of 276 exact unconstrained DTW alignments of 1292 frames: seconds of work
    queueOneDtwBlock(db, 24, 4);
    const w = startWorker(db, ['--lease', '5', '--json']);
    await untilHeld(db, 'the worker');
    w.child.kill('SIGTERM');
    expect(await w.exited, w.err()).toBe(0);
    expect(JSON.parse(w.out())).toMatchObject({ done: 0, failed: 0, released: 1, interrupted: true });
    expect(query(db, 'SELECT status, attempts, lease_owner FROM tasks')).toEqual([{ status: 'pending', attempts: 0, lease_owner: null }]);
    expect(query(db, 'SELECT COUNT(*) AS n FROM sim_blocks')).toEqual([{ n: 0 }]);
  }, 120_000);
});

describe('yasr worker: heartbeats', () => {
  it('keep a lease far shorter than the task: a second worker waiting meanwhile never takes it over', async () => {
    const db = path.join(dir, 'heartbeat.db');
    // one block of 66 exact unconstrained DTW alignments of 1292 frames: several leases long
    queueOneDtwBlock(db, 12, 6);
    const first = startWorker(db, ['--lease', '1', '--exit-when-idle', '--json']);
    await untilHeld(db, 'the first worker');
    const second = startWorker(db, ['--lease', '1', '--exit-when-idle', '--json']);
    expect(await first.exited, first.err()).toBe(0);
    expect(await second.exited, second.err()).toBe(0);
    expect(JSON.parse(first.out())).toMatchObject({ done: 1, lost: 0 });
    expect(JSON.parse(second.out())).toMatchObject({ done: 0, lost: 0 });
    expect(query(db, 'SELECT status, attempts FROM tasks')).toEqual([{ status: 'done', attempts: 1 }]);
  }, 180_000);
});

describe('yasr worker: the task queue end to end', () => {
  endToEnd('sqlite', () => path.join(dir, 'queued.db'));
  if (!PG_SKIP) endToEnd('postgres', () => freshPgUrl());
  else {
    warnSkip();
    it.skip(`postgres: ${PG_SKIP}`, () => {});
  }
});
