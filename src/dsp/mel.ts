/**
 * Mel filter bank, mel spectrogram and power_to_db, following librosa 0.10.1
 * (`filters.mel`, `feature.melspectrogram`, `core.power_to_db`).
 */
import { badParameter } from '../errors.js';
import type { Matrix } from './matrix.js';
import { stripUndefined } from './options.js';

export interface MelOptions {
  /** Sample rate in Hz. Default 22050. */
  sr: number;
  /** FFT size; the bank has 1 + nFft/2 bins. Default 2048. */
  nFft: number;
  /** Number of mel bands. Default 128. */
  nMels: number;
  /** Lowest band edge in Hz. Default 0. */
  fmin: number;
  /** Highest band edge in Hz. Default sr / 2. */
  fmax?: number;
  /** HTK mel scale instead of Slaney's. Default false. */
  htk: boolean;
  /** 'slaney' (area normalisation, librosa's default) or null (peak 1). Default 'slaney'. */
  norm: 'slaney' | null;
}

/**
 * A filter bank stored sparsely: band b covers bins start[b] .. start[b] + length[b] - 1 with
 * weights weights[offset[b] + i]. Weights are float32 values (as librosa stores them) held in a
 * Float64Array so that the hot loops see a single array type.
 */
export interface SparseFilterBank {
  nBands: number;
  nBins: number;
  start: Int32Array;
  length: Int32Array;
  offset: Int32Array;
  weights: Float64Array;
}

// ---- mel scale -----------------------------------------------------------------------------

const F_SP = 200.0 / 3;
const MIN_LOG_HZ = 1000.0;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27.0;

/** Hz to mel (librosa.hz_to_mel): Slaney's scale by default, HTK when htk is true. */
export function hzToMel(f: number, htk = false): number {
  if (htk) return 2595.0 * Math.log10(1.0 + f / 700.0);
  if (f >= MIN_LOG_HZ) return MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP;
  return f / F_SP;
}

/** Mel to Hz (librosa.mel_to_hz). */
export function melToHz(m: number, htk = false): number {
  if (htk) return 700.0 * (Math.pow(10.0, m / 2595.0) - 1.0);
  if (m >= MIN_LOG_MEL) return MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL));
  return F_SP * m;
}

/** numpy.linspace(start, stop, num) (endpoint=True), element i = i * step + start, last = stop. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** librosa.fft_frequencies (numpy.fft.rfftfreq(nFft, 1/sr)): shape [1 + nFft/2]. */
export function fftFrequencies(sr: number, nFft: number): Float64Array {
  const val = 1.0 / (nFft * (1.0 / sr));
  const out = new Float64Array((nFft >> 1) + 1);
  for (let k = 0; k < out.length; k++) out[k] = k * val;
  return out;
}

/** librosa.mel_frequencies(n, fmin, fmax, htk): n frequencies evenly spaced in mels. */
export function melFrequencies(n: number, fmin: number, fmax: number, htk = false): Float64Array {
  const mels = linspace(hzToMel(fmin, htk), hzToMel(fmax, htk), n);
  for (let i = 0; i < n; i++) mels[i] = melToHz(mels[i], htk);
  return mels;
}

// ---- filter bank ---------------------------------------------------------------------------

export function resolveMelOptions(opts: Partial<MelOptions> = {}): MelOptions & { fmax: number } {
  const o = { sr: 22050, nFft: 2048, nMels: 128, fmin: 0, htk: false, norm: 'slaney' as const, ...stripUndefined(opts) };
  if (!(o.sr > 0) || !Number.isFinite(o.sr)) throw badParameter('sr', o.sr, 'a positive sample rate');
  if (!Number.isInteger(o.nFft) || o.nFft < 4 || o.nFft % 2 !== 0) throw badParameter('nFft', o.nFft, 'an even integer >= 4');
  if (!Number.isInteger(o.nMels) || o.nMels < 1) throw badParameter('nMels', o.nMels, 'a positive integer');
  const fmax = o.fmax ?? o.sr / 2;
  if (!(o.fmin >= 0) || !(fmax > o.fmin)) throw badParameter('fmin/fmax', [o.fmin, fmax], '0 <= fmin < fmax');
  if (o.norm !== 'slaney' && o.norm !== null) throw badParameter('norm', o.norm, "'slaney' or null");
  return { ...o, fmax };
}

const melCache = new Map<string, SparseFilterBank>();

/**
 * librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm) as a sparse bank of
 * nMels bands over 1 + nFft/2 bins. Defaults: sr 22050, nFft 2048, nMels 128, fmin 0,
 * fmax sr/2, htk false, norm 'slaney'. Memoised per parameter set; treat it as read-only.
 */
export function melFilterBank(opts: Partial<MelOptions> = {}): SparseFilterBank {
  const o = resolveMelOptions(opts);
  const key = `${o.sr}/${o.nFft}/${o.nMels}/${o.fmin}/${o.fmax}/${o.htk}/${o.norm}`;
  const hit = melCache.get(key);
  if (hit) return hit;
  const nBins = (o.nFft >> 1) + 1;
  const fftfreqs = fftFrequencies(o.sr, o.nFft);
  const melF = melFrequencies(o.nMels + 2, o.fmin, o.fmax, o.htk);
  const dense = new Float32Array(o.nMels * nBins);
  for (let i = 0; i < o.nMels; i++) {
    const fdiffLo = melF[i + 1] - melF[i];
    const fdiffHi = melF[i + 2] - melF[i + 1];
    const enorm = o.norm === 'slaney' ? 2.0 / (melF[i + 2] - melF[i]) : 1;
    for (let k = 0; k < nBins; k++) {
      const lower = -(melF[i] - fftfreqs[k]) / fdiffLo;
      const upper = (melF[i + 2] - fftfreqs[k]) / fdiffHi;
      // librosa stores the triangle in float32, then scales it in place (float32 result).
      const tri = Math.fround(Math.max(0, Math.min(lower, upper)));
      dense[i * nBins + k] = o.norm === 'slaney' ? Math.fround(tri * enorm) : tri;
    }
  }
  const bank = sparsify(dense, o.nMels, nBins);
  melCache.set(key, bank);
  return bank;
}

/** Store a dense [nBands, nBins] bank sparsely (first to last nonzero weight of each band). */
export function sparsify(dense: Float32Array, nBands: number, nBins: number): SparseFilterBank {
  const start = new Int32Array(nBands);
  const length = new Int32Array(nBands);
  const offset = new Int32Array(nBands);
  let total = 0;
  for (let b = 0; b < nBands; b++) {
    let lo = -1;
    let hi = -1;
    for (let k = 0; k < nBins; k++) {
      if (dense[b * nBins + k] !== 0) {
        if (lo < 0) lo = k;
        hi = k;
      }
    }
    start[b] = lo < 0 ? 0 : lo;
    length[b] = lo < 0 ? 0 : hi - lo + 1;
    offset[b] = total;
    total += length[b];
  }
  const weights = new Float64Array(total);
  for (let b = 0; b < nBands; b++) {
    weights.set(dense.subarray(b * nBins + start[b], b * nBins + start[b] + length[b]), offset[b]);
  }
  return { nBands, nBins, start, length, offset, weights };
}

/** The bank as a dense matrix [nBands, nBins] (for inspection and tests). */
export function denseFilterBank(bank: SparseFilterBank): Matrix {
  const data = new Float32Array(bank.nBands * bank.nBins);
  for (let b = 0; b < bank.nBands; b++) {
    data.set(bank.weights.subarray(bank.offset[b], bank.offset[b] + bank.length[b]), b * bank.nBins + bank.start[b]);
  }
  return { rows: bank.nBands, cols: bank.nBins, data };
}

/**
 * out[outOffset + b * stride] = sum_k bank[b, k] * frame[k], for every band b (float64 sums).
 * `frame` holds one spectrum column of nBins values.
 */
export function applyFilterBank(
  bank: SparseFilterBank,
  frame: Float64Array,
  out: Float64Array | Float32Array,
  outOffset = 0,
  stride = 1,
): void {
  const { nBands, start, length, offset, weights } = bank;
  for (let b = 0; b < nBands; b++) {
    out[outOffset + b * stride] = dotRun(weights, offset[b], length[b], frame, start[b]);
  }
}

/**
 * sum_i w[wOff + i] * x[xOff + i] for i < len, with four independent accumulators (breaks the
 * floating-point add latency chain; the result can differ from a sequential sum in the last bits).
 */
export function dotRun(w: Float64Array, wOff: number, len: number, x: Float64Array, xOff: number): number {
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  const d = xOff - wOff;
  const end = wOff + len;
  const end4 = wOff + (len & ~3);
  let j = wOff;
  for (; j < end4; j += 4) {
    a0 += w[j] * x[j + d];
    a1 += w[j + 1] * x[j + 1 + d];
    a2 += w[j + 2] * x[j + 2 + d];
    a3 += w[j + 3] * x[j + 3 + d];
  }
  for (; j < end; j++) a0 += w[j] * x[j + d];
  return (a0 + a1) + (a2 + a3);
}

/**
 * Mel power spectrogram from a power spectrogram S = |STFT|^2 of shape [1 + nFft/2, T]:
 * result [nMels, T] (librosa.feature.melspectrogram(S=S) with the same bank options).
 */
export function melSpectrogram(S: Matrix, opts: Partial<MelOptions> = {}): Matrix {
  const nFft = opts.nFft ?? 2 * (S.rows - 1);
  const bank = melFilterBank({ ...opts, nFft });
  if (S.rows !== bank.nBins) throw badParameter('S.rows', S.rows, `${bank.nBins} frequency bins`);
  const T = S.cols;
  const out = new Float32Array(bank.nBands * T);
  const col = new Float64Array(S.rows);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < S.rows; k++) col[k] = S.data[k * T + t];
    applyFilterBank(bank, col, out, t, T);
  }
  return { rows: bank.nBands, cols: T, data: out };
}

// ---- decibels ------------------------------------------------------------------------------

/** 10 log10(x) = DB_PER_NEPER * ln(x) (Math.log is about twice as fast as Math.log10 in V8). */
export const DB_PER_NEPER = 10 / Math.LN10;

export interface PowerToDbOptions {
  /** Reference power (number, scaled by abs) or 'max' (the largest value of S). Default 1. */
  ref: number | 'max';
  /** Floor for S and ref before taking logs. Default 1e-10. */
  amin: number;
  /** Clip at (max dB - topDb); null to disable. Default 80. */
  topDb: number | null;
}

/**
 * librosa.power_to_db: 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then clipped below at
 * max - topDb. Logs are taken in float64; output float32, same shape as S.
 */
export function powerToDb(S: Matrix, opts: Partial<PowerToDbOptions> = {}): Matrix {
  const out = new Float32Array(S.data.length);
  powerToDbArray(S.data, out, opts);
  return { rows: S.rows, cols: S.cols, data: out };
}

/** powerToDb on flat arrays (the clip uses the maximum over all of `values`). */
export function powerToDbArray(
  values: ArrayLike<number>,
  out: Float32Array | Float64Array,
  opts: Partial<PowerToDbOptions> = {},
): void {
  const o: PowerToDbOptions = { ref: 1.0, amin: 1e-10, topDb: 80.0, ...stripUndefined(opts) };
  if (!(o.amin > 0)) throw badParameter('amin', o.amin, 'a positive number');
  if (o.topDb !== null && !(o.topDb >= 0)) throw badParameter('topDb', o.topDb, 'a non-negative number or null');
  const n = values.length;
  let refValue: number;
  if (o.ref === 'max') {
    refValue = -Infinity;
    for (let i = 0; i < n; i++) if (values[i] > refValue) refValue = values[i];
    if (n === 0) refValue = 0;
  } else {
    refValue = Math.abs(o.ref);
  }
  const offset = DB_PER_NEPER * Math.log(Math.max(o.amin, refValue));
  const amin = o.amin;
  let maxDb = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const db = DB_PER_NEPER * Math.log(v > amin ? v : amin) - offset;
    out[i] = db;
    if (db > maxDb) maxDb = db;
  }
  if (o.topDb !== null && n > 0) {
    const floor = Math.fround(maxDb) - o.topDb;
    for (let i = 0; i < n; i++) if (out[i] < floor) out[i] = floor;
  }
}
