/**
 * yasr as a library: the typed API the CLI and the web server both call. Every function takes
 * an open database (openDb) and plain options; long work reports progress through a
 * ProgressSink and honours an AbortSignal where it can run long.
 */
export { openDb, resolveDbPath, type Db } from './store/db.js';
export { YasrError, badParameter, type YasrErrorCode } from './errors.js';
export { findFfmpeg, type FfmpegTools } from './audio/ffmpeg.js';
export type { ProgressSink } from './pipeline/progress-events.js';

// catalogue: sources, tracks, favourites
export { ingest, type IngestOptions, type IngestSummary } from './pipeline/ingest.js';
export { listCatalogue, parseSpec, isCatalogueSpec, ADAPTERS, type CatalogueRunOptions } from './sources/registry.js';
export type { CatalogueAdapter, CatalogueTrack, ListPage, SourceSpec } from './sources/types.js';
export { audiencePopularity } from './sources/popularity.js';
export { parseSince } from './sources/since.js';
export { resolveTrack, allTracks, trackDetails, type Track, type TrackDetails } from './store/tracks.js';
export { trackView, catalogueStatus, type TrackView } from './pipeline/track-view.js';
export { like, unlike, likes, type LikeResult } from './pipeline/taste.js';

// analysis and similarity
export { runFeatures, type FeaturesSummary } from './pipeline/features-stage.js';
export { DEFAULT_FEATURE_OPTIONS, FEATURES_VERSION, type FeatureOptions } from './pipeline/feature-options.js';
export { runSimilarity, type SimilaritySummary } from './pipeline/similarity/run-similarity.js';
export { METHODS, type MethodName, type SimilarityParams } from './pipeline/similarity/methods.js';
export { METHOD_NAMES, methodNamed } from './pipeline/similarity/registry.js';
export type { SimilarityMethod, VectorMethod, SequenceMethod } from './pipeline/similarity/method.js';
export { analyseQueryFile, queryFeaturesFrom } from './pipeline/query-file.js';

// the task queue: runs that share their work with `yasr worker` processes
export { runWorker, type WorkerOptions, type WorkerSummary, type WorkerTaskEvent } from './pipeline/worker/run-worker.js';
export { workerOwner, DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS } from './pipeline/worker/job.js';

// results
export { recommend, scoringContext, scoresFor, type RecommendFilters, type RecommendResult, type Recommendation, type QueryFeatures } from './pipeline/recommend.js';
export { discover, type DiscoverOptions, type DiscoverReport, type DiscoverPick } from './pipeline/discover.js';
export { discoverText, discoverM3u, discoverHtml, writeDiscoverFiles } from './pipeline/discover-report.js';
export { runNightly, reportText, type NightlyReport } from './pipeline/nightly/run-nightly.js';
export { loadPipeline, type PipelineDefinition } from './pipeline/nightly/definition.js';

export { pipelineStatus, type PipelineStatus } from './pipeline/status.js';
export { evaluateMethods, type EvaluateOptions, type EvaluateResult } from './pipeline/evaluate.js';
export { rate, listRatings, exportRatings, type Rating } from './pipeline/ratings.js';
export { m3u, pathBetween, type PathResult, type PlaylistEntry } from './pipeline/playlist.js';
export { renderTrackPlot, renderMatrixPlot } from './plot/index.js';

// the web server
export { startServer, type ServeOptions, type RunningServer } from './server/server.js';
