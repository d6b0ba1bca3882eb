/**
 * Tensor backends for the similarity product S = A Bᵀ (every row of A dotted with every row of B),
 * computed tile by tile in float32. The exact top-k (src/similarity/exact-topk.ts) only uses the
 * tiles to pick candidates and re-scores them in float64, so every backend gives the same
 * neighbours in the same order with bit-identical scores; a backend only decides the speed.
 *
 * One file per implementation:
 * - `js.ts`: plain TypeScript (always loads).
 * - `wasm-simd.ts`: a WebAssembly SIMD (f32x4) kernel assembled at load time (no toolchain).
 * - `onnxruntime.ts`: onnxruntime-node's CPU Gemm (not a dependency of yasr; used when installed).
 * - `tfjs.ts`: the slot for @tensorflow/tfjs-node-gpu (or tfjs-node). yasr never installs it (its
 *   install script downloads libtensorflow); it is loaded only if present and never required.
 *
 * Which one runs: ./select.ts (an explicit name, else YASR_TENSOR_BACKEND, else the fastest that
 * loads).
 */
export type BackendName = 'js' | 'wasm' | 'onnx' | 'tfjs';

export const BACKEND_NAMES: readonly BackendName[] = ['js', 'wasm', 'onnx', 'tfjs'];

/** `n` rows of `dim` float32 values, row-major (data.length >= n * dim). */
export interface Rows {
  data: Float32Array;
  n: number;
  dim: number;
}

/** A computed tile: S[a0 + i, b0 + j] is data[offset + i * stride + j]. */
export interface Tile {
  data: Float32Array;
  offset: number;
  stride: number;
}

/** A product bound to its two matrices (copied once into the backend's own memory if it has one). */
export interface BoundProduct {
  /**
   * The tile of S = A Bᵀ for rows a0..a1-1 of A and rows b0..b1-1 of B. Any summation order; the
   * values must lie within the backend's errorBound of the exact dot products of the float32
   * rows. Valid until the next call.
   */
  tile(a0: number, a1: number, b0: number, b1: number): Tile;
  /** Release what bind took (its memory, sessions). */
  dispose(): void;
}

export interface TensorBackend {
  readonly name: BackendName;
  /** What it runs on, for reports (version, threads). */
  readonly description: string;
  /** Preferred tile size: rows of A, rows of B per call. */
  readonly tileRows: number;
  readonly tileCols: number;
  /** Largest |tile value - exact dot product| for float32 rows of Euclidean length <= 1. */
  errorBound(dim: number): number;
  bind(a: Rows, b: Rows): BoundProduct;
}

const UNIT = 2 ** -24;

/**
 * The error bound of a float32 dot product of dim terms in any summation order (gamma_dim, plus
 * the rounding of the result), for vectors of length <= 1; also covers float64 sums rounded to
 * float32.
 */
export function float32DotBound(dim: number): number {
  return (dim + 2) * UNIT * 1.01;
}
