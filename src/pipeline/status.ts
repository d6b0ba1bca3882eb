/** What `yasr status` reports: counts per stage, what is pending, failures with their reasons. */
import type { Db } from '../store/db.js';
import { stageCounts, stageFailures } from '../store/checkpoints.js';
import { failedSources } from '../store/tracks.js';
import { countTracks, similaritySets } from '../store/summary.js';
import { pendingFeatureTracks } from './features-stage.js';
import { DEFAULT_FEATURE_OPTIONS } from './feature-options.js';
import { taskCounts } from '../store/tasks.js';
import { normalizeParams, type SimilarityParams } from './similarity/methods.js';
import { stableJson } from '../util/hash.js';

export function pipelineStatus(db: Db) {
  return {
    tracks: countTracks(db),
    stages: stageCounts(db),
    pendingFeaturesWithDefaults: pendingFeatureTracks(db, DEFAULT_FEATURE_OPTIONS, false).pending.length,
    failures: stageFailures(db),
    ingestFailures: failedSources(db),
    similarity: similaritySets(db).map((s) => ({ ...s, outdated: outdated(s.params) })),
    /** The task queue (yasr worker): tasks per status, of every job. */
    queue: taskCounts(db).total,
  };
}

/**
 * A result set nothing reads any more: its parameters are not what they normalise to today (an
 * earlier revision of its method, or a method or parameter since removed); `yasr similarity`
 * makes the current set.
 */
function outdated(params: Record<string, unknown>): boolean {
  try {
    return stableJson(normalizeParams(params as unknown as SimilarityParams)) !== stableJson(params);
  } catch {
    return true;
  }
}

export type PipelineStatus = ReturnType<typeof pipelineStatus>;
