/**
 * The worker loop with the clock in the test's hands: a task held by a dead worker is taken
 * over once its lease expires (and not before), a worker whose lease was taken over stores
 * nothing, a task that throws fails with its one-line reason, exit-when-idle waits for tasks
 * running elsewhere, and a stopped worker gives its leases back.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSyntheticCatalogue } from '../../../benchmarks/pipeline/synthetic-catalogue.js';
import { resolveRun } from '../../../src/pipeline/similarity/catalogue.js';
import { hashOf } from '../../../src/pipeline/similarity/methods.js';
import { syncMembers } from '../../../src/pipeline/similarity/sequence-stage.js';
import { blockTasks, runBlockTask } from '../../../src/pipeline/worker/block-task.js';
import { runWorker } from '../../../src/pipeline/worker/run-worker.js';
import { LeaseLost, type TaskContext } from '../../../src/pipeline/worker/task-context.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { blockStored, getOrCreateSet, pendingBlocks } from '../../../src/store/similarity.js';
import { claimTasks, enqueueTasks, taskByKey, taskCounts } from '../../../src/store/tasks.js';
import { tempDir } from '../../helpers/cli.js';

const dir = tempDir();

/** A synthetic catalogue with a dtw set planned in blocks of 3 (6 blocks) and enqueued as job 'j'. */
function queuedBlocks(name: string): { db: Db; setId: number; keys: string[] } {
  const db = openDb(path.join(dir, name));
  buildSyntheticCatalogue(db, 9, { seed: 3 });
  const { params, entries } = resolveRun(db, { method: 'dtw' });
  const set = getOrCreateSet(db, 'dtw', hashOf(params), params);
  syncMembers(db, set.id, entries, 3);
  const tasks = blockTasks(set.id, pendingBlocks(db, set.id));
  enqueueTasks(db, 'j', tasks, 0);
  return { db, setId: set.id, keys: tasks.map((t) => t.key) };
}

const LEASE = 1000;

describe('runWorker', () => {
  it('takes over a dead worker\'s task only once its lease expired, and finishes the job', async () => {
    const { db, keys } = queuedBlocks('takeover.db');
    let clock = 10_000;
    // a worker that died holding the first task (its lease runs to 11,000)
    expect(claimTasks(db, { owner: 'dead', now: clock, leaseMs: LEASE, limit: 1, maxAttempts: 3 }).map((t) => t.key)).toEqual([keys[0]]);
    const seen: string[] = [];
    const run = runWorker(db, {
      owner: 'W', concurrency: 1, leaseMs: LEASE, exitWhenIdle: true, threads: false, pollMs: 5, now: () => clock,
      progress: { task: (e) => seen.push(e.key) },
    });
    // the others are done while the dead worker's lease runs: the worker waits, it does not exit
    while (seen.length < keys.length - 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect(taskByKey(db, keys[0])).toMatchObject({ status: 'running', leaseOwner: 'dead' });
    clock = 10_999;
    await new Promise((r) => setTimeout(r, 50));
    expect(taskByKey(db, keys[0])).toMatchObject({ status: 'running', leaseOwner: 'dead' });
    clock = 11_000;
    const s = await run;
    expect(seen).toEqual([...keys.slice(1), keys[0]]);
    expect(s).toMatchObject({ done: keys.length, failed: 0, lost: 0, interrupted: false, tasks: { 'sim-block': { done: keys.length, skipped: 0, failed: 0 } } });
    expect(taskByKey(db, keys[0])).toMatchObject({ status: 'done', attempts: 2 });
    db.close();
  }, 120_000);

  it('a worker whose lease was taken over stores nothing; the new holder stores the block', async () => {
    const { db, setId, keys } = queuedBlocks('lost.db');
    const [t] = claimTasks(db, { owner: 'A', now: 0, leaseMs: LEASE, limit: 1, maxAttempts: 3 });
    const [again] = claimTasks(db, { owner: 'B', now: LEASE, leaseMs: LEASE, limit: 1, maxAttempts: 3 });
    expect(again.key).toBe(t.key);
    const ctx = (owner: string): TaskContext => ({
      db, owner, now: () => LEASE + 1, signal: new AbortController().signal, threads: false,
      ffmpeg: () => 'ffmpeg', analyze: () => Promise.reject(new Error('no features here')),
    });
    const p = t.payload as { i0: number; j0: number };
    await expect(runBlockTask(ctx('A'), t)).rejects.toBeInstanceOf(LeaseLost);
    expect(blockStored(db, setId, p.i0, p.j0)).toBe(false);
    expect(await runBlockTask(ctx('B'), again)).toMatchObject({ outcome: 'done' });
    expect(blockStored(db, setId, p.i0, p.j0)).toBe(true);
    expect(taskByKey(db, keys[0])).toMatchObject({ status: 'done', leaseOwner: null });
    // a re-armed task of a stored block is skipped, not computed again
    enqueueTasks(db, 'k', [{ kind: 'sim-block', key: keys[0], payload: t.payload }], 5);
    const [re] = claimTasks(db, { owner: 'C', now: 10, leaseMs: LEASE, limit: 1, maxAttempts: 3, job: 'k' });
    expect(await runBlockTask(ctx('C'), re)).toMatchObject({ outcome: 'skipped' });
    db.close();
  }, 120_000);

  it('a task that throws fails with its one-line reason; the worker goes on with the others', async () => {
    const { db, keys } = queuedBlocks('fail.db');
    // the first block's first member loses its MFCCs: reading its sequence throws
    const first = (taskByKey(db, keys[0])!.payload as { i0: number });
    const member = db.prepare('SELECT track_id FROM sim_members WHERE idx = ?').get(first.i0) as { track_id: number };
    db.prepare(`DELETE FROM features WHERE track_id = ? AND name = 'mfcc'`).run(member.track_id);
    const s = await runWorker(db, { owner: 'W', concurrency: 2, leaseMs: LEASE, exitWhenIdle: true, threads: false, pollMs: 5 });
    const failedBlocks = keys.filter((k) => taskByKey(db, k)!.status === 'failed');
    expect(failedBlocks.length).toBeGreaterThanOrEqual(1);
    expect(s.failed).toBe(failedBlocks.length);
    expect(s.done).toBe(keys.length - failedBlocks.length);
    for (const k of failedBlocks) {
      const e = taskByKey(db, k)!.error!;
      expect(e.length).toBeGreaterThan(0);
      expect(e).not.toContain('\n');
    }
    db.close();
  }, 120_000);

  it('stopped by its signal, a worker gives back its leases; one waiting for work stops at once', async () => {
    const { db } = queuedBlocks('stop.db');
    const ac = new AbortController();
    ac.abort(new Error('interrupted by SIGTERM'));
    const s = await runWorker(db, { owner: 'W', concurrency: 2, leaseMs: LEASE, exitWhenIdle: false, threads: false, signal: ac.signal });
    expect(s).toMatchObject({ interrupted: true, done: 0, released: 0 });
    expect(taskCounts(db, 'j').total.running).toBe(0);
    // stopped while running: the leases it held are pending again, their claims not counted
    const ac2 = new AbortController();
    const run = runWorker(db, {
      owner: 'V', concurrency: 2, leaseMs: LEASE, exitWhenIdle: false, threads: false, signal: ac2.signal,
      progress: { claimed: () => ac2.abort(new Error('stop')) },
    });
    const s2 = await run;
    expect(s2.interrupted).toBe(true);
    const c = taskCounts(db, 'j').total;
    expect(c.running).toBe(0);
    expect(c.pending + c.done).toBe(6);
    const attempts = db.prepare(`SELECT MAX(attempts) AS m FROM tasks WHERE status = 'pending'`).get() as { m: number };
    expect(attempts.m).toBe(0);
    // an idle worker without exit-when-idle waits until stopped
    const idle = new AbortController();
    const empty = openDb(':memory:');
    const waiting = runWorker(empty, { owner: 'I', concurrency: 1, leaseMs: LEASE, exitWhenIdle: false, threads: false, pollMs: 10, signal: idle.signal });
    setTimeout(() => idle.abort(new Error('SIGINT')), 50);
    expect(await waiting).toMatchObject({ interrupted: true, done: 0 });
    // with exit-when-idle it returns at once
    expect(await runWorker(empty, { owner: 'I', concurrency: 1, exitWhenIdle: true, threads: false })).toMatchObject({ interrupted: false, done: 0 });
    empty.close();
    db.close();
  }, 120_000);
});
