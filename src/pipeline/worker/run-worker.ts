import { errorLine, isStoreError, storeError, YasrError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { claimTasks, failTask, heartbeat, outstandingTasks, releaseTasks, type ClaimedTask, type TaskKind } from '../../store/tasks.js';
import type { TrackAnalysis } from '../analyze-track.js';
import type { FeatureTask } from '../features-stage.js';
import { WorkerPool } from '../worker-pool.js';
import { workerFile } from '../../util/worker-url.js';
import { DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS } from './job.js';
import { LeaseLost, type TaskContext, type TaskOutcome } from './task-context.js';

/** One task this worker finished (or lost), for progress lines. */
export interface WorkerTaskEvent {
  kind: TaskKind;
  key: string;
  /** lost: the lease was taken over by another worker before the results were stored (nothing stored). */
  outcome: TaskOutcome['outcome'] | 'lost';
  what: string;
  error?: string;
  attempt: number;
  seconds: number;
}

/** What a worker reports while it runs. */
export interface WorkerProgress {
  /** A task claimed (started) by this worker. */
  claimed?(task: ClaimedTask): void;
  /** A task this worker finished. */
  task?(e: WorkerTaskEvent): void;
  /** Called on every pass of the loop (after claims, and while waiting): a place to poll a job's progress. */
  poll?(): void;
}

export interface WorkerOptions {
  /** The worker's name in its leases (job.ts workerOwner()). */
  owner: string;
  /** Tasks run at once (features: threads of the analysis WorkerPool; blocks: one thread each). */
  concurrency: number;
  /** Lease length; heartbeats renew it every third of it while a task runs. */
  leaseMs?: number;
  /** Return once no task (of `job`, when given) is pending or running; else wait for more until stopped. */
  exitWhenIdle: boolean;
  /** Claim only this job's tasks. */
  job?: string;
  /** Stop: claim no more, give back the leases held (pending again) and return. */
  signal?: AbortSignal;
  progress?: WorkerProgress;
  /** The ffmpeg features tasks decode with (asked for when the first one runs). */
  ffmpeg?: () => string;
  /** Claims of one task before an expired lease makes it failed (default 3). */
  maxAttempts?: number;
  /** How often an idle worker looks for tasks (default a quarter of the lease, 100 ms to 2 s). */
  pollMs?: number;
  /** The clock (epoch ms) written into and compared with leases. */
  now?: () => number;
  /** Compute on worker threads (default true); false: in this thread (tests; heartbeats then wait). */
  threads?: boolean;
}

export interface KindCounts {
  done: number;
  skipped: number;
  failed: number;
}

export interface WorkerSummary {
  owner: string;
  /** Per kind: tasks done (skipped ones are done too: nothing was left to do), failed. */
  tasks: Partial<Record<TaskKind, KindCounts>>;
  done: number;
  failed: number;
  /** Leases taken over by another worker before this one stored the results (nothing stored). */
  lost: number;
  /** Leases given back when the worker was stopped. */
  released: number;
  interrupted: boolean;
  seconds: number;
}

type Runner = (ctx: TaskContext, task: ClaimedTask) => Promise<TaskOutcome>;

async function runnerOf(kind: TaskKind): Promise<Runner> {
  switch (kind) {
    case 'features':
      return (await import('./feature-task.js')).runFeatureTask;
    case 'sim-block':
      return (await import('./block-task.js')).runBlockTask;
    default:
      throw new YasrError('INTERNAL', `unknown task kind ${JSON.stringify(kind)}`);
  }
}

/** The features stage's analysis in this thread (as runFeatures without workers). */
async function analyzeInline(task: FeatureTask): Promise<TrackAnalysis> {
  const [{ analyzeTrack }, { describeSignal }] = await Promise.all([import('../analyze-track.js'), import('../describe.js')]);
  return analyzeTrack(task.ffmpeg, task.file, task.duration, task.options, describeSignal);
}

/** A problem of the worker or its database rather than of one task: the worker stops. */
function isFatal(err: unknown): boolean {
  return isStoreError(err) || (err instanceof YasrError && (err.code === 'STORE' || err.code === 'NO_FFMPEG'));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The worker loop: claim tasks (of one job, or any) under a lease, run up to `concurrency` at
 * once, renew the leases while they run, store each task's results with its completion in one
 * transaction, and record a failure with its one-line reason. A task whose lease was taken over
 * (this worker stalled past its lease) stores nothing. Stops when the signal aborts (leases given
 * back), when idle with exitWhenIdle, or on a database problem (leases given back, error thrown).
 * A worker killed outright keeps its leases until they expire; then another worker claims its
 * tasks (up to maxAttempts claims each).
 */
export async function runWorker(db: Db, o: WorkerOptions): Promise<WorkerSummary> {
  const t0 = performance.now();
  const now = o.now ?? Date.now;
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const pollMs = o.pollMs ?? Math.min(2000, Math.max(100, Math.round(leaseMs / 4)));
  const threads = o.threads ?? true;
  const concurrency = Math.max(1, o.concurrency);
  const stop = new AbortController();
  const onAbort = () => stop.abort(o.signal?.reason);
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = stop.signal;

  const summary: WorkerSummary = { owner: o.owner, tasks: {}, done: 0, failed: 0, lost: 0, released: 0, interrupted: false, seconds: 0 };
  let pool: WorkerPool<FeatureTask, TrackAnalysis> | null = null;
  let ffmpeg: string | undefined;
  const ctx: TaskContext = {
    db,
    owner: o.owner,
    now,
    signal,
    threads,
    ffmpeg: () => {
      if (ffmpeg === undefined) {
        if (!o.ffmpeg) throw new YasrError('NO_FFMPEG', 'this worker was given no ffmpeg for features tasks');
        ffmpeg = o.ffmpeg();
      }
      return ffmpeg;
    },
    analyze: (t) => {
      if (!threads) return analyzeInline(t);
      // two tracks per analysis thread, as runFeatures has: ffmpeg decodes one while the thread analyses the other
      pool ??= new WorkerPool<FeatureTask, TrackAnalysis>(workerFile(import.meta.url, '../features-worker'), concurrency, undefined, 2);
      return pool.run(t);
    },
  };

  // the running tasks, each with its share of `concurrency`: a features task half (two per analysis thread), a block one
  const inflight = new Map<number, { done: Promise<void>; weight: number }>();
  const load = (): number => {
    let l = 0;
    for (const t of inflight.values()) l += t.weight;
    return l;
  };
  const running = (): Promise<void>[] => [...inflight.values()].map((t) => t.done);
  let fatal: unknown;
  const record = (task: ClaimedTask, outcome: WorkerTaskEvent['outcome'], what: string, s: number, error?: string) => {
    const k = (summary.tasks[task.kind] ??= { done: 0, skipped: 0, failed: 0 });
    if (outcome === 'failed') {
      k.failed++;
      summary.failed++;
    } else if (outcome === 'lost') summary.lost++;
    else {
      k.done++;
      summary.done++;
      if (outcome === 'skipped') k.skipped++;
    }
    o.progress?.task?.({ kind: task.kind, key: task.key, outcome, what, error, attempt: task.attempts, seconds: (performance.now() - s) / 1000 });
  };
  const start = (task: ClaimedTask) => {
    const s = performance.now();
    o.progress?.claimed?.(task);
    const p = (async () => {
      try {
        const r = await (await runnerOf(task.kind))(ctx, task);
        record(task, r.outcome, r.what, s, r.error);
      } catch (err) {
        if (signal.aborted) return; // its lease is given back below
        if (err instanceof LeaseLost) return record(task, 'lost', task.key, s);
        if (isFatal(err)) {
          fatal ??= err;
          stop.abort(err);
          return;
        }
        const error = errorLine(err);
        try {
          if (failTask(db, task.id, o.owner, error, now())) record(task, 'failed', task.key, s, error);
          else record(task, 'lost', task.key, s);
        } catch (recordErr) {
          fatal ??= recordErr;
          stop.abort(recordErr);
        }
      }
    })().finally(() => inflight.delete(task.id));
    inflight.set(task.id, { done: p, weight: task.kind === 'features' && threads ? 0.5 : 1 });
  };

  // heartbeats: every third of the lease while tasks run (a missed one is tried again at the next)
  const keeper = setInterval(() => {
    if (inflight.size === 0 || signal.aborted) return;
    try {
      heartbeat(db, o.owner, now(), leaseMs);
    } catch {
      // busy or gone: the next beat tries again; a lease that expires is claimed by another worker
    }
  }, Math.max(20, Math.floor(leaseMs / 3)));
  const aborted = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));

  try {
    while (!signal.aborted) {
      // one claim at a time while there is room (its kind decides how much room it takes)
      const room = load() < concurrency ? 1 : 0;
      let got: ClaimedTask[] = [];
      if (room > 0) {
        try {
          got = claimTasks(db, { owner: o.owner, now: now(), leaseMs, limit: room, maxAttempts, job: o.job });
        } catch (err) {
          fatal ??= err;
          break;
        }
      }
      for (const t of got) start(t);
      o.progress?.poll?.();
      if (got.length > 0 && load() < concurrency) continue;
      if (inflight.size === 0) {
        if (o.exitWhenIdle && outstandingTasks(db, o.job) === 0) break;
        await sleep(pollMs, signal);
      } else if (load() >= concurrency) {
        await Promise.race([...running(), aborted]);
      } else {
        // room, but nothing claimable now: wait for a task to end or for new work to appear
        await Promise.race([...running(), sleep(pollMs, signal)]);
      }
    }
  } finally {
    clearInterval(keeper);
    o.signal?.removeEventListener('abort', onAbort);
    if (signal.aborted || fatal) {
      summary.interrupted = !fatal;
      try {
        summary.released = releaseTasks(db, o.owner);
      } catch {
        // the leases expire on their own
      }
    }
    const closing = (pool as WorkerPool<FeatureTask, TrackAnalysis> | null)?.close();
    // a stopped worker does not wait for its tasks (their leases are given back); done: none is left
    if (!signal.aborted && !fatal) await Promise.all(running());
    await closing;
  }
  if (fatal) throw isStoreError(fatal) ? storeError(fatal) : fatal;
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}
