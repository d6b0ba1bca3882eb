import type { Db } from '../../store/db.js';
import { jobTasks, taskCounts, type StatusCounts, type TaskRow } from '../../store/tasks.js';
import type { ProgressSink } from '../progress-events.js';
import { DEFAULT_LEASE_MS, workerOwner } from './job.js';
import { runWorker, type WorkerSummary } from './run-worker.js';

export interface JobOutcome {
  /** The job's tasks per status once this process stopped taking part (all done or failed unless interrupted). */
  counts: StatusCounts;
  /** This process's own share as a worker. */
  worker: WorkerSummary;
}

/**
 * The enqueuing run takes part in its own job as one more worker (claiming only the job's tasks)
 * until every task of the job is done or failed, whoever ran it; `progress` follows the whole
 * job (the tasks other workers finish too, failures with their reasons).
 */
export async function takePart(
  db: Db,
  job: string,
  a: {
    label: string;
    /** A task in words for progress lines (default its key). */
    describe?: (t: TaskRow) => string;
    concurrency: number;
    threads?: boolean;
    ffmpeg?: () => string;
    leaseMs?: number;
    signal?: AbortSignal;
    progress?: ProgressSink;
  },
): Promise<JobOutcome> {
  const start = taskCounts(db, job).total;
  const total = start.pending + start.running + start.done + start.failed;
  let done = start.done;
  let failed = start.failed;
  const reported = new Set<number>();
  a.progress?.start(total, a.label);
  const poll = () => {
    if (!a.progress) return;
    const c = taskCounts(db, job).total;
    for (; done < c.done; done++) a.progress.tick(a.label, true);
    if (c.failed > failed) {
      for (const t of jobTasks(db, job, 'failed')) {
        if (reported.has(t.id)) continue;
        reported.add(t.id);
        a.progress.tick(`${a.describe?.(t) ?? t.key}: ${t.error ?? 'failed'}`, false);
      }
      failed = c.failed;
    }
  };
  try {
    const worker = await runWorker(db, {
      owner: workerOwner(),
      concurrency: a.concurrency,
      leaseMs: a.leaseMs ?? DEFAULT_LEASE_MS,
      exitWhenIdle: true,
      job,
      signal: a.signal,
      threads: a.threads,
      ffmpeg: a.ffmpeg,
      progress: { poll },
    });
    poll();
    return { counts: taskCounts(db, job).total, worker };
  } finally {
    a.progress?.stop();
  }
}
