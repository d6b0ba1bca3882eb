/**
 * MFCC from a log-power mel spectrogram: DCT-II with norm='ortho' along the mel axis, first
 * nMfcc rows (librosa.feature.mfcc(S=mel_db, n_mfcc, dct_type=2, norm='ortho')).
 */
import { badParameter } from '../errors.js';
import type { Matrix } from './matrix.js';
import { dotRun } from './mel.js';

const dctCache = new Map<string, Float64Array>();

/**
 * Orthonormal DCT-II basis, row-major [nMfcc, nMels] (float64, memoised, read-only):
 * D[k, m] = sqrt((k == 0 ? 1 : 2) / nMels) * cos(pi k (2m + 1) / (2 nMels)).
 */
export function dctMatrix(nMfcc: number, nMels: number): Float64Array {
  if (!Number.isInteger(nMels) || nMels < 1) throw badParameter('nMels', nMels, 'a positive integer');
  if (!Number.isInteger(nMfcc) || nMfcc < 1 || nMfcc > nMels) throw badParameter('nMfcc', nMfcc, `an integer in 1 .. ${nMels}`);
  const key = `${nMfcc}/${nMels}`;
  let d = dctCache.get(key);
  if (!d) {
    d = new Float64Array(nMfcc * nMels);
    for (let k = 0; k < nMfcc; k++) {
      const scale = Math.sqrt((k === 0 ? 1 : 2) / nMels);
      for (let m = 0; m < nMels; m++) d[k * nMels + m] = scale * Math.cos((Math.PI * k * (2 * m + 1)) / (2 * nMels));
    }
    dctCache.set(key, d);
  }
  return d;
}

/**
 * Checks the number of mel bands a band-limited DCT reads: the lowest `bands` of nMels, at least
 * nMfcc of them (src/dsp/level-reference.ts bandLimitedMfcc, src/dsp/analyze.ts analyzeTimbre).
 */
export function checkDctBands(bands: number, nMfcc: number, nMels: number): void {
  if (!Number.isInteger(bands) || bands < nMfcc || bands > nMels) throw badParameter('bands', bands, `an integer in ${nMfcc} .. ${nMels} (nMfcc .. nMels)`);
}

/**
 * Per-frame orthonormal DCT-II (first nMfcc coefficients of nMels inputs). For even nMels it
 * uses the basis symmetry D[k, N-1-m] = (-1)^k D[k, m], halving the multiplications.
 */
export class DctFrame {
  // `declare` + constructor assignment: see the note in fft.ts on class fields and V8.
  declare readonly nMfcc: number;
  declare readonly nMels: number;
  declare private readonly basis: Float64Array;
  declare private readonly half: number;
  declare private readonly sum: Float64Array;
  declare private readonly diff: Float64Array;

  constructor(nMfcc: number, nMels: number) {
    this.nMfcc = nMfcc;
    this.nMels = nMels;
    const full = dctMatrix(nMfcc, nMels);
    this.half = nMels % 2 === 0 ? nMels >> 1 : 0;
    if (this.half) {
      this.basis = new Float64Array(nMfcc * this.half);
      for (let k = 0; k < nMfcc; k++) for (let m = 0; m < this.half; m++) this.basis[k * this.half + m] = full[k * nMels + m];
    } else {
      this.basis = full;
    }
    this.sum = new Float64Array(this.half);
    this.diff = new Float64Array(this.half);
  }

  /** out[outOffset + k * stride] = sum_m D[k, m] x[m], k < nMfcc. */
  apply(x: Float64Array, out: Float32Array | Float64Array, outOffset = 0, stride = 1): void {
    const { nMfcc, nMels, half, basis, sum, diff } = this;
    if (!half) {
      for (let k = 0; k < nMfcc; k++) {
        let acc = 0;
        for (let m = 0; m < nMels; m++) acc += basis[k * nMels + m] * x[m];
        out[outOffset + k * stride] = acc;
      }
      return;
    }
    for (let m = 0; m < half; m++) {
      const a = x[m];
      const b = x[nMels - 1 - m];
      sum[m] = a + b;
      diff[m] = a - b;
    }
    for (let k = 0; k < nMfcc; k++) {
      out[outOffset + k * stride] = dotRun(basis, k * half, half, (k & 1) === 0 ? sum : diff, 0);
    }
  }
}

/**
 * MFCC [nMfcc, T] from mel_db [nMels, T] (float64 sums, float32 output). Default nMfcc 20.
 */
export function mfccFromDb(melDb: Matrix, opts: { nMfcc?: number } = {}): Matrix {
  const nMfcc = opts.nMfcc ?? 20;
  const nMels = melDb.rows;
  const T = melDb.cols;
  const dct = new DctFrame(nMfcc, nMels);
  const out = new Float32Array(nMfcc * T);
  const col = new Float64Array(nMels);
  const data = melDb.data;
  for (let t = 0; t < T; t++) {
    for (let m = 0; m < nMels; m++) col[m] = data[m * T + t];
    dct.apply(col, out, t, T);
  }
  return { rows: nMfcc, cols: T, data: out };
}
