/**
 * The long work a server request may ask for, run on worker threads (query-worker.ts) so that
 * the event loop keeps answering: recommendations over the catalogue, the discovery report,
 * and analysing an uploaded file. Each worker holds its own database connection.
 */
import type { Db } from '../store/db.js';
import type { RecommendFilters, RecommendResult, QueryFeatures } from '../pipeline/recommend.js';
import type { SimilarityParams } from '../pipeline/similarity/methods.js';
import type { DiscoverOptions, DiscoverReport } from '../pipeline/discover.js';
import type { TrackAnalysis } from '../pipeline/analyze-track.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';

export type QueryTask =
  | { kind: 'recommend'; query: { trackId: number } | { features: QueryFeatures }; params: SimilarityParams; k: number; least: number; filters: RecommendFilters }
  | { kind: 'discover'; options: DiscoverOptions }
  | { kind: 'analyse'; tools: FfmpegTools; file: string };

export type QueryResult =
  | { kind: 'recommend'; result: RecommendResult }
  | { kind: 'discover'; result: DiscoverReport }
  | { kind: 'analyse'; analysis: TrackAnalysis; tags: Record<string, string>; duration: number | null };

export async function runQueryTask(db: Db, t: QueryTask): Promise<QueryResult> {
  switch (t.kind) {
    case 'recommend': {
      const { recommend } = await import('../pipeline/recommend.js');
      return { kind: 'recommend', result: recommend(db, t.query, t.params, { k: t.k, least: t.least, filters: t.filters }) };
    }
    case 'discover': {
      const { discover } = await import('../pipeline/discover.js');
      return { kind: 'discover', result: discover(db, t.options) };
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
