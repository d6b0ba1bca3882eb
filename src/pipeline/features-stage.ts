import type { Db } from '../store/db.js';
import { getCheckpoint, markStage } from '../store/checkpoints.js';
import { allTracks, describeTrack, type Track } from '../store/tracks.js';
import { deleteFeatures, putFeature } from '../store/features.js';
import { errorLine, isStoreError, storeError } from '../errors.js';
import { FEATURES_VERSION, featureParamsHash, type FeatureOptions } from './feature-options.js';
import type { TrackAnalysis } from './analyze-track.js';
import { WorkerPool } from './worker-pool.js';
import { workerFile } from '../util/worker-url.js';
import type { ProgressSink } from './progress-events.js';
import { FEATURES_STAGE } from './stages.js';
import { queueWanted } from './worker/job.js';

export { FEATURES_STAGE };

export interface FeatureTask {
  ffmpeg: string;
  file: string;
  duration: number | null;
  options: FeatureOptions;
}

export interface FeaturesSummary {
  analysed: number;
  failed: number;
  skipped: number;
  failures: { trackId: number; path: string | null; error: string }[];
  seconds: number;
}

/** Tracks whose features are missing, stale (other parameters or content) or (optionally) failed. */
export function pendingFeatureTracks(db: Db, o: FeatureOptions, retryFailed: boolean): { pending: Track[]; skipped: number } {
  const hash = featureParamsHash(o);
  const pending: Track[] = [];
  let skipped = 0;
  for (const t of allTracks(db)) {
    if (!t.localPath || !t.sha256) {
      skipped++;
      continue;
    }
    const c = getCheckpoint(db, t.id, FEATURES_STAGE);
    const current = c && c.paramsHash === hash && c.inputSha === t.sha256;
    if (current && (c.status === 'done' || !retryFailed)) skipped++;
    else pending.push(t);
  }
  return { pending, skipped };
}

export interface FeaturesRun {
  ffmpeg: string;
  options: FeatureOptions;
  workers: number;
  retryFailed?: boolean;
  limit?: number;
  progress?: ProgressSink;
  /**
   * Share the work through the task queue (`yasr worker` processes take part): always on
   * PostgreSQL, on SQLite when true (./worker/queued-features.ts).
   */
  queue?: boolean;
  /** Queued runs: stop taking part (the tasks not finished stay queued). */
  signal?: AbortSignal;
}

/**
 * Analyse every pending track. Each track commits on its own (features and checkpoint in one
 * transaction); a failure is recorded with its one-line reason and the batch goes on.
 */
export async function runFeatures(db: Db, a: FeaturesRun): Promise<FeaturesSummary> {
  if (queueWanted(db, a.queue)) return (await import('./worker/queued-features.js')).runFeaturesQueued(db, a);
  const t0 = performance.now();
  const hash = featureParamsHash(a.options);
  const { pending: all, skipped } = pendingFeatureTracks(db, a.options, a.retryFailed ?? false);
  const pending = a.limit !== undefined ? all.slice(0, a.limit) : all;
  const summary: FeaturesSummary = { analysed: 0, failed: 0, skipped, failures: [], seconds: 0 };
  a.progress?.start(pending.length, 'features');
  const pool =
    a.workers > 0 && pending.length > 1
      ? new WorkerPool<FeatureTask, TrackAnalysis>(workerFile(import.meta.url, 'features-worker'), Math.min(a.workers, pending.length), undefined, 2)
      : null;
  const commit = (t: Track, r: TrackAnalysis, ms: number) => storeAnalysis(db, t, r, hash, ms);
  const fail = (t: Track, err: unknown, ms: number) => {
    const error = errorLine(err);
    markStage(db, { trackId: t.id, stage: FEATURES_STAGE, paramsHash: hash, inputSha: t.sha256, status: 'failed', error, ms });
    summary.failed++;
    summary.failures.push({ trackId: t.id, path: t.localPath, error });
  };
  let fatal: unknown;
  try {
    const one = async (t: Track) => {
      const s = performance.now();
      try {
        const task: FeatureTask = { ffmpeg: a.ffmpeg, file: t.localPath!, duration: t.duration, options: a.options };
        const r = pool ? await pool.run(task) : await analyzeInline(task);
        commit(t, r, performance.now() - s);
        summary.analysed++;
        a.progress?.tick(describeTrack(t), true);
      } catch (err) {
        // a database error (full disk, read-only file) is not this track's fault: stop the run
        if (isStoreError(err)) {
          fatal ??= err;
          return;
        }
        try {
          fail(t, err, performance.now() - s);
        } catch (recordErr) {
          fatal ??= recordErr;
          return;
        }
        a.progress?.tick(`${describeTrack(t)}: ${errorLine(err)}`, false);
      }
    };
    if (pool) {
      // Keep a bounded number in flight so results commit as they come.
      const inflight = new Set<Promise<void>>();
      for (const t of pending) {
        if (fatal) break;
        const p = one(t).finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= a.workers * 3) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    } else {
      for (const t of pending) {
        if (fatal) break;
        await one(t);
      }
    }
    if (fatal) throw storeError(fatal);
  } finally {
    await pool?.close();
    a.progress?.stop();
  }
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}

/** Analysis in this thread (loaded on demand: the DSP modules are heavy to import). */
async function analyzeInline(task: FeatureTask): Promise<TrackAnalysis> {
  const [{ analyzeTrack }, { describeSignal }] = await Promise.all([import('./analyze-track.js'), import('./describe.js')]);
  return analyzeTrack(task.ffmpeg, task.file, task.duration, task.options, describeSignal);
}

/**
 * Store one track's analysis and mark its features stage done, in one transaction, with
 * `inTransaction` (a queued task's completion) in it too.
 */
export function storeAnalysis(db: Db, t: Track, r: TrackAnalysis, hash: string, ms: number, inTransaction?: () => void): void {
  db.transaction(() => {
    for (const [name, m] of Object.entries(r.features)) {
      const meta = name === 'mfcc' ? { ...r.meta, descriptors: undefined } : name === 'descriptors' ? r.meta.descriptors : undefined;
      putFeature(db, t.id, name, m, FEATURES_VERSION, hash, meta);
    }
    deleteFeatures(db, t.id, Object.keys(r.features));
    markStage(db, { trackId: t.id, stage: FEATURES_STAGE, paramsHash: hash, inputSha: t.sha256, status: 'done', ms });
    inTransaction?.();
  })();
}
