/**
 * Onset strength and onset detection, following librosa 0.10.1:
 * `onset.onset_strength(y, sr)` (mel-dB spectral flux, lag 1, max_size 1, mean over bands,
 * centre compensation) and `onset.onset_detect` (normalise, then `util.peak_pick`).
 */
import type { Matrix } from '../matrix.js';
import { badParameter } from '../../errors.js';

export interface OnsetStrengthOptions {
  /** Frame lag of the difference. Default 1. */
  lag?: number;
  /** FFT size of the underlying STFT (only for the centre compensation). Default 2048. */
  nFft?: number;
  /** Hop of the underlying STFT in samples. Default 512. */
  hopLength?: number;
  /** Whether the STFT frames were centred (shift by nFft / (2 hop) frames). Default true. */
  center?: boolean;
}

/**
 * Onset strength envelope from a dB-scaled mel spectrogram `melDb` [n_mels, T] (as
 * `power_to_db(melspectrogram(...), ref=1, amin=1e-10, top_db=80)`), like
 * `librosa.onset.onset_strength(S=melDb)` with its defaults:
 * env[t] = mean_b max(0, S[b, t'] - S[b, t' - lag]) with t' = t - pad, pad = lag + nFft // (2 hop)
 * (= 3 frames by default), zeros before that, length T. Returns Float32Array(T).
 */
export function onsetStrength(melDb: Matrix, opts: OnsetStrengthOptions = {}): Float32Array {
  const lag = opts.lag ?? 1;
  const nFft = opts.nFft ?? 2048;
  const hop = opts.hopLength ?? 512;
  const center = opts.center ?? true;
  if (!Number.isInteger(lag) || lag < 1) throw badParameter('lag', lag, 'an integer >= 1');
  if (!Number.isInteger(hop) || hop < 1) throw badParameter('hopLength', hop, 'an integer >= 1');
  const { rows, cols, data } = melDb;
  const pad = lag + (center ? Math.floor(nFft / (2 * hop)) : 0);
  const out = new Float32Array(cols);
  if (rows === 0) return out;
  const acc = new Float64Array(cols);
  for (let b = 0; b < rows; b++) {
    const base = b * cols;
    for (let t = lag; t < cols; t++) {
      const d = data[base + t] - data[base + t - lag];
      if (d > 0) acc[t] += d;
    }
  }
  // diff index t (t >= lag) lands at output index (t - lag) + pad.
  for (let t = lag; t < cols; t++) {
    const o = t - lag + pad;
    if (o < cols) out[o] = acc[t] / rows;
  }
  return out;
}

export interface PeakPickOptions {
  preMax: number;
  postMax: number;
  preAvg: number;
  postAvg: number;
  delta: number;
  wait: number;
}

/**
 * librosa 0.10.1 `util.peak_pick`: index n is a peak when x[n] = max(x[n - preMax : n + postMax]),
 * x[n] >= mean(x[n - preAvg : n + postAvg]) + delta, and it comes more than `wait` after the
 * previous peak (windows truncated at the edges). Returns the peak indices in ascending order.
 */
export function peakPick(x: ArrayLike<number>, o: PeakPickOptions): number[] {
  const n = x.length;
  const peaks: number[] = [];
  if (n === 0) return peaks;
  const max = (a: number, b: number) => { let m = -Infinity; for (let i = a; i < b; i++) if (x[i] > m) m = x[i]; return m; };
  const mean = (a: number, b: number) => { let s = 0; for (let i = a; i < b; i++) s += x[i]; return b > a ? s / (b - a) : NaN; };
  let i: number;
  if (x[0] >= max(0, Math.min(o.postMax, n)) && x[0] >= mean(0, Math.min(o.postAvg, n)) + o.delta) {
    peaks.push(0);
    i = o.wait + 1;
  } else i = 1;
  while (i < n) {
    if (x[i] !== max(Math.max(0, i - o.preMax), Math.min(i + o.postMax, n))) { i++; continue; }
    if (!(x[i] >= mean(Math.max(0, i - o.preAvg), Math.min(i + o.postAvg, n)) + o.delta)) { i++; continue; }
    peaks.push(i);
    i += o.wait + 1;
  }
  return peaks;
}

export interface OnsetDetectOptions {
  /** Sample rate in Hz. Default 22050. */
  sr?: number;
  /** Hop length in samples. Default 512. */
  hopLength?: number;
  /** Peak-picking overrides; defaults are librosa's: pre_max 30 ms, post_max 0 ms + 1, pre_avg 100 ms,
   *  post_avg 100 ms + 1, wait 30 ms (each `seconds * sr // hop`), delta 0.07. */
  peak?: Partial<PeakPickOptions>;
  /**
   * Peaks whose raw envelope value is below this are dropped after peak picking. Default 0.5
   * (mean rise of 0.5 dB over the mel bands; 0 gives librosa's behaviour). librosa scales the
   * envelope to max 1 before picking, so on sustained tones the 0.1-0.25 dB ripple of the flux
   * reads as 6-12 onsets per second; onsets in the reference music clips measure >= 1 dB.
   */
  minStrength?: number;
  /**
   * The envelope is scaled so that this quantile of it (after shifting its minimum to 0) is 1
   * (values above it stay above 1: clipping them would make plateaus that peak picking reads as
   * two onsets). Default 1: its maximum, librosa's. The descriptors use
   * ONSET_SCALE_QUANTILE: with the maximum, one strong transient entering or leaving an excerpt
   * rescales the whole envelope and so every peak's chance of passing `delta`.
   */
  scaleQuantile?: number;
}

/**
 * The descriptors' envelope scale (onsetDetect's scaleQuantile): its 95th percentile. Measured on
 * the corpus bench's 50 pairs of an original and a copy starting 5 s later (the excerpt moves by
 * 2.5 s): with the maximum the onset rate moved by up to 4.5 spreads of the corpus's rates (2 of 50
 * pairs by more than one), with the 95th percentile by 0.34 at most (benchmarks/RESULTS.md).
 */
export const ONSET_SCALE_QUANTILE = 0.95;

/**
 * Onset frames from an onset envelope `env` (length T), like `librosa.onset.onset_detect(
 * onset_envelope=env)`: shift to min 0, scale to max 1 (or its `scaleQuantile` quantile to 1),
 * then `peakPick`. No onsets for a constant or non-finite envelope; then peaks weaker
 * than `minStrength` (raw units) are dropped. Returns frame indices.
 */
export function onsetDetect(env: ArrayLike<number>, opts: OnsetDetectOptions = {}): number[] {
  const sr = opts.sr ?? 22050;
  const hop = opts.hopLength ?? 512;
  const q = opts.scaleQuantile ?? 1;
  if (!(q > 0 && q <= 1)) throw badParameter('scaleQuantile', q, 'a number in (0, 1]');
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < env.length; i++) {
    const v = env[i];
    if (!Number.isFinite(v)) return [];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return [];
  let top = hi;
  if (q < 1) {
    const sorted = Float64Array.from(env).sort();
    top = sorted[Math.floor(q * (sorted.length - 1))];
    if (!(top > lo)) top = hi;
  }
  const x = new Float64Array(env.length);
  const scale = top - lo + 1.1754943508222875e-38;
  for (let i = 0; i < env.length; i++) x[i] = (env[i] - lo) / scale;
  const f = (s: number) => Math.floor((s * sr) / hop);
  const peaks = peakPick(x, {
    preMax: f(0.03), postMax: f(0) + 1, preAvg: f(0.1), postAvg: f(0.1) + 1, wait: f(0.03), delta: 0.07,
    ...opts.peak,
  });
  const minStrength = opts.minStrength ?? 0.5;
  return minStrength > 0 ? peaks.filter((i) => env[i] >= minStrength) : peaks;
}
