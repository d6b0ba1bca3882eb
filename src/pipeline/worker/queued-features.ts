import { YasrError } from '../../errors.js';
import type { Db } from '../../store/db.js';
import { enqueueTasks, jobTasks } from '../../store/tasks.js';
import { describeTrack, getTrack } from '../../store/tracks.js';
import { pendingFeatureTracks, type FeaturesRun, type FeaturesSummary } from '../features-stage.js';
import { featureTasks, type FeatureTaskPayload } from './feature-task.js';
import { newJobId } from './job.js';
import { takePart } from './take-part.js';

/**
 * runFeatures through the task queue: the pending tracks (as runFeatures finds them) become one
 * job's features tasks; this run then analyses them as one more worker (its --workers threads)
 * beside any `yasr worker` on the database until each is done or failed, and reports as
 * runFeatures does (analysed = tasks done, failures with their reasons).
 */
export async function runFeaturesQueued(db: Db, a: FeaturesRun): Promise<FeaturesSummary> {
  const t0 = performance.now();
  const { pending: all, skipped } = pendingFeatureTracks(db, a.options, a.retryFailed ?? false);
  const pending = a.limit !== undefined ? all.slice(0, a.limit) : all;
  const summary: FeaturesSummary = { analysed: 0, failed: 0, skipped, failures: [], seconds: 0 };
  if (pending.length > 0) {
    const job = newJobId('features');
    enqueueTasks(db, job, featureTasks(pending, a.options), Date.now());
    const trackOf = (payload: unknown) => getTrack(db, (payload as FeatureTaskPayload).trackId);
    const r = await takePart(db, job, {
      label: 'features',
      describe: (t) => {
        const track = trackOf(t.payload);
        return track ? describeTrack(track) : t.key;
      },
      concurrency: Math.max(1, a.workers),
      threads: a.workers > 0,
      ffmpeg: () => a.ffmpeg,
      signal: a.signal,
      progress: a.progress,
    });
    if (r.worker.interrupted) {
      throw new YasrError('INTERNAL', `interrupted: ${r.counts.pending + r.counts.running} features task(s) of job ${job} stay queued for yasr worker`);
    }
    summary.analysed = r.counts.done;
    for (const t of jobTasks(db, job, 'failed')) {
      const trackId = (t.payload as FeatureTaskPayload).trackId;
      summary.failures.push({ trackId, path: trackOf(t.payload)?.localPath ?? null, error: t.error ?? 'failed' });
    }
    summary.failed = summary.failures.length;
  }
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}
