/**
 * Preview matching: a 30 s lossy preview cut from anywhere in a track and the full track in a
 * lossless format must be each other's nearest neighbour (the same recording must not look like
 * two songs). This module makes the two files and scores a similarity matrix; the benchmark
 * (benchmarks/pipeline/preview-match.ts) and the corpus test run the pipeline in between.
 */
import { createHash } from 'node:crypto';
import { badParameter, YasrError } from '../errors.js';
import { runProcess } from '../audio/run-process.js';
import { neighboursFromDistanceMatrix } from './neighbours.js';
import { selfRetrieval } from './self-retrieval.js';

/**
 * Where a preview of `length` seconds starts in a track of `duration` seconds: uniform in
 * [0, duration - length] (0 when the track is not longer), from sha256(seed + ':' + key), so
 * the same key and seed always give the same offset, rounded to milliseconds.
 */
export function previewOffset(key: string, seed: number, duration: number, length = 30): number {
  if (!(duration >= 0) || !Number.isFinite(duration)) throw badParameter('duration', duration, 'a finite number of seconds >= 0');
  if (!(length > 0)) throw badParameter('length', length, 'a positive number of seconds');
  const h = createHash('sha256').update(`${seed}:${key}`).digest();
  const u = h.readUInt32BE(0) / 2 ** 32;
  return Math.round(Math.max(0, duration - length) * u * 1000) / 1000;
}

async function ffmpegTo(ffmpeg: string, args: string[], out: string): Promise<void> {
  const r = await runProcess(ffmpeg, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args, out], { timeoutMs: 10 * 60_000 });
  if (r.status !== 0) throw new YasrError('DECODE_FAILED', `ffmpeg could not write ${out}: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`}`);
}

/**
 * A preview as a store would serve it: `seconds` (30) from `offset`, MP3 at `bitrate` (128k),
 * 44.1 kHz stereo, no tags, no fades.
 */
export function makePreview(ffmpeg: string, src: string, out: string, offset: number, o: { seconds?: number; bitrate?: string } = {}): Promise<void> {
  const args = ['-ss', offset.toFixed(3), '-t', String(o.seconds ?? 30), '-i', src, '-map', '0:a:0', '-map_metadata', '-1'];
  return ffmpegTo(ffmpeg, [...args, '-ar', '44100', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', o.bitrate ?? '128k'], out);
}

/** The whole track, losslessly re-encoded as FLAC (its sample rate and channels kept, no tags). */
export function makeFullFlac(ffmpeg: string, src: string, out: string): Promise<void> {
  return ffmpegTo(ffmpeg, ['-i', src, '-map', '0:a:0', '-map_metadata', '-1', '-c:a', 'flac'], out);
}

export interface PreviewMatchCounts {
  queries: number;
  hits: number;
  rate: number;
}

export interface PreviewMatchResult {
  /** The nearest neighbour of the preview (among all other items) is its full track. */
  previewToFull: PreviewMatchCounts;
  /** The nearest neighbour of the full track is its preview. */
  fullToPreview: PreviewMatchCounts;
  /** Both at once: they are each other's nearest neighbour. */
  mutual: PreviewMatchCounts;
  /** Per pair: 1-based rank of the full track in the preview's list, and of the preview in the full's. */
  ranks: { previewToFull: number; fullToPreview: number }[];
}

/**
 * Scores an n x n matrix (similarities or distances) over items that include pairs
 * (preview, full) of the same recording; every other item competes as a distractor.
 * Ties are broken by the lower index (as neighboursFromDistanceMatrix does).
 */
export function previewMatchRates(
  m: { n: number; data: Float32Array | Float64Array; orientation: 'similarity' | 'distance' },
  pairs: readonly { preview: number; full: number }[],
): PreviewMatchResult {
  const nb = neighboursFromDistanceMatrix(m.data, m.n, { order: m.orientation === 'similarity' ? 'descending' : 'ascending' });
  const previews = pairs.map((p) => p.preview);
  const fulls = pairs.map((p) => p.full);
  const a = selfRetrieval({ neighbours: nb, queries: previews, originals: fulls });
  const b = selfRetrieval({ neighbours: nb, queries: fulls, originals: previews });
  const q = pairs.length;
  let mutual = 0;
  for (let i = 0; i < q; i++) if (a.ranks[i] === 1 && b.ranks[i] === 1) mutual++;
  const c = (hits: number): PreviewMatchCounts => ({ queries: q, hits, rate: q ? hits / q : Number.NaN });
  return {
    previewToFull: c(a.hits),
    fullToPreview: c(b.hits),
    mutual: c(mutual),
    ranks: pairs.map((_, i) => ({ previewToFull: a.ranks[i], fullToPreview: b.ranks[i] })),
  };
}
