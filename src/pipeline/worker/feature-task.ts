import { errorLine } from '../../errors.js';
import { getCheckpoint, markStage } from '../../store/checkpoints.js';
import { failTask, type ClaimedTask, type NewTask } from '../../store/tasks.js';
import { describeTrack, getTrack, type Track } from '../../store/tracks.js';
import type { TrackAnalysis } from '../analyze-track.js';
import { featureParamsHash, type FeatureOptions } from '../feature-options.js';
import { FEATURES_STAGE, storeAnalysis } from '../features-stage.js';
import { completeInTransaction, LeaseLost, type TaskContext, type TaskOutcome } from './task-context.js';

/** A features task: analyse one track's audio with these options (its content and parameters named in the key). */
export interface FeatureTaskPayload {
  trackId: number;
  sha256: string;
  options: FeatureOptions;
}

/** The features task of each track: key features:<track>:<parameter hash>:<content hash>. */
export function featureTasks(tracks: readonly Track[], options: FeatureOptions): NewTask[] {
  const hash = featureParamsHash(options);
  return tracks.map((t) => ({
    kind: 'features',
    key: `features:${t.id}:${hash}:${t.sha256}`,
    payload: { trackId: t.id, sha256: t.sha256!, options } satisfies FeatureTaskPayload,
  }));
}

/**
 * Run a features task as runFeatures runs a track: the same analysis (ctx.analyze: the features
 * worker on a WorkerPool), stored by storeAnalysis with the task's completion in its transaction;
 * an analysis failure is the track's failed checkpoint and the task's failure, in one
 * transaction. The track is read as it is now (its audio must be readable at its stored
 * local_path on this machine); one already analysed with these parameters, or gone, is skipped.
 */
export async function runFeatureTask(ctx: TaskContext, task: ClaimedTask): Promise<TaskOutcome> {
  const p = task.payload as FeatureTaskPayload;
  const { db } = ctx;
  const hash = featureParamsHash(p.options);
  const t = getTrack(db, p.trackId);
  const what = t ? `track ${describeTrack(t)}` : `track ${p.trackId}`;
  const skip = (reason: string): TaskOutcome => {
    db.transaction(() => completeInTransaction(ctx, task))();
    return { outcome: 'skipped', what: `${what} (${reason})` };
  };
  if (!t) return skip('no longer in the catalogue');
  if (!t.localPath || !t.sha256) return skip('no local audio');
  const c = getCheckpoint(db, t.id, FEATURES_STAGE);
  if (c && c.status === 'done' && c.paramsHash === hash && c.inputSha === t.sha256) return skip('already analysed');
  const ffmpeg = ctx.ffmpeg();
  const s = performance.now();
  let r: TrackAnalysis;
  try {
    r = await ctx.analyze({ ffmpeg, file: t.localPath, duration: t.duration, options: p.options });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const error = errorLine(err);
    const ms = performance.now() - s;
    db.transaction(() => {
      markStage(db, { trackId: t.id, stage: FEATURES_STAGE, paramsHash: hash, inputSha: t.sha256, status: 'failed', error, ms });
      if (!failTask(db, task.id, ctx.owner, error, ctx.now())) throw new LeaseLost(task);
    })();
    return { outcome: 'failed', what, error };
  }
  storeAnalysis(db, t, r, hash, performance.now() - s, () => completeInTransaction(ctx, task));
  return { outcome: 'done', what };
}
