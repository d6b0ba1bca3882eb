/**
 * Summary statistics of a feature matrix.
 */
import type { Matrix } from './matrix.js';

/**
 * Per-row mean, then per-row population standard deviation (ddof 0), computed in float64:
 * a float32 vector of length 2 * rows, [mean_0 .. mean_{rows-1}, std_0 .. std_{rows-1}].
 * A matrix with no columns gives zeros.
 */
export function summaryVector(m: Matrix): Float32Array {
  const { rows, cols, data } = m;
  const out = new Float32Array(2 * rows);
  if (cols === 0) return out;
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    let sum = 0;
    for (let t = 0; t < cols; t++) sum += data[off + t];
    const mean = sum / cols;
    let ss = 0;
    for (let t = 0; t < cols; t++) {
      const d = data[off + t] - mean;
      ss += d * d;
    }
    out[r] = mean;
    out[rows + r] = Math.sqrt(ss / cols);
  }
  return out;
}
