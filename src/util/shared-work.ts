/**
 * What the synchronous thread pools (src/similarity/skl-matrix.ts, src/similarity/cosine-matrix.ts,
 * src/similarity/l1-triangle.ts) share: worker threads that take rows from a counter in shared
 * memory beside the calling thread, and the caller's wait (Atomics.wait: it stays synchronous)
 * until no take is in progress.
 */
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { workerFile } from './worker-url.js';

/**
 * `count` worker threads of the compiled module `baseName` beside `fromUrl` (see workerFile),
 * each given `workerData`. A worker that fails to start or throws is left alone (its 'error' is
 * handled): it takes no rows, and the others and the caller take them.
 */
export function startWorkers(fromUrl: string, baseName: string, count: number, workerData: unknown): Worker[] {
  const file = workerFile(fromUrl, baseName);
  // node:worker_threads only when threads run (a stored-track recommend builds the models'
  // module graph and must not load it)
  const { Worker: WorkerClass } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  return Array.from({ length: count }, () => {
    const w = new WorkerClass(file, { workerData });
    w.on('error', () => {});
    return w;
  });
}

/**
 * Wait until state[index] (the takes in progress) is 0. Throws Error(`stalled`) after 600 waits
 * of a second each without a change: a thread stopped in the middle of its rows.
 */
export function waitForZero(state: Int32Array, index: number, stalled: string): void {
  let waited = 0;
  for (let busy = Atomics.load(state, index); busy > 0; busy = Atomics.load(state, index)) {
    if (Atomics.wait(state, index, busy, 1000) === 'timed-out' && ++waited > 600) throw new Error(stalled);
  }
}

/** A copy of `a` in shared memory, for worker threads to read. */
export function sharedCopy<T extends Float32Array | Float64Array | Int32Array>(a: T): T {
  const s = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

/**
 * Take chunks of `chunk` rows from the counter in shared memory (state[0]: the next row;
 * state[1]: chunks being computed) until all `n` rows are taken; `rows(from, to)` computes each.
 */
export function takeChunks(state: Int32Array, n: number, chunk: number, rows: (from: number, to: number) => void): void {
  for (;;) {
    Atomics.add(state, 1, 1);
    const from = Atomics.add(state, 0, chunk);
    try {
      if (from >= n) return;
      rows(from, Math.min(n, from + chunk));
    } finally {
      Atomics.sub(state, 1, 1);
      Atomics.notify(state, 1);
    }
  }
}

/**
 * An n x n float32 matrix in shared memory filled by `threads` threads: `threads - 1` workers of
 * the compiled module `baseName` beside `fromUrl` (given `workerData` and the matrix and counter
 * as `full` and `state`) and the caller (`take(full, state)`), which then waits for the chunks
 * still being computed (Error(`stalled`) if a thread stops in the middle of its rows).
 */
export function sharedMatrix(
  fromUrl: string,
  baseName: string,
  n: number,
  threads: number,
  workerData: Record<string, unknown>,
  take: (full: Float32Array, state: Int32Array) => void,
  stalled: string,
): Float32Array {
  const full = new Float32Array(new SharedArrayBuffer(n * n * 4));
  const state = new Int32Array(new SharedArrayBuffer(8));
  const workers = startWorkers(fromUrl, baseName, threads - 1, { ...workerData, full, state });
  try {
    take(full, state);
    // every row is taken: wait for the chunks still being computed
    waitForZero(state, 1, stalled);
  } finally {
    for (const w of workers) void w.terminate();
  }
  return full;
}
