import type { Db } from '../../store/db.js';
import { completeTask, type ClaimedTask } from '../../store/tasks.js';
import type { TrackAnalysis } from '../analyze-track.js';
import type { FeatureTask } from '../features-stage.js';

/** What a task's runner gets from the worker running it. */
export interface TaskContext {
  db: Db;
  /** The worker's name in its leases. */
  owner: string;
  now: () => number;
  signal: AbortSignal;
  /** Compute off the main thread (worker threads), so that the worker's heartbeats keep running. */
  threads: boolean;
  /** The ffmpeg this worker decodes with (resolved when first needed). */
  ffmpeg: () => string;
  /** The features stage's analysis of one file (on the worker's WorkerPool, or inline). */
  analyze: (t: FeatureTask) => Promise<TrackAnalysis>;
}

/** How a task ended: done (its results stored), skipped (done: nothing was left to do), failed (its reason stored). */
export interface TaskOutcome {
  outcome: 'done' | 'skipped' | 'failed';
  /** The task in words, for progress lines ("track 3 (Artist - Title)", "dtw block 0:32 of set 2"). */
  what: string;
  error?: string;
}

/** The worker no longer holds the task's lease (it expired and another worker claimed it): nothing was stored. */
export class LeaseLost extends Error {
  constructor(readonly task: ClaimedTask) {
    super(`lease of task ${task.key} lost: another worker claimed it`);
    this.name = 'LeaseLost';
  }
}

/** Mark the task done inside the transaction storing its results, or throw LeaseLost (which rolls it back). */
export function completeInTransaction(ctx: TaskContext, task: ClaimedTask): void {
  if (!completeTask(ctx.db, task.id, ctx.owner, ctx.now())) throw new LeaseLost(task);
}
