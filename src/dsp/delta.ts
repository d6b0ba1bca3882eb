/**
 * Delta features: how each row of a feature matrix changes from frame to frame, by the
 * regression over +-width frames (the HTK/ETSI formula, the usual "delta MFCCs"):
 *
 *   d[t] = sum_{k=1..width} k (x[t + k] - x[t - k]) / (2 sum_{k=1..width} k^2)
 *
 * with frames beyond either end taken as the first or last frame (edges repeated). A linear ramp
 * of slope s has delta s away from the edges; a constant row has delta 0 everywhere.
 *
 * The timbre Gaussian of the similarity features is fitted to the level-referenced MFCCs and
 * their deltas of width 2 (src/pipeline/analyze-track.ts, `timbre_gauss_delta`): chosen on the
 * main part of the evaluation corpus, checked on its fresh part (benchmarks/RESULTS.md,
 * "Features version 10").
 */
import type { Matrix } from './matrix.js';
import { badParameter } from '../errors.js';

/** The deltas' default half-width in frames (+-2 frames: about 46 ms each way at hop 512, 22,050 Hz). */
export const DELTA_WIDTH = 2;

/**
 * Deltas of each row of x [d, T] (row-major, librosa layout): a [d, T] matrix.
 *
 * @param width half-width of the regression in frames, an integer >= 1 (default DELTA_WIDTH)
 * @throws YasrError BAD_PARAMETER for another width
 */
export function delta(x: Matrix, width = DELTA_WIDTH): Matrix {
  if (!Number.isInteger(width) || width < 1) throw badParameter('width', width, 'an integer >= 1');
  const { rows, cols: T, data } = x;
  const out = new Float32Array(rows * T);
  let den = 0;
  for (let k = 1; k <= width; k++) den += 2 * k * k;
  for (let r = 0; r < rows; r++) {
    const o = r * T;
    for (let t = 0; t < T; t++) {
      let s = 0;
      for (let k = 1; k <= width; k++) s += k * (data[o + Math.min(T - 1, t + k)] - data[o + Math.max(0, t - k)]);
      out[o + t] = s / den;
    }
  }
  return { rows, cols: T, data: out };
}

/** x [d, T] with its deltas below it: a [2d, T] matrix (the rows of x, then the rows of delta(x, width)). */
export function withDeltas(x: Matrix, width = DELTA_WIDTH): Matrix {
  const d = delta(x, width);
  const data = new Float32Array(2 * x.rows * x.cols);
  data.set(x.data.subarray(0, x.rows * x.cols), 0);
  data.set(d.data, x.rows * x.cols);
  return { rows: 2 * x.rows, cols: x.cols, data };
}
