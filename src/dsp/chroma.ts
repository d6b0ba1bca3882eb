/**
 * Chroma filter bank and chroma from a power spectrogram, following librosa 0.10.1
 * (`filters.chroma`, `feature.chroma_stft(S=..., tuning=...)`, `util.normalize`).
 */
import { badParameter } from '../errors.js';
import type { Matrix } from './matrix.js';
import { FLOAT32_TINY, stripUndefined } from './options.js';
import { dotRun } from './mel.js';

export interface ChromaFilterOptions {
  /** Sample rate in Hz. Default 22050. */
  sr: number;
  /** FFT size; the bank covers 1 + nFft/2 bins. Default 2048. */
  nFft: number;
  /** Number of chroma bins. Default 12. */
  nChroma: number;
  /** Tuning deviation from A440 in fractions of a chroma bin. Default 0. */
  tuning: number;
  /** Centre of the Gaussian octave weighting, in octaves above A0 (27.5 Hz). Default 5. */
  ctroct: number;
  /** Width (standard deviation, octaves) of the octave weighting; null for flat. Default 2. */
  octwidth: number | null;
  /** Norm of each filter column before the octave weighting (1, 2, Infinity or null). Default 2. */
  norm: number | null;
  /** Start the chroma at C instead of A. Default true. */
  baseC: boolean;
}

export interface ChromaOptions extends ChromaFilterOptions {
  /** Per-frame normalisation of the chroma vector (librosa.util.normalize norm). Default Infinity. */
  frameNorm: number | null;
}

function resolveFilterOptions(opts: Partial<ChromaFilterOptions>): ChromaFilterOptions {
  const o: ChromaFilterOptions = {
    sr: 22050, nFft: 2048, nChroma: 12, tuning: 0, ctroct: 5, octwidth: 2, norm: 2, baseC: true,
    ...stripUndefined(opts),
  };
  if (!(o.sr > 0) || !Number.isFinite(o.sr)) throw badParameter('sr', o.sr, 'a positive sample rate');
  if (!Number.isInteger(o.nFft) || o.nFft < 4 || o.nFft % 2 !== 0) throw badParameter('nFft', o.nFft, 'an even integer >= 4');
  if (!Number.isInteger(o.nChroma) || o.nChroma < 1) throw badParameter('nChroma', o.nChroma, 'a positive integer');
  if (!Number.isFinite(o.tuning)) throw badParameter('tuning', o.tuning, 'a finite number');
  checkNorm('norm', o.norm);
  return o;
}

function checkNorm(name: string, norm: number | null): void {
  if (norm !== null && !(norm === Infinity || (Number.isFinite(norm) && norm > 0))) {
    throw badParameter(name, norm, 'a positive number, Infinity or null');
  }
}

/** The norm librosa.util.normalize uses along one vector (float64). */
function vectorNorm(v: ArrayLike<number>, norm: number, start = 0, end = v.length, stride = 1): number {
  let acc = 0;
  if (norm === Infinity) {
    for (let i = start; i < end; i += stride) acc = Math.max(acc, Math.abs(v[i]));
    return acc;
  }
  if (norm === 1) {
    for (let i = start; i < end; i += stride) acc += Math.abs(v[i]);
    return acc;
  }
  if (norm === 2) {
    for (let i = start; i < end; i += stride) acc += v[i] * v[i];
    return Math.sqrt(acc);
  }
  for (let i = start; i < end; i += stride) acc += Math.pow(Math.abs(v[i]), norm);
  return Math.pow(acc, 1 / norm);
}

const bankCache = new Map<string, Matrix>();

/**
 * librosa.filters.chroma: dense float32 matrix [nChroma, 1 + nFft/2]. Defaults: sr 22050,
 * nFft 2048, nChroma 12, tuning 0, ctroct 5, octwidth 2, norm 2, baseC true. Memoised;
 * treat it as read-only.
 */
export function chromaFilterBank(opts: Partial<ChromaFilterOptions> = {}): Matrix {
  const o = resolveFilterOptions(opts);
  const key = JSON.stringify(o);
  const hit = bankCache.get(key);
  if (hit) return hit;
  const { nFft, nChroma } = o;
  const a440 = 440.0 * Math.pow(2.0, o.tuning / nChroma);
  // frqbins over all nFft bins (DC gets a made-up value 1.5 octaves below bin 1).
  const frqbins = new Float64Array(nFft);
  const step = o.sr / nFft;
  for (let i = 1; i < nFft; i++) frqbins[i] = nChroma * Math.log2((i * step) / (a440 / 16));
  frqbins[0] = frqbins[1] - 1.5 * nChroma;
  const binwidth = new Float64Array(nFft);
  for (let i = 0; i < nFft - 1; i++) binwidth[i] = Math.max(frqbins[i + 1] - frqbins[i], 1.0);
  binwidth[nFft - 1] = 1;
  const nChroma2 = roundHalfEven(nChroma / 2); // np.round: halves go to even
  const wts = new Float64Array(nChroma * nFft);
  for (let c = 0; c < nChroma; c++) {
    for (let i = 0; i < nFft; i++) {
      const x = frqbins[i] - c + nChroma2 + 10 * nChroma;
      const d = pyRemainder(x, nChroma) - nChroma2;
      const z = (2 * d) / binwidth[i];
      wts[c * nFft + i] = Math.exp(-0.5 * z * z);
    }
  }
  if (o.norm !== null) {
    for (let i = 0; i < nFft; i++) {
      let len = vectorNorm(wts, o.norm, i, nChroma * nFft, nFft);
      // librosa.util.normalize on float64 input: threshold = float64 tiny, fill=None
      if (len < 2.2250738585072014e-308) len = 1;
      for (let c = 0; c < nChroma; c++) wts[c * nFft + i] /= len;
    }
  }
  if (o.octwidth !== null) {
    for (let i = 0; i < nFft; i++) {
      const z = (frqbins[i] / nChroma - o.ctroct) / o.octwidth;
      const g = Math.exp(-0.5 * z * z);
      for (let c = 0; c < nChroma; c++) wts[c * nFft + i] *= g;
    }
  }
  const shift = o.baseC ? 3 * Math.floor(nChroma / 12) : 0;
  const nBins = (nFft >> 1) + 1;
  const data = new Float32Array(nChroma * nBins);
  for (let c = 0; c < nChroma; c++) {
    // np.roll(wts, -shift, axis=0): new row c = old row (c + shift) mod nChroma
    const src = (((c + shift) % nChroma) + nChroma) % nChroma;
    for (let i = 0; i < nBins; i++) data[c * nBins + i] = wts[src * nFft + i];
  }
  const m = { rows: nChroma, cols: nBins, data };
  bankCache.set(key, m);
  return m;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const r = x - f;
  if (r > 0.5) return f + 1;
  if (r < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** numpy.remainder (result has the sign of the divisor). */
function pyRemainder(x: number, m: number): number {
  const r = x % m;
  return r !== 0 && r < 0 !== m < 0 ? r + m : r;
}

/**
 * The chroma bank stored sparsely per chroma row as runs of consecutive bins: row c is the sum
 * over segments s in rowSeg[c] .. rowSeg[c+1]-1 of weights w[segOffset[s] + i] applied to bins
 * segStart[s] + i, i < segLength[s]. Weights below `relEps` times their bin's largest weight are
 * dropped: that changes any max-normalised chroma value by at most nChroma * relEps (each dropped
 * term is at most relEps times a term of the bin's strongest chroma, which is <= the frame max).
 */
export interface ChromaSegmentBank {
  nChroma: number;
  nBins: number;
  rowSeg: Int32Array;
  segStart: Int32Array;
  segLength: Int32Array;
  segOffset: Int32Array;
  w: Float64Array;
}

const segmentCache = new Map<string, ChromaSegmentBank>();

/** Row-segmented sparse chroma bank for per-frame use (see ChromaSegmentBank). relEps default 1e-7. */
export function chromaSegmentBank(opts: Partial<ChromaFilterOptions> = {}, relEps = 1e-7): ChromaSegmentBank {
  const o = resolveFilterOptions(opts);
  const key = JSON.stringify(o) + '/' + relEps;
  const hit = segmentCache.get(key);
  if (hit) return hit;
  const { rows: nChroma, cols: nBins, data } = chromaFilterBank(o);
  const colMax = new Float64Array(nBins);
  for (let k = 0; k < nBins; k++) for (let c = 0; c < nChroma; c++) colMax[k] = Math.max(colMax[k], data[c * nBins + k]);
  const keep = (c: number, k: number) => data[c * nBins + k] !== 0 && data[c * nBins + k] >= relEps * colMax[k];
  const rowSeg = new Int32Array(nChroma + 1);
  const segStart: number[] = [];
  const segLength: number[] = [];
  const segOffset: number[] = [];
  const w: number[] = [];
  for (let c = 0; c < nChroma; c++) {
    rowSeg[c] = segStart.length;
    let k = 0;
    while (k < nBins) {
      if (!keep(c, k)) {
        k++;
        continue;
      }
      const s0 = k;
      segStart.push(s0);
      segOffset.push(w.length);
      while (k < nBins && keep(c, k)) w.push(data[c * nBins + k++]);
      segLength.push(k - s0);
    }
  }
  rowSeg[nChroma] = segStart.length;
  const bank: ChromaSegmentBank = {
    nChroma, nBins, rowSeg,
    segStart: Int32Array.from(segStart), segLength: Int32Array.from(segLength), segOffset: Int32Array.from(segOffset),
    w: Float64Array.from(w),
  };
  segmentCache.set(key, bank);
  return bank;
}

/**
 * One frame: raw[c] = sum_k bank[c, k] * power[k] (raw has nChroma entries; float64 sums).
 */
export function chromaRawFrame(bank: ChromaSegmentBank, power: Float64Array, raw: Float64Array): void {
  const { nChroma, rowSeg, segStart, segLength, segOffset, w } = bank;
  for (let c = 0; c < nChroma; c++) {
    let acc = 0;
    for (let s = rowSeg[c]; s < rowSeg[c + 1]; s++) acc += dotRun(w, segOffset[s], segLength[s], power, segStart[s]);
    raw[c] = acc;
  }
}

/**
 * librosa.util.normalize of one vector in place (threshold = float32 tiny, fill=None): divides by
 * its norm unless the norm is below the threshold, in which case the vector is left as it is.
 */
export function normalizeVector(v: Float64Array | Float32Array, norm: number | null, start = 0, end = v.length, stride = 1): void {
  if (norm === null) return;
  let len = vectorNorm(v, norm, start, end, stride);
  if (len < FLOAT32_TINY) len = 1;
  for (let i = start; i < end; i += stride) v[i] = v[i] / len;
}

/**
 * librosa.feature.chroma_stft(S=S, tuning=..., norm=...) from a power spectrogram S = |STFT|^2
 * of shape [1 + nFft/2, T]: result [nChroma, T] (float32). Frames are normalised by
 * `frameNorm` (default Infinity: each frame divided by its maximum; silent frames stay 0).
 */
export function chromaFromPower(S: Matrix, opts: Partial<ChromaOptions> = {}): Matrix {
  const frameNorm = opts.frameNorm === undefined ? Infinity : opts.frameNorm;
  checkNorm('frameNorm', frameNorm);
  const bank = chromaSegmentBank({ ...opts, nFft: opts.nFft ?? 2 * (S.rows - 1) });
  if (S.rows !== bank.nBins) throw badParameter('S.rows', S.rows, `${bank.nBins} frequency bins`);
  const T = S.cols;
  const out = new Float32Array(bank.nChroma * T);
  const col = new Float64Array(S.rows);
  const raw = new Float64Array(bank.nChroma);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < S.rows; k++) col[k] = S.data[k * T + t];
    chromaRawFrame(bank, col, raw);
    normalizeVector(raw, frameNorm);
    for (let c = 0; c < bank.nChroma; c++) out[c * T + t] = raw[c];
  }
  return { rows: bank.nChroma, cols: T, data: out };
}
