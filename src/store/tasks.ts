/**
 * The task queue (migration 11): work that several `yasr worker` processes on one database share
 * under leases. SQL only; the worker loop is src/pipeline/worker/.
 *
 * - A task is `pending`, `running` (held by `lease_owner` until `lease_until`), `done` or
 *   `failed` (with its last error line).
 * - Claimable: pending, or running with an expired lease and fewer than `maxAttempts` claims so far
 *   (its holder died). A running task whose lease expired after `maxAttempts` claims becomes
 *   failed ("reaped") instead.
 * - Time is always the caller's `now` (epoch ms, Date.now() in production) passed as a
 *   parameter, never SQL's clock, so that tests control it and every process compares the same
 *   kind of number.
 * - Enqueueing is idempotent by `key`. A caller enqueues only work it found missing, so a key
 *   that is already done or failed is re-armed (pending, 0 attempts, the new job and payload):
 *   its inputs changed back, its result was removed, or it failed before and this is a new run's
 *   try. A key that is pending or running is left as it is (its lease stays with its holder) and
 *   moves to the new job, so the new run waits for it.
 * - Completion and failure happen in the caller's transaction, beside the task's results, and
 *   only by the lease holder: a worker whose lease was taken over stores nothing.
 */
import { engineOf, type Db } from './db.js';

export type TaskKind = 'features' | 'sim-block';
export type TaskStatus = 'pending' | 'running' | 'done' | 'failed';

export interface NewTask {
  kind: TaskKind;
  key: string;
  payload: unknown;
}

export interface ClaimedTask {
  id: number;
  job: string;
  kind: TaskKind;
  key: string;
  payload: unknown;
  /** Claims so far, this one included. */
  attempts: number;
}

export interface TaskRow extends ClaimedTask {
  status: TaskStatus;
  leaseOwner: string | null;
  leaseUntil: number | null;
  error: string | null;
}

/** Enqueue (or re-arm, see the module doc) many tasks of one job in one transaction; returns how many. */
export function enqueueTasks(db: Db, job: string, tasks: readonly NewTask[], now: number): number {
  const st = db.prepare(
    `INSERT INTO tasks (job, kind, key, payload, status, attempts, enqueued_ms) VALUES (?, ?, ?, ?, 'pending', 0, ?)
     ON CONFLICT (key) DO UPDATE SET job = excluded.job, kind = excluded.kind, payload = excluded.payload,
       attempts = CASE WHEN tasks.status IN ('done', 'failed') THEN 0 ELSE tasks.attempts END,
       error = CASE WHEN tasks.status IN ('done', 'failed') THEN NULL ELSE tasks.error END,
       enqueued_ms = CASE WHEN tasks.status IN ('done', 'failed') THEN excluded.enqueued_ms ELSE tasks.enqueued_ms END,
       finished_ms = CASE WHEN tasks.status IN ('done', 'failed') THEN NULL ELSE tasks.finished_ms END,
       status = CASE WHEN tasks.status IN ('done', 'failed') THEN 'pending' ELSE tasks.status END`,
  );
  db.transaction(() => {
    for (const t of tasks) st.run(job, t.kind, t.key, JSON.stringify(t.payload), now);
  })();
  return tasks.length;
}

interface RawTask {
  id: number;
  job: string;
  kind: TaskKind;
  key: string;
  payload: string;
  attempts: number | string;
}

function claimed(r: RawTask): ClaimedTask {
  return { id: Number(r.id), job: r.job, kind: r.kind, key: r.key, payload: JSON.parse(r.payload), attempts: Number(r.attempts) };
}

/** A write transaction that takes the write lock at once on SQLite (no lock upgrade to fail later). */
function writeTransaction<T>(db: Db, fn: () => T): T {
  const tx = db.transaction(fn);
  return engineOf(db) === 'sqlite' ? tx.immediate() : tx();
}

/**
 * Running tasks whose lease expired after `maxAttempts` claims become failed, with the reason
 * (the last holder, how many claims); returns how many.
 */
export function reapExpired(db: Db, now: number, maxAttempts: number): number {
  return db
    .prepare(
      `UPDATE tasks SET status = 'failed', finished_ms = ?,
         error = 'lease of ' || COALESCE(lease_owner, 'an unknown worker') || ' expired; no attempts left after ' || CAST(attempts AS TEXT),
         lease_owner = NULL, lease_until = NULL
       WHERE status = 'running' AND lease_until <= ? AND attempts >= ?`,
    )
    .run(now, now, maxAttempts).changes;
}

/**
 * Claim up to `limit` claimable tasks (of `job` only, when given), lowest id first: each becomes
 * running, held by `owner` until now + leaseMs, one attempt more. Expired leases past the attempt
 * limit are reaped first. Two claimers never get the same task: on PostgreSQL the rows are locked
 * with FOR UPDATE SKIP LOCKED (a concurrent claimer skips them); on SQLite the transaction holds
 * the database's write lock from its start.
 */
export function claimTasks(
  db: Db,
  a: { owner: string; now: number; leaseMs: number; limit: number; maxAttempts: number; job?: string },
): ClaimedTask[] {
  if (a.limit <= 0) return [];
  const pg = engineOf(db) === 'postgres';
  const sql =
    `UPDATE tasks SET status = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1, claimed_ms = ?,
       error = CASE WHEN status = 'running' THEN 'lease of ' || COALESCE(lease_owner, 'an unknown worker') || ' expired' ELSE error END
     WHERE id IN (
       SELECT id FROM tasks
       WHERE (status = 'pending' OR (status = 'running' AND lease_until <= ? AND attempts < ?))` +
    (a.job !== undefined ? ' AND job = ?' : '') +
    ` ORDER BY id LIMIT ?` +
    (pg ? ' FOR UPDATE SKIP LOCKED' : '') +
    `)
     RETURNING id, job, kind, key, payload, attempts`;
  const params: unknown[] = [a.owner, a.now + a.leaseMs, a.now, a.now, a.maxAttempts];
  if (a.job !== undefined) params.push(a.job);
  params.push(a.limit);
  return writeTransaction(db, () => {
    reapExpired(db, a.now, a.maxAttempts);
    const rows = db.prepare(sql).all(...params) as RawTask[];
    return rows.map(claimed).sort((x, y) => x.id - y.id);
  });
}

/** Extend every lease `owner` still holds to now + leaseMs; returns how many. */
export function heartbeat(db: Db, owner: string, now: number, leaseMs: number): number {
  return db.prepare(`UPDATE tasks SET lease_until = ? WHERE status = 'running' AND lease_owner = ?`).run(now + leaseMs, owner).changes;
}

/**
 * Mark a task done. Call inside the transaction that stores its results; false when `owner` no
 * longer holds it (its lease expired and another worker claimed it): the caller then rolls back.
 */
export function completeTask(db: Db, id: number, owner: string, now: number): boolean {
  return (
    db
      .prepare(
        `UPDATE tasks SET status = 'done', lease_owner = NULL, lease_until = NULL, error = NULL, finished_ms = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
      )
      .run(now, id, owner).changes === 1
  );
}

/** Mark a task failed with its one-line reason (as completeTask: the holder only; false otherwise). */
export function failTask(db: Db, id: number, owner: string, error: string, now: number): boolean {
  return (
    db
      .prepare(
        `UPDATE tasks SET status = 'failed', lease_owner = NULL, lease_until = NULL, error = ?, finished_ms = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
      )
      .run(error, now, id, owner).changes === 1
  );
}

/**
 * Give back the leases `owner` holds (all, or the listed tasks): pending again, the claim not
 * counted as an attempt. For a worker that stops (SIGINT, SIGTERM) before finishing them.
 */
export function releaseTasks(db: Db, owner: string, ids?: readonly number[]): number {
  const st = db.prepare(
    `UPDATE tasks SET status = 'pending', lease_owner = NULL, lease_until = NULL,
       attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
     WHERE status = 'running' AND lease_owner = ?` + (ids ? ' AND id = ?' : ''),
  );
  if (!ids) return st.run(owner).changes;
  let n = 0;
  db.transaction(() => {
    for (const id of ids) n += st.run(owner, id).changes;
  })();
  return n;
}

export type StatusCounts = Record<TaskStatus, number>;

function emptyCounts(): StatusCounts {
  return { pending: 0, running: 0, done: 0, failed: 0 };
}

/** Tasks per status (of one job, or of all), and per kind. */
export function taskCounts(db: Db, job?: string): { total: StatusCounts; byKind: Partial<Record<TaskKind, StatusCounts>> } {
  const rows = db
    .prepare(`SELECT kind, status, COUNT(*) AS n FROM tasks${job !== undefined ? ' WHERE job = ?' : ''} GROUP BY kind, status`)
    .all(...(job !== undefined ? [job] : [])) as { kind: TaskKind; status: TaskStatus; n: number | string }[];
  const total = emptyCounts();
  const byKind: Partial<Record<TaskKind, StatusCounts>> = {};
  for (const r of rows) {
    const n = Number(r.n);
    total[r.status] += n;
    (byKind[r.kind] ??= emptyCounts())[r.status] += n;
  }
  return { total, byKind };
}

/** How many tasks (of one job, or of all) are pending or running: work not finished yet. */
export function outstandingTasks(db: Db, job?: string): number {
  const r = db
    .prepare(`SELECT COUNT(*) AS n FROM tasks WHERE status IN ('pending', 'running')${job !== undefined ? ' AND job = ?' : ''}`)
    .get(...(job !== undefined ? [job] : [])) as { n: number | string };
  return Number(r.n);
}

type RawRow = RawTask & { status: TaskStatus; lease_owner: string | null; lease_until: number | null; error: string | null };

const ROW_COLUMNS = 'id, job, kind, key, payload, attempts, status, lease_owner, lease_until, error';

function taskRow(r: RawRow): TaskRow {
  return {
    ...claimed(r),
    status: r.status,
    leaseOwner: r.lease_owner,
    leaseUntil: r.lease_until === null ? null : Number(r.lease_until),
    error: r.error,
  };
}

/** The tasks of a job (optionally of one status), by id. */
export function jobTasks(db: Db, job: string, status?: TaskStatus): TaskRow[] {
  const rows = db
    .prepare(`SELECT ${ROW_COLUMNS} FROM tasks WHERE job = ?${status ? ' AND status = ?' : ''} ORDER BY id`)
    .all(...(status ? [job, status] : [job])) as RawRow[];
  return rows.map(taskRow);
}

/** One task by key (undefined when none). */
export function taskByKey(db: Db, key: string): TaskRow | undefined {
  const r = db.prepare(`SELECT ${ROW_COLUMNS} FROM tasks WHERE key = ?`).get(key) as RawRow | undefined;
  return r && taskRow(r);
}
