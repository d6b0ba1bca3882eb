/**
 * The symmetric matrix of cosine distances (1 - u_i . u_j) between every two unit rows, [n, n]
 * float32 (diagonal 0): what mutual proximity over cosine distances needs (the timbre
 * supervector's, src/pipeline/similarity/timbre-model.ts). With `threads` > 1 and enough rows,
 * worker threads (./cosine-matrix-worker.ts) and the calling thread take rows in chunks from a
 * shared counter, as ./skl-matrix.ts does; every value is rowDots' product of the same rows
 * (./f64-kernels.ts), so the matrix is the same whatever the threads.
 */
import { rowDots } from './f64-kernels.js';
import { sharedCopy, sharedMatrix, takeChunks } from '../util/shared-work.js';

/** Below this many rows threads cost more than they save (a thread starts in ~50 ms and copies the rows). */
export const COSINE_THREADS_FROM = 1500;
/** Rows a thread takes at a time. */
const CHUNK = 16;

/** Rows [from, to) of the upper triangle into full (both halves). */
function cosineRows(u: Float64Array, dim: number, full: Float32Array, from: number, to: number, dots: ReturnType<typeof rowDots>): void {
  const n = u.length / dim;
  for (let i = from; i < to; i++) {
    const r = dots(u, i * dim, i + 1, n - i - 1);
    for (let j = i + 1; j < n; j++) full[i * n + j] = full[j * n + i] = 1 - r[j - i - 1];
  }
}

/** Take chunks of rows from the shared counter (state[0]: the next row; state[1]: chunks being computed) until every row is taken. */
export function cosineChunks(u: Float64Array, dim: number, full: Float32Array, state: Int32Array): void {
  const n = dim > 0 ? u.length / dim : 0;
  const dots = rowDots(u, dim);
  takeChunks(state, n, CHUNK, (from, to) => cosineRows(u, dim, full, from, to, dots));
}

/**
 * 1 - u_i . u_j for every two rows of `u` (n rows of `dim` values, unit length or zero; row-major),
 * computed by `threads` threads (this one included) when n >= COSINE_THREADS_FROM.
 */
export function cosineDistanceMatrix(u: Float64Array, dim: number, threads = 1): Float32Array {
  const n = dim > 0 ? u.length / dim : 0;
  const t = n >= COSINE_THREADS_FROM ? Math.max(1, Math.floor(threads)) : 1;
  if (t === 1) {
    const full = new Float32Array(n * n);
    if (n > 0) cosineRows(u, dim, full, 0, n, rowDots(u, dim));
    return full;
  }
  const shared = sharedCopy(u);
  return sharedMatrix(import.meta.url, 'cosine-matrix-worker', n, t, { u: shared, dim }, (full, state) => cosineChunks(shared, dim, full, state), 'cosine distances: a thread stopped in the middle of its rows');
}
