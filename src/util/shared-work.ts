/**
 * What the synchronous thread pools (src/similarity/skl-matrix.ts, src/similarity/l1-triangle.ts)
 * share: worker threads that take rows from a counter in shared memory beside the calling
 * thread, and the caller's wait (Atomics.wait: it stays synchronous) until no take is in
 * progress.
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
