/** What `yasr status` reports: counts per stage, what is pending, failures with their reasons. */
import type { Db } from '../store/db.js';
import { stageCounts, stageFailures } from '../store/checkpoints.js';
import { failedSources } from '../store/tracks.js';
import { countTracks, similaritySets } from '../store/summary.js';
import { pendingFeatureTracks } from './features-stage.js';
import { DEFAULT_FEATURE_OPTIONS } from './feature-options.js';
import { taskCounts } from '../store/tasks.js';
import { hashOf } from './similarity/methods.js';

export function pipelineStatus(db: Db) {
  return {
    tracks: countTracks(db),
    stages: stageCounts(db),
    pendingFeaturesWithDefaults: pendingFeatureTracks(db, DEFAULT_FEATURE_OPTIONS, false).pending.length,
    failures: stageFailures(db),
    ingestFailures: failedSources(db),
    // outdated: stored by an earlier revision of its method (never read; `yasr similarity` makes the current set)
    similarity: similaritySets(db).map(({ paramsHash, ...s }) => ({ ...s, outdated: paramsHash !== hashOf(s.params) })),
    /** The task queue (yasr worker): tasks per status, of every job. */
    queue: taskCounts(db).total,
  };
}

export type PipelineStatus = ReturnType<typeof pipelineStatus>;
