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
 */
import type { Matrix } from '../../../src/dsp/matrix.js';

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

/** Mean spectral centroid, roll-off and flatness of `mag` [nBins, T] (see the module comment). */
export function spectralMeans(mag: Matrix, opts: SpectralOptions = {}): SpectralMeans {
  const sr = opts.sr ?? 22050;
  const roll = opts.rollPercent ?? 0.85;
  const topDb = opts.topDb ?? 60;
  const { rows: nBins, cols: T, data } = mag;
  const out: SpectralMeans = { centroid: 0, rolloff: 0, flatness: 0, frames: 0 };
  if (nBins < 2 || T === 0) return out;
  const nFft = 2 * (nBins - 1);
  const freq = (k: number) => (k * sr) / nFft;
  const energy = new Float64Array(T);
  let maxE = 0;
  for (let k = 0; k < nBins; k++) {
    const base = k * T;
    for (let t = 0; t < T; t++) { const v = data[base + t]; energy[t] += v * v; }
  }
  for (let t = 0; t < T; t++) maxE = Math.max(maxE, energy[t]);
  if (!(maxE > 0)) return out;
  const thresh = maxE * Math.pow(10, -topDb / 10);
  // Row-major passes (the matrix is [bins, frames]): per-frame sums, then the roll-off search.
  // The log of the geometric mean is taken once per 8 bins, of the product of their powers
  // (each in [1e-10, ~1e12], so a product of 8 stays well inside float64's range).
  const total = new Float64Array(T), wsum = new Float64Array(T), logSum = new Float64Array(T), powSum = new Float64Array(T);
  const prod = new Float64Array(T).fill(1);
  for (let k = 0; k < nBins; k++) {
    const base = k * T;
    const f = freq(k);
    const flush = (k & 7) === 7 || k === nBins - 1;
    for (let t = 0; t < T; t++) {
      const v = Math.abs(data[base + t]);
      total[t] += v;
      wsum[t] += f * v;
      const p = v * v > 1e-10 ? v * v : 1e-10;
      powSum[t] += p;
      if (flush) {
        logSum[t] += Math.log(prod[t] * p);
        prod[t] = 1;
      } else prod[t] *= p;
    }
  }
  const rolloff = new Float64Array(T).fill(-1);
  const cum = new Float64Array(T);
  for (let k = 0; k < nBins; k++) {
    const base = k * T;
    for (let t = 0; t < T; t++) {
      if (rolloff[t] >= 0) continue;
      cum[t] += Math.abs(data[base + t]);
      if (cum[t] >= roll * total[t]) rolloff[t] = freq(k);
    }
  }
  let sc = 0, sr85 = 0, sf = 0, n = 0;
  for (let t = 0; t < T; t++) {
    if (!(energy[t] > 0 && energy[t] >= thresh)) continue;
    sc += total[t] > 0 ? wsum[t] / total[t] : 0;
    sr85 += rolloff[t] >= 0 ? rolloff[t] : freq(nBins - 1);
    sf += Math.exp(logSum[t] / nBins) / (powSum[t] / nBins);
    n++;
  }
  if (n === 0) return out;
  return { centroid: sc / n, rolloff: sr85 / n, flatness: sf / n, frames: n };
}
