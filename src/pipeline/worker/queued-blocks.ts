import { YasrError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { pendingBlocks } from '../../store/similarity.js';
import { enqueueTasks, jobTasks } from '../../store/tasks.js';
import type { ProgressSink } from '../progress-events.js';
import { blockTasks, plannedPairs, type BlockTaskPayload } from './block-task.js';
import { newJobId } from './job.js';
import { takePart } from './take-part.js';

/**
 * computePendingBlocks through the task queue: the set's pending blocks (planned, not stored)
 * become one job's sim-block tasks; this run computes them as one more worker (--workers tasks at
 * once, a thread each) beside any `yasr worker` on the database, until each is done or failed.
 * Returns what computePendingBlocks returns (blocks and pairs of the job); a failed block is an
 * error naming how many failed and the first reason (a new run tries them again).
 */
export async function computeBlocksQueued(
  db: Db,
  setId: number,
  a: { workers: number; progress?: ProgressSink; signal?: AbortSignal },
): Promise<{ computed: number; pairs: number }> {
  const pending = pendingBlocks(db, setId);
  if (pending.length === 0) return { computed: 0, pairs: 0 };
  const job = newJobId(`similarity-set${setId}`);
  enqueueTasks(db, job, blockTasks(setId, pending), Date.now());
  const r = await takePart(db, job, {
    label: 'similarity',
    describe: (t) => `block ${(t.payload as BlockTaskPayload).i0}:${(t.payload as BlockTaskPayload).j0}`,
    concurrency: Math.max(1, a.workers),
    threads: a.workers > 0,
    signal: a.signal,
    progress: a.progress,
  });
  if (r.worker.interrupted) {
    throw new YasrError('INTERNAL', `interrupted: ${r.counts.pending + r.counts.running} block task(s) of job ${job} stay queued for yasr worker`);
  }
  if (r.counts.failed > 0) {
    const first = jobTasks(db, job, 'failed')[0];
    throw new YasrError(
      'INTERNAL',
      `${r.counts.failed} of ${pending.length} similarity blocks failed (first: ${first?.key}: ${first?.error}); the others are stored, run again to retry`,
    );
  }
  let pairs = 0;
  for (const t of jobTasks(db, job, 'done')) pairs += plannedPairs(t.payload as BlockTaskPayload);
  return { computed: r.counts.done, pairs };
}
