/**
 * Loudness per ITU-R BS.1770-4 (integrated, gated) and a loudness range per EBU Tech 3342.
 * Mono input (channel weight 1). Every function returns finite numbers, also for silence and
 * empty input: loudness then reads LOUDNESS_FLOOR_LUFS (-70, the absolute gate) and ranges 0.
 */
import { badParameter } from '../../errors.js';
import { kWeightedEnergyPrefix } from './k-weighting.js';

/** Loudness reported for digital silence, empty input, or input whose every block is gated out (LUFS). */
export const LOUDNESS_FLOOR_LUFS = -70;

export interface LoudnessOptions {
  /** Sample rate in Hz. Default 22050. */
  sr?: number;
  /** Gating block length in seconds. Default 0.4 (BS.1770-4). */
  blockSeconds?: number;
  /** Block overlap fraction in [0, 1). Default 0.75 (BS.1770-4). */
  overlap?: number;
  /** Absolute gate in LUFS. Default -70. */
  absoluteGate?: number;
  /** Relative gate in LU below the absolute-gated loudness. Default -10 (BS.1770-4). */
  relativeGate?: number;
}

function checkSr(sr: number): void {
  if (!Number.isFinite(sr) || sr <= 0) throw badParameter('sr', sr, 'a positive sample rate in Hz');
}

/**
 * Mean squares of the K-weighted signal over blocks of `blockLen` samples every `hop` samples
 * (complete blocks only). A signal shorter than one block gives one block over all its samples;
 * an empty signal gives none.
 */
function blockMeanSquares(cum: Float64Array, blockLen: number, hop: number): Float64Array {
  const n = cum.length - 1;
  if (n === 0) return new Float64Array(0);
  if (n < blockLen) return Float64Array.of(cum[n] / n);
  const count = Math.floor((n - blockLen) / hop) + 1;
  const out = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const s = j * hop;
    out[j] = (cum[s + blockLen] - cum[s]) / blockLen;
  }
  return out;
}

/** BS.1770 loudness of a mean square: -0.691 + 10 log10(z). -Infinity for z = 0. */
export function meanSquareToLufs(z: number): number {
  return -0.691 + 10 * Math.log10(z);
}

/** Gated power mean of block mean squares (absolute gate, then relative gate); NaN when nothing passes. */
function gatedMean(z: Float64Array, absGate: number, relGate: number): { mean: number; kept: Float64Array } {
  const l = Array.from(z, meanSquareToLufs);
  let s = 0, c = 0;
  for (let j = 0; j < z.length; j++) if (l[j] > absGate) { s += z[j]; c++; }
  if (c === 0) return { mean: NaN, kept: new Float64Array(0) };
  const rel = meanSquareToLufs(s / c) + relGate;
  const kept: number[] = [];
  s = 0; c = 0;
  for (let j = 0; j < z.length; j++) {
    if (l[j] > absGate && l[j] > rel) { s += z[j]; c++; kept.push(z[j]); }
  }
  return { mean: c ? s / c : NaN, kept: Float64Array.from(kept) };
}

/**
 * Integrated loudness (LUFS) of a mono signal `y` (length N, full scale = 1.0) per ITU-R BS.1770-4:
 * K-weighting, 400 ms blocks with 75 % overlap, absolute gate -70 LUFS, relative gate -10 LU.
 * A full-scale 997 Hz sine reads about -3.01 LUFS. Signals shorter than one block are measured as
 * one block over all their samples. Silence / empty input / all blocks gated: LOUDNESS_FLOOR_LUFS.
 */
export function integratedLoudness(y: ArrayLike<number>, opts: LoudnessOptions = {}): number {
  const sr = opts.sr ?? 22050;
  checkSr(sr);
  const blockSeconds = opts.blockSeconds ?? 0.4;
  const overlap = opts.overlap ?? 0.75;
  if (!(blockSeconds > 0)) throw badParameter('blockSeconds', blockSeconds, 'a positive duration in seconds');
  if (!(overlap >= 0 && overlap < 1)) throw badParameter('overlap', overlap, 'a fraction in [0, 1)');
  const blockLen = Math.max(1, Math.round(blockSeconds * sr));
  const hop = Math.max(1, Math.round(blockSeconds * (1 - overlap) * sr));
  const z = blockMeanSquares(kWeightedEnergyPrefix(y, sr), blockLen, hop);
  const { mean } = gatedMean(z, opts.absoluteGate ?? -70, opts.relativeGate ?? -10);
  if (!Number.isFinite(mean) || mean <= 0) return LOUDNESS_FLOOR_LUFS;
  return Math.max(LOUDNESS_FLOOR_LUFS, meanSquareToLufs(mean));
}

export interface ShortTermOptions {
  /** Sample rate in Hz. Default 22050. */
  sr?: number;
  /** Window length in seconds. Default 3 (EBU "short-term"). */
  windowSeconds?: number;
  /** Hop in seconds. Default 0.1 (10 values per second, as EBU Tech 3342 asks for at least). */
  hopSeconds?: number;
}

/**
 * Short-term loudness (LUFS, ungated) of `y`: K-weighted mean square over `windowSeconds` windows
 * every `hopSeconds`. Returns Float64Array(M) with M = floor((N - W) / H) + 1 complete windows,
 * or one value over the whole signal when N < W, or none when N = 0. Silent windows read -Infinity.
 */
export function shortTermLoudness(y: ArrayLike<number>, opts: ShortTermOptions = {}): Float64Array {
  const sr = opts.sr ?? 22050;
  checkSr(sr);
  const w = opts.windowSeconds ?? 3;
  const h = opts.hopSeconds ?? 0.1;
  if (!(w > 0)) throw badParameter('windowSeconds', w, 'a positive duration in seconds');
  if (!(h > 0)) throw badParameter('hopSeconds', h, 'a positive duration in seconds');
  const z = blockMeanSquares(kWeightedEnergyPrefix(y, sr), Math.max(1, Math.round(w * sr)), Math.max(1, Math.round(h * sr)));
  return z.map(meanSquareToLufs);
}

/** Percentile `p` (0-100) of sorted values, linear interpolation between closest ranks (numpy's default). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = ((n - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface LoudnessRangeOptions extends ShortTermOptions {
  /** Lower percentile. Default 10. */
  lowPercentile?: number;
  /** Upper percentile. Default 95. */
  highPercentile?: number;
  /** Relative gate in LU. Default -20 (EBU Tech 3342). */
  relativeGate?: number;
}

/**
 * Loudness range (LU = dB) per EBU Tech 3342: short-term loudness (3 s windows, 10 per second),
 * absolute gate -70 LUFS, relative gate -20 LU below the power mean of the absolute-gated values,
 * then the 95th minus the 10th percentile. Clips shorter than one window have one value, so 0.
 * Silence and empty input: 0.
 */
export function loudnessRange(y: ArrayLike<number>, opts: LoudnessRangeOptions = {}): number {
  const sr = opts.sr ?? 22050;
  checkSr(sr);
  const w = opts.windowSeconds ?? 3;
  const h = opts.hopSeconds ?? 0.1;
  const z = blockMeanSquares(kWeightedEnergyPrefix(y, sr), Math.max(1, Math.round(w * sr)), Math.max(1, Math.round(h * sr)));
  const { kept } = gatedMean(z, -70, opts.relativeGate ?? -20);
  if (kept.length < 2) return 0;
  const l = Float64Array.from(kept, meanSquareToLufs).sort();
  const r = percentileSorted(l, opts.highPercentile ?? 95) - percentileSorted(l, opts.lowPercentile ?? 10);
  return Number.isFinite(r) ? Math.max(0, r) : 0;
}

/**
 * Integrated loudness (LUFS) and loudness range (LU) in one pass of the K-weighting filter, with
 * the defaults of `integratedLoudness` and `loudnessRange`.
 */
export function loudnessMeasures(y: ArrayLike<number>, opts: { sr?: number } = {}): { integrated: number; range: number } {
  const sr = opts.sr ?? 22050;
  checkSr(sr);
  const cum = kWeightedEnergyPrefix(y, sr);
  const zi = blockMeanSquares(cum, Math.max(1, Math.round(0.4 * sr)), Math.max(1, Math.round(0.1 * sr)));
  const { mean } = gatedMean(zi, -70, -10);
  const integrated = Number.isFinite(mean) && mean > 0 ? Math.max(LOUDNESS_FLOOR_LUFS, meanSquareToLufs(mean)) : LOUDNESS_FLOOR_LUFS;
  const zs = blockMeanSquares(cum, Math.max(1, Math.round(3 * sr)), Math.max(1, Math.round(0.1 * sr)));
  const { kept } = gatedMean(zs, -70, -20);
  let range = 0;
  if (kept.length >= 2) {
    const l = Float64Array.from(kept, meanSquareToLufs).sort();
    const r = percentileSorted(l, 95) - percentileSorted(l, 10);
    range = Number.isFinite(r) ? Math.max(0, r) : 0;
  }
  return { integrated, range };
}
