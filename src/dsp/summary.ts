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

/**
 * Where windows of `windowFrames` frames start along `cols` frames: at 0, hopFrames,
 * 2 * hopFrames, ... while they fit; when the last one ends before the last frame, one more
 * window ends exactly there, so every frame is covered. At most windowFrames columns: one window
 * at 0 (the whole matrix).
 */
export function windowStarts(cols: number, windowFrames: number, hopFrames: number): number[] {
  if (!Number.isInteger(windowFrames) || windowFrames < 1) throw new RangeError(`windowFrames must be a positive integer, not ${windowFrames}`);
  if (!Number.isInteger(hopFrames) || hopFrames < 1) throw new RangeError(`hopFrames must be a positive integer, not ${hopFrames}`);
  const starts: number[] = [];
  if (cols <= windowFrames) starts.push(0);
  else {
    for (let s = 0; s + windowFrames <= cols; s += hopFrames) starts.push(s);
    if (starts[starts.length - 1] + windowFrames < cols) starts.push(cols - windowFrames);
  }
  return starts;
}

/**
 * Summary vectors of overlapping windows along the frames (windowStarts): a matrix
 * [W, 2 * rows] whose row w is summaryVector of frames [start_w, start_w + windowFrames).
 * A matrix of at most windowFrames columns gives one window: the whole matrix (its summaryVector).
 */
export function windowSummaries(m: Matrix, windowFrames: number, hopFrames: number): Matrix {
  const starts = windowStarts(m.cols, windowFrames, hopFrames);
  const len = Math.min(windowFrames, m.cols);
  const dim = 2 * m.rows;
  const out = new Float32Array(starts.length * dim);
  const part = new Float32Array(m.rows * len);
  starts.forEach((s, w) => {
    for (let r = 0; r < m.rows; r++) part.set(m.data.subarray(r * m.cols + s, r * m.cols + s + len), r * len);
    out.set(summaryVector({ rows: m.rows, cols: len, data: part }), w * dim);
  });
  return { rows: starts.length, cols: dim, data: out };
}
