/**
 * The long work a server request may ask for, run on worker threads (query-worker.ts) so that
 * the event loop keeps answering: recommendations over the catalogue, the discovery report, a
 * path between two tracks, pictures, and analysing an uploaded file. Each worker holds its own
 * database connection and keeps each method's scoring context (loaded features, fitted model)
 * until the catalogue changes, so a recommendation costs one row of scores, not a model.
 */
import { dataVersion, type Db } from '../store/db.js';
import type { RecommendFilters, RecommendResult, QueryFeatures, ScoringContext } from '../pipeline/recommend.js';
import type { SimilarityParams } from '../pipeline/similarity/methods.js';
import type { DiscoverOptions, DiscoverReport } from '../pipeline/discover.js';
import type { TrackAnalysis } from '../pipeline/analyze-track.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import type { PathResult } from '../pipeline/playlist.js';
import { catalogueSignature } from '../store/summary.js';

import type { TrackPlotKind } from '../plot/kinds.js';

export type QueryTask =
  | { kind: 'recommend'; query: { trackId: number } | { features: QueryFeatures }; params: SimilarityParams; k: number; least: number; filters: RecommendFilters; ratings: 'use' | 'ignore' }
  | { kind: 'discover'; options: DiscoverOptions }
  | { kind: 'path'; from: number; to: number; steps: number; params: SimilarityParams }
  | { kind: 'plot'; trackId: number; plot: TrackPlotKind; format: 'png' | 'svg'; tools: FfmpegTools }
  | { kind: 'analyse'; tools: FfmpegTools; file: string };

export type QueryResult =
  | { kind: 'recommend'; result: RecommendResult }
  | { kind: 'discover'; result: DiscoverReport }
  | { kind: 'path'; result: PathResult }
  | { kind: 'plot'; body: Uint8Array }
  | { kind: 'analyse'; analysis: TrackAnalysis; tags: Record<string, string>; duration: number | null };

const contexts = new Map<string, { ctx: ScoringContext; dataVersion: number; signature: string }>();

async function contextFor(db: Db, params: SimilarityParams): Promise<ScoringContext> {
  const { scoringContext } = await import('../pipeline/recommend.js');
  const { normalizeParams, hashOf } = await import('../pipeline/similarity/methods.js');
  const key = hashOf(normalizeParams(params));
  const dv = dataVersion(db);
  const hit = contexts.get(key);
  if (hit && hit.dataVersion === dv) return hit.ctx;
  const signature = catalogueSignature(db);
  if (hit && hit.signature === signature) {
    hit.dataVersion = dv;
    return hit.ctx;
  }
  const ctx = scoringContext(db, params);
  contexts.set(key, { ctx, dataVersion: dv, signature });
  return ctx;
}

export async function runQueryTask(db: Db, t: QueryTask): Promise<QueryResult> {
  switch (t.kind) {
    case 'recommend': {
      const { recommend } = await import('../pipeline/recommend.js');
      const ctx = await contextFor(db, t.params);
      return { kind: 'recommend', result: recommend(db, t.query, t.params, { k: t.k, least: t.least, filters: t.filters, ratings: t.ratings }, ctx) };
    }
    case 'discover': {
      const { discover } = await import('../pipeline/discover.js');
      return { kind: 'discover', result: discover(db, t.options) };
    }
    case 'path': {
      const { pathBetween } = await import('../pipeline/playlist.js');
      return { kind: 'path', result: pathBetween(db, t.from, t.to, t.steps, t.params) };
    }
    case 'plot': {
      const { renderTrackPlot } = await import('../plot/index.js');
      const body = await renderTrackPlot(db, t.trackId, t.plot, { format: t.format, tools: t.tools });
      return { kind: 'plot', body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
    }
    case 'analyse': {
      const [{ probeAudio }, { analyzeTrack }, { describeSignal }, { DEFAULT_FEATURE_OPTIONS }] = await Promise.all([
        import('../audio/probe.js'),
        import('../pipeline/analyze-track.js'),
        import('../pipeline/describe.js'),
        import('../pipeline/feature-options.js'),
      ]);
      const probe = await probeAudio(t.tools, t.file);
      if (!probe.hasAudio) {
        const { YasrError } = await import('../errors.js');
        throw new YasrError('BAD_INPUT', 'the file has no audio stream');
      }
      const analysis = await analyzeTrack(t.tools.ffmpeg, t.file, probe.duration, DEFAULT_FEATURE_OPTIONS, describeSignal);
      return { kind: 'analyse', analysis, tags: probe.tags, duration: probe.duration };
    }
  }
}
