/**
 * A dense float32 matrix in row-major order, shape [rows, cols].
 * Feature matrices follow librosa's layout: rows = features (bins, bands, coefficients),
 * cols = frames.
 */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float32Array(rows * cols) };
}

export function row(m: Matrix, r: number): Float32Array {
  return m.data.subarray(r * m.cols, (r + 1) * m.cols);
}
