import path from 'node:path';
import type { Db } from '../store/db.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import { probeAudio } from '../audio/probe.js';
import { getTrack, resolveTrack, setTrackMeta } from '../store/tracks.js';
import { YasrError } from '../errors.js';
import { sha256File } from '../util/hash.js';
import { DEFAULT_FEATURE_OPTIONS, featureParamsHash } from './feature-options.js';
import { ingest } from './ingest.js';
import { storeAnalysis } from './features-stage.js';
import type { QueryFeatures } from './recommend.js';
import type { TrackAnalysis } from './analyze-track.js';

/**
 * Analyse an audio file that a person hands in (recommend --file, like FILE) with the default
 * feature options (and the supervector group with `supervector`: for timbre --supervector). With
 * `add`, the file is ingested and its features stored (it becomes a track: { trackId }); without,
 * its features are returned for an on-the-fly query.
 */
export async function analyseQueryFile(
  db: Db,
  tools: FfmpegTools,
  file: string,
  o: { add: boolean; storeDir: string; supervector?: boolean },
): Promise<{ trackId: number } | { features: QueryFeatures }> {
  if (o.add) {
    // a file that cannot be ingested fails here, before any analysis (addAnalysedFile then finds it unchanged)
    const s = await ingest(db, [file], { tools, storeDir: o.storeDir });
    if (s.failed) throw new YasrError('BAD_INPUT', s.failures[0].error);
  }
  const probe = await probeAudio(tools, file);
  if (!probe.hasAudio) throw new YasrError('BAD_INPUT', `${file}: no audio stream`);
  const [{ analyzeTrack }, { describeSignal }] = await Promise.all([import('./analyze-track.js'), import('./describe.js')]);
  const t0 = performance.now();
  const options = o.supervector ? { ...DEFAULT_FEATURE_OPTIONS, groups: [...DEFAULT_FEATURE_OPTIONS.groups, 'supervector' as const] } : DEFAULT_FEATURE_OPTIONS;
  const r = await analyzeTrack(tools.ffmpeg, file, probe.duration, options, describeSignal);
  if (o.add) return { trackId: await addAnalysedFile(db, file, r, { tools, storeDir: o.storeDir, ms: performance.now() - t0 }) };
  return { features: queryFeaturesFrom(r, probe.tags, file, await sha256File(file)) };
}

/**
 * Add a file already analysed with the default options to the catalogue: ingest it, store its
 * analysis as the features stage would, and give it `title` when its tags name none.
 * @returns the track id
 */
export async function addAnalysedFile(
  db: Db,
  file: string,
  r: TrackAnalysis,
  o: { tools: FfmpegTools; storeDir: string; title?: string; ms?: number },
): Promise<number> {
  const s = await ingest(db, [file], { tools: o.tools, storeDir: o.storeDir });
  if (s.failed) throw new YasrError('BAD_INPUT', s.failures[0].error);
  const t = resolveTrack(db, path.resolve(file));
  // a file without a title tag is named after the file; a better name wins
  if (o.title && (!t.title || t.title === path.basename(file, path.extname(file)))) setTrackMeta(db, t.id, { title: o.title });
  storeAnalysis(db, getTrack(db, t.id)!, r, featureParamsHash(DEFAULT_FEATURE_OPTIONS), o.ms ?? 0);
  return t.id;
}

/** An analysis of a file outside the catalogue, shaped like a stored track's features. */
export function queryFeaturesFrom(r: TrackAnalysis, tags: Record<string, string>, file: string, sha256?: string): QueryFeatures {
  const mfcc = r.features.mfcc;
  const seq = new Float32Array(mfcc.rows * mfcc.cols);
  for (let i = 0; i < mfcc.rows; i++) for (let c = 0; c < mfcc.cols; c++) seq[c * mfcc.rows + i] = mfcc.data[i * mfcc.cols + c];
  const vectors: Record<string, Float32Array> = {};
  const windows: Record<string, Float32Array> = {};
  for (const [name, m] of Object.entries(r.features)) {
    if (m.rows === 1) vectors[name] = m.data;
    if (name.endsWith('_windows')) windows[name] = m.data;
  }
  return {
    vectors,
    mfcc: { seq, dim: mfcc.rows },
    descriptors: r.meta.descriptors,
    artist: tags.artist ?? null,
    title: tags.title ?? path.basename(file),
    file,
    sha256,
    windows,
  };
}
