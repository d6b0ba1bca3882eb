/**
 * Frame-wise spectral shape statistics from an STFT magnitude [1 + nFft/2, T], averaged over the
 * frames that carry sound. Per-frame definitions follow librosa 0.10.1:
 * - centroid: `feature.spectral_centroid(S=|X|)`, sum_f f |X| / sum_f |X| (Hz)
 * - rolloff:  `feature.spectral_rolloff(S=|X|, roll_percent=0.85)`: the lowest bin frequency where
 *             the cumulative magnitude reaches 85 % of the frame's total (Hz)
 * - flatness: `feature.spectral_flatness(S=|X|, power=2, amin=1e-10)`: geometric over arithmetic
 *             mean of max(amin, |X|^2) (0..1)
 * Frames count as sounding when their energy sum |X|^2 is above zero and within 60 dB of the loudest
 * frame (like `effects.trim(top_db=60)`), so leading/trailing silence and fades below -60 dB do
 * not drag the means (silent frames would read centroid 0 and flatness 1). No sounding frame
 * (silence, empty input): all three are 0.
 *
 * The per-frame statistics (spectralFrame) are kept apart from the means (spectralMeansOfFrames)
 * so that the one-pass analysis (src/dsp/analyze.ts, `spectralFrames: true`) computes them from
 * each frame's magnitudes while it has them, with this same function and so the same values,
 * instead of materialising |STFT| for a second pass.
 */
import type { Matrix } from '../matrix.js';

export interface SpectralMeans {
  centroid: number;
  rolloff: number;
  flatness: number;
  /** Frames used. */
  frames: number;
}

export interface SpectralOptions {
  /** Sample rate in Hz. Default 22050. */
  sr?: number;
  /** Roll-off fraction. Default 0.85. */
  rollPercent?: number;
  /** Frames more than this many dB below the loudest frame are ignored. Default 60. */
  topDb?: number;
}

/** Per-frame statistics of a magnitude spectrogram, each Float64Array(T) (see the module comment). */
export interface SpectralFrames {
  /** FFT size of the frames (nBins = 1 + nFft / 2). */
  nFft: number;
  /** Sum over bins of |X|^2. */
  energy: Float64Array;
  /** Hz. */
  centroid: Float64Array;
  /** Hz. */
  rolloff: Float64Array;
  /** 0..1. */
  flatness: Float64Array;
}

/** Empty per-frame statistics for T frames of an nFft-point STFT, to be filled by spectralFrame. */
export function spectralFramesFor(nFft: number, T: number): SpectralFrames {
  return { nFft, energy: new Float64Array(T), centroid: new Float64Array(T), rolloff: new Float64Array(T), flatness: new Float64Array(T) };
}

/** Bin frequencies k sr / nFft, k = 0 .. nBins - 1 (the values spectralFrame uses). */
export function binFrequencies(sr: number, nBins: number): Float64Array {
  const nFft = 2 * (nBins - 1);
  const f = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) f[k] = (k * sr) / nFft;
  return f;
}

/**
 * Statistics of frame t into out[t]: magnitudes mag[i0], mag[i0 + stride], ... (nBins of them:
 * a column of a [nBins, T] matrix with stride T, or one frame's own array with stride 1), freqs
 * from binFrequencies. One frame at a time with scalar float64 accumulators, bins in ascending
 * order: energy sum |X|^2, magnitude sum, frequency-weighted sum, power sum (amin-clamped) and
 * the log of the geometric mean, taken once per 8 bins of the product of their powers (each in
 * [1e-10, ~1e12], so a product of 8 stays well inside float64's range); then the roll-off search,
 * which stops at the frame's `roll` point.
 */
export function spectralFrame(
  mag: Float32Array, i0: number, stride: number, nBins: number, freqs: Float64Array, roll: number, out: SpectralFrames, t: number,
): void {
  let e = 0, total = 0, wsum = 0, powSum = 0, logSum = 0, prod = 1;
  for (let k = 0, i = i0; k < nBins; k++, i += stride) {
    const v = Math.abs(mag[i]);
    const vv = v * v;
    e += vv;
    total += v;
    wsum += freqs[k] * v;
    const p = vv > 1e-10 ? vv : 1e-10;
    powSum += p;
    if ((k & 7) === 7 || k === nBins - 1) {
      logSum += Math.log(prod * p);
      prod = 1;
    } else prod *= p;
  }
  out.energy[t] = e;
  out.centroid[t] = total > 0 ? wsum / total : 0;
  out.flatness[t] = Math.exp(logSum / nBins) / (powSum / nBins);
  let r = freqs[nBins - 1], cum = 0;
  const target = roll * total;
  for (let k = 0, i = i0; k < nBins; k++, i += stride) {
    cum += Math.abs(mag[i]);
    if (cum >= target) { r = freqs[k]; break; }
  }
  out.rolloff[t] = r;
}

/** Per-frame statistics of `mag` [nBins, T] (see spectralFrame). */
export function spectralFramesOf(mag: Matrix, opts: SpectralOptions = {}): SpectralFrames {
  const sr = opts.sr ?? 22050;
  const roll = opts.rollPercent ?? 0.85;
  const { rows: nBins, cols: T, data } = mag;
  const out = spectralFramesFor(2 * (nBins - 1), nBins < 2 ? 0 : T);
  if (nBins < 2 || T === 0) return out;
  const freqs = binFrequencies(sr, nBins);
  // The matrix is [bins, frames] (a frame is a column), so frames are taken in tiles of TILE
  // neighbours: the cache lines a tile's first frame loads serve the next TILE - 1 frames.
  const TILE = 16;
  for (let t0 = 0; t0 < T; t0 += TILE) {
    const t1 = Math.min(T, t0 + TILE);
    for (let t = t0; t < t1; t++) spectralFrame(data, t, T, nBins, freqs, roll, out, t);
  }
  return out;
}

/** Means of per-frame statistics over the sounding frames (see the module comment). */
export function spectralMeansOfFrames(f: SpectralFrames, opts: Pick<SpectralOptions, 'topDb'> = {}): SpectralMeans {
  const topDb = opts.topDb ?? 60;
  const out: SpectralMeans = { centroid: 0, rolloff: 0, flatness: 0, frames: 0 };
  const { energy, centroid, rolloff, flatness } = f;
  const T = energy.length;
  let maxE = 0;
  for (let t = 0; t < T; t++) maxE = Math.max(maxE, energy[t]);
  if (!(maxE > 0)) return out;
  const thresh = maxE * Math.pow(10, -topDb / 10);
  let sc = 0, sr85 = 0, sf = 0, n = 0;
  for (let t = 0; t < T; t++) {
    if (!(energy[t] > 0 && energy[t] >= thresh)) continue;
    sc += centroid[t];
    sr85 += rolloff[t];
    sf += flatness[t];
    n++;
  }
  if (n === 0) return out;
  return { centroid: sc / n, rolloff: sr85 / n, flatness: sf / n, frames: n };
}

/** Mean spectral centroid, roll-off and flatness of `mag` [nBins, T] (see the module comment). */
export function spectralMeans(mag: Matrix, opts: SpectralOptions = {}): SpectralMeans {
  if (mag.rows < 2 || mag.cols === 0) return { centroid: 0, rolloff: 0, flatness: 0, frames: 0 };
  return spectralMeansOfFrames(spectralFramesOf(mag, opts), opts);
}
