/**
 * The task queue's SQL (src/store/tasks.ts) with the clock in the test's hands: claims, leases,
 * expiry, heartbeats, the attempt limit, completion only by the holder, idempotent enqueueing,
 * and claimers (connections, processes) that never get the same task.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDb, schemaVersion, type Db } from '../../src/store/db.js';
import {
  claimTasks, completeTask, enqueueTasks, failTask, heartbeat, jobTasks, outstandingTasks, releaseTasks, taskByKey, taskCounts,
  type NewTask,
} from '../../src/store/tasks.js';
import { ensureBuilt, ROOT, tempDir } from '../helpers/cli.js';

const LEASE = 1000;
const MAX = 3;

function tasks(n: number, prefix = 't'): NewTask[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'features', key: `${prefix}:${i}`, payload: { i } }));
}

function fresh(): Db {
  return openDb(':memory:');
}

const claim = (db: Db, owner: string, now: number, limit = 1, job?: string, maxAttempts = MAX) =>
  claimTasks(db, { owner, now, leaseMs: LEASE, limit, maxAttempts, job });

describe('task queue: schema and enqueueing', () => {
  it('migration 11 makes the tasks table', () => {
    const db = fresh();
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(11);
    const cols = (db.prepare('PRAGMA table_info(tasks)').all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(expect.arrayContaining(['id', 'job', 'kind', 'key', 'payload', 'status', 'lease_owner', 'lease_until', 'attempts', 'error']));
    expect(() => db.prepare(`INSERT INTO tasks (job, kind, key, payload, enqueued_ms) VALUES ('j', 'other', 'k', '{}', 0)`).run()).toThrow(/CHECK/);
  });

  it('enqueueing the same keys twice adds nothing; a pending or running task keeps its state and moves to the new job', () => {
    const db = fresh();
    expect(enqueueTasks(db, 'j1', tasks(3), 10)).toBe(3);
    const [t0] = claim(db, 'A', 100);
    expect(t0.key).toBe('t:0');
    enqueueTasks(db, 'j2', tasks(3), 20);
    const rows = jobTasks(db, 'j2');
    expect(rows.map((r) => [r.key, r.status, r.attempts, r.leaseOwner])).toEqual([
      ['t:0', 'running', 1, 'A'],
      ['t:1', 'pending', 0, null],
      ['t:2', 'pending', 0, null],
    ]);
    expect(jobTasks(db, 'j1')).toEqual([]);
    expect((db.prepare('SELECT COUNT(*) AS n FROM tasks').get() as { n: number }).n).toBe(3);
  });

  it('a done or failed key enqueued again is re-armed: pending, no attempts, no error, the new payload', () => {
    const db = fresh();
    enqueueTasks(db, 'j1', tasks(2), 0);
    const [a, b] = claim(db, 'A', 0, 2);
    expect(completeTask(db, a.id, 'A', 5)).toBe(true);
    expect(failTask(db, b.id, 'A', 'bad file', 5)).toBe(true);
    enqueueTasks(db, 'j2', [{ kind: 'features', key: 't:0', payload: { i: 'new' } }, { kind: 'features', key: 't:1', payload: { i: 1 } }], 50);
    const rows = jobTasks(db, 'j2');
    expect(rows.map((r) => [r.key, r.status, r.attempts, r.error, r.payload])).toEqual([
      ['t:0', 'pending', 0, null, { i: 'new' }],
      ['t:1', 'pending', 0, null, { i: 1 }],
    ]);
  });
});

describe('task queue: claims and leases (controlled time)', () => {
  it('claims the lowest ids first, leases them until now + lease, counts the attempt; nothing twice', () => {
    const db = fresh();
    enqueueTasks(db, 'j', tasks(5), 0);
    const a = claim(db, 'A', 1000, 2);
    expect(a.map((t) => [t.key, t.attempts, t.job, t.kind, t.payload])).toEqual([
      ['t:0', 1, 'j', 'features', { i: 0 }],
      ['t:1', 1, 'j', 'features', { i: 1 }],
    ]);
    expect(taskByKey(db, 't:0')).toMatchObject({ status: 'running', leaseOwner: 'A', leaseUntil: 2000 });
    const b = claim(db, 'B', 1000, 10);
    expect(b.map((t) => t.key)).toEqual(['t:2', 't:3', 't:4']);
    expect(claim(db, 'C', 1999, 10)).toEqual([]);
    expect(taskCounts(db, 'j').total).toEqual({ pending: 0, running: 5, done: 0, failed: 0 });
    expect(outstandingTasks(db, 'j')).toBe(5);
    expect(claim(db, 'C', 1000, 0)).toEqual([]);
  });

  it('a job filter claims only that job', () => {
    const db = fresh();
    enqueueTasks(db, 'x', tasks(2, 'x'), 0);
    enqueueTasks(db, 'y', tasks(2, 'y'), 0);
    expect(claim(db, 'A', 0, 10, 'y').map((t) => t.key)).toEqual(['y:0', 'y:1']);
    expect(outstandingTasks(db, 'x')).toBe(2);
    expect(claim(db, 'A', 0, 10).map((t) => t.key)).toEqual(['x:0', 'x:1']);
  });

  it('an expired lease is claimed by another worker; the old holder can then neither complete nor fail it', () => {
    const db = fresh();
    enqueueTasks(db, 'j', tasks(1), 0);
    const [t] = claim(db, 'A', 0);
    // lease_until = 1000: still A's at 999, claimable at 1000
    expect(claim(db, 'B', 999)).toEqual([]);
    const [again] = claim(db, 'B', 1000);
    expect(again).toMatchObject({ id: t.id, attempts: 2 });
    expect(taskByKey(db, 't:0')).toMatchObject({ leaseOwner: 'B', leaseUntil: 2000, error: 'lease of A expired' });
    expect(completeTask(db, t.id, 'A', 1001)).toBe(false);
    expect(failTask(db, t.id, 'A', 'x', 1001)).toBe(false);
    expect(heartbeat(db, 'A', 1001, LEASE)).toBe(0);
    expect(completeTask(db, t.id, 'B', 1002)).toBe(true);
    expect(taskByKey(db, 't:0')).toMatchObject({ status: 'done', leaseOwner: null, leaseUntil: null, error: null });
    expect(completeTask(db, t.id, 'B', 1003)).toBe(false);
    expect(claim(db, 'C', 99999)).toEqual([]);
  });

  it('heartbeats extend only the holder\'s running leases', () => {
    const db = fresh();
    enqueueTasks(db, 'j', tasks(3), 0);
    claim(db, 'A', 0, 2);
    claim(db, 'B', 0, 1);
    expect(heartbeat(db, 'A', 900, LEASE)).toBe(2);
    expect(claim(db, 'C', 1000, 10).map((t) => t.key)).toEqual(['t:2']); // B's expired, A's not
    expect(claim(db, 'C', 1899, 10)).toEqual([]);
    expect(claim(db, 'C', 1900, 10).map((t) => t.key)).toEqual(['t:0', 't:1']);
  });

  it('after maxAttempts expired claims the task fails with the last holder named; no one claims it again', () => {
    const db = fresh();
    enqueueTasks(db, 'j', tasks(1), 0);
    expect(claim(db, 'A', 0, 1, undefined, 2)).toHaveLength(1);
    expect(claim(db, 'B', 1000, 1, undefined, 2)).toHaveLength(1);
    expect(outstandingTasks(db)).toBe(1);
    expect(claim(db, 'C', 2000, 1, undefined, 2)).toEqual([]);
    expect(taskByKey(db, 't:0')).toMatchObject({ status: 'failed', attempts: 2, leaseOwner: null, error: 'lease of B expired; no attempts left after 2' });
    expect(outstandingTasks(db)).toBe(0);
    expect(taskCounts(db).total).toEqual({ pending: 0, running: 0, done: 0, failed: 1 });
  });

  it('a failure stores its reason; released tasks are pending again without the attempt counted', () => {
    const db = fresh();
    enqueueTasks(db, 'j', tasks(3), 0);
    const [a, b, c] = claim(db, 'A', 0, 3);
    expect(failTask(db, a.id, 'A', 'decode failed: no such file', 10)).toBe(true);
    expect(releaseTasks(db, 'A', [b.id])).toBe(1);
    expect(releaseTasks(db, 'B')).toBe(0);
    expect(jobTasks(db, 'j').map((r) => [r.key, r.status, r.attempts, r.error])).toEqual([
      ['t:0', 'failed', 1, 'decode failed: no such file'],
      ['t:1', 'pending', 0, null],
      ['t:2', 'running', 1, null],
    ]);
    expect(releaseTasks(db, 'A')).toBe(1);
    expect(taskByKey(db, 't:2')).toMatchObject({ status: 'pending', attempts: 0 });
    void c;
    expect(claim(db, 'B', 20, 5).map((t) => [t.key, t.attempts])).toEqual([['t:1', 1], ['t:2', 1]]);
  });

  it('completion rolls back with the results it was stored with when the lease is gone', () => {
    const db = fresh();
    enqueueTasks(db, 'j', tasks(1), 0);
    const [t] = claim(db, 'A', 0);
    claim(db, 'B', 5000);
    db.exec('CREATE TABLE results (v INTEGER)');
    expect(() =>
      db.transaction(() => {
        db.prepare('INSERT INTO results (v) VALUES (1)').run();
        if (!completeTask(db, t.id, 'A', 5001)) throw new Error('lease lost');
      })(),
    ).toThrow('lease lost');
    expect((db.prepare('SELECT COUNT(*) AS n FROM results').get() as { n: number }).n).toBe(0);
  });

  it('counts per status and kind of a job', () => {
    const db = fresh();
    enqueueTasks(db, 'j', [...tasks(2), { kind: 'sim-block', key: 'block:1:0:0', payload: {} }], 0);
    enqueueTasks(db, 'other', tasks(1, 'o'), 0);
    const got = claim(db, 'A', 0, 2, 'j');
    completeTask(db, got[0].id, 'A', 1);
    expect(taskCounts(db, 'j')).toEqual({
      total: { pending: 1, running: 1, done: 1, failed: 0 },
      byKind: { features: { pending: 0, running: 1, done: 1, failed: 0 }, 'sim-block': { pending: 1, running: 0, done: 0, failed: 0 } },
    });
    expect(outstandingTasks(db, 'j')).toBe(2);
    expect(outstandingTasks(db)).toBe(3);
  });
});

describe('task queue: claimers never share a task', () => {
  it('two connections to one file claiming in turns get disjoint tasks, all of them', () => {
    const file = path.join(tempDir(), 'q.db');
    const a = openDb(file);
    const b = openDb(file);
    enqueueTasks(a, 'j', tasks(50), 0);
    const seen: number[] = [];
    for (let round = 0; ; round++) {
      const x = claim(a, 'A', 0, 1 + (round % 3));
      const y = claim(b, 'B', 0, 1 + ((round + 1) % 4));
      if (!x.length && !y.length) break;
      seen.push(...x.map((t) => t.id), ...y.map((t) => t.id));
    }
    expect(seen.length).toBe(50);
    expect(new Set(seen).size).toBe(50);
    a.close();
    b.close();
  });

  it('four processes claiming at once from one SQLite file get disjoint tasks that cover the queue', async () => {
    ensureBuilt();
    const dir = tempDir();
    const file = path.join(dir, 'race.db');
    const db = openDb(file);
    enqueueTasks(db, 'j', tasks(200), 0);
    db.close();
    const dist = (m: string) => pathToFileURL(path.join(ROOT, 'dist', 'src', 'store', m)).href;
    const script = path.join(dir, 'claimer.mjs');
    writeFileSync(
      script,
      `import { openDb } from ${JSON.stringify(dist('db.js'))};\n` +
        `import { claimTasks, completeTask } from ${JSON.stringify(dist('tasks.js'))};\n` +
        `const db = openDb(process.argv[2]); const owner = process.argv[3]; const ids = [];\n` +
        `for (let i = 0; ; i++) { const got = claimTasks(db, { owner, now: 0, leaseMs: 1e9, limit: 1 + (i % 3), maxAttempts: 3 });\n` +
        `  if (!got.length) break; for (const t of got) { ids.push(t.id); if (!completeTask(db, t.id, owner, 1)) throw new Error('not mine'); } }\n` +
        `process.stdout.write(JSON.stringify(ids));\n`,
    );
    const run = (owner: string) =>
      new Promise<number[]>((resolve, reject) => {
        const child = spawn(process.execPath, [script, file, owner]);
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (err += d));
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`claimer ${owner} exited ${code}: ${err}`))));
      });
    const got = await Promise.all(['P1', 'P2', 'P3', 'P4'].map(run));
    const all = got.flat();
    expect(all.length).toBe(200);
    expect(new Set(all).size).toBe(200);
    const check = openDb(file);
    expect(taskCounts(check, 'j').total).toEqual({ pending: 0, running: 0, done: 200, failed: 0 });
    check.close();
  }, 60_000);
});
