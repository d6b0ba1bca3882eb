/**
 * The symmetric matrix of log(1 + SKL) between every two models of a GaussianSet, [n, n] float32
 * (diagonal 0): what timbre's mutual proximity needs (n^2 / 2 divergences). With `threads` > 1 and
 * enough models, worker threads (src/similarity/skl-worker.ts) and the calling thread take rows
 * in chunks from a shared counter until none is left; the caller then waits (Atomics.wait: it
 * stays synchronous) for the chunks still being computed. A worker that never starts takes no
 * chunk, so the caller computes its share. Every value is skl() of the same arrays in the same
 * order (in WebAssembly SIMD where it loads: ./skl-kernel.ts, the same bits; `kernel: 'js'` keeps
 * the JavaScript loop): the matrix is the same whatever the threads and the kernel.
 */
import { skl, type SklModels } from './gaussian.js';
import { sklRowKernel, type SklRowKernel } from './skl-kernel.js';
import { sharedCopy, sharedMatrix, takeChunks } from '../util/shared-work.js';

/** Below this many models threads cost more than they save (a thread starts in ~50 ms). */
export const SKL_THREADS_FROM = 1500;
/** Rows a thread takes at a time. */
const CHUNK = 16;

export type SklKernelChoice = 'auto' | 'js';

/** Rows [from, to) of the upper triangle into full (both halves), with `kernel` when given. */
export function sklRows(g: SklModels, full: Float32Array, from: number, to: number, kernel: SklRowKernel | null = null): void {
  const n = g.n;
  if (kernel) {
    const row = new Float64Array(n);
    for (let i = from; i < to; i++) {
      kernel.after(i, row);
      for (let j = i + 1; j < n; j++) full[i * n + j] = full[j * n + i] = row[j - i - 1];
    }
    return;
  }
  for (let i = from; i < to; i++) {
    for (let j = i + 1; j < n; j++) full[i * n + j] = full[j * n + i] = Math.log1p(skl(g, i, j));
  }
}

/**
 * Take chunks of rows from the shared counter (state[0]: the next row; state[1]: chunks being
 * computed) until every row is taken.
 */
export function sklChunks(g: SklModels, full: Float32Array, state: Int32Array, choice: SklKernelChoice = 'auto'): void {
  const kernel = choice === 'js' ? null : sklRowKernel(g);
  takeChunks(state, g.n, CHUNK, (from, to) => sklRows(g, full, from, to, kernel));
}

/**
 * The matrix, computed by `threads` threads (this one included) when n >= SKL_THREADS_FROM;
 * `kernel` 'js' keeps the JavaScript loop (the same values; for tests and comparisons).
 */
export function sklMatrix(g: SklModels, threads = 1, kernel: SklKernelChoice = 'auto'): Float32Array {
  const n = g.n;
  const t = n >= SKL_THREADS_FROM ? Math.max(1, Math.floor(threads)) : 1;
  if (t === 1) {
    const full = new Float32Array(n * n);
    sklRows(g, full, 0, n, kernel === 'js' ? null : sklRowKernel(g));
    return full;
  }
  const set: SklModels = { n, d: g.d, mean: sharedCopy(g.mean), packedCov: sharedCopy(g.packedCov), packedInv: sharedCopy(g.packedInv) };
  return sharedMatrix(import.meta.url, 'skl-worker', n, t, { set, kernel }, (full, state) => sklChunks(g, full, state, kernel), 'timbre divergences: a thread stopped in the middle of its rows');
}
