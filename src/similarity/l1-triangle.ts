/**
 * Every pair's L1 distances of an {@link L1Space}'s rows, over several segments of the row (the
 * blocks method's patterns), the upper triangle band by band: rows [i0, i1) of the band are
 * computed, then handed to `onBand` on the calling thread, in row order. With `threads` > 1 and
 * enough rows, worker threads (./l1-triangle-worker.ts) and the calling thread take the band's
 * rows a few at a time from a shared counter; the caller waits (Atomics.wait: it stays
 * synchronous) for the rows still being computed, then opens the next band (in a second buffer)
 * to the workers and calls `onBand` while they compute it. Every value comes from
 * the same kernel arithmetic (src/similarity/l1-kernel.ts: the same bits in WebAssembly and in
 * JavaScript), and `onBand` sees the bands in the same order, so whatever consumes them gets the
 * same values whatever the threads. A worker that never starts takes no rows: the caller
 * computes its share.
 */
import { l1Space, type L1Space } from './l1-kernel.js';
import { sharedCopy, startWorkers, waitForZero } from '../util/shared-work.js';

/** A slice of each row: values [offset, offset + length). */
export interface Segment {
  offset: number;
  length: number;
}

/** Below this many rows threads cost more than they save (a thread starts in ~50 ms and copies the rows). */
export const L1_THREADS_FROM = 1000;
/** A band's distances take at most about this many bytes (float64). */
const BAND_BYTES = 32 * 1024 * 1024;
/** Rows a thread takes at a time (and compares with each group of columns in turn). */
const CHUNK = 16;
/** Columns compared at a time with a chunk's rows: one segment of them (up to 800 values) stays in the cache. */
const COLUMNS = 64;

// the shared state: the next row to take, the current band's end, the takes in progress, the generation (-1: stop)
const [NEXT, I1, BUSY, GEN] = [0, 1, 2, 3];

/**
 * A band: band[((i - i0) * S + s) * n + j] is the distance of rows i and j over segment s, for
 * i0 <= i < i1 and i < j < n (other entries are not set).
 */
export type BandCallback = (i0: number, i1: number, band: Float64Array) => void;

/**
 * Rows [from, to) of the band starting at i0 into `band`. Columns go by in groups of COLUMNS
 * rows, each segment of a group compared with every row of [from, to) before the next: the
 * group's values are read from memory once for all of them (then from the cache), where a row at
 * a time read the whole catalogue once per row. Every distance is the same kernel call's.
 */
export function triangleRows(space: L1Space, n: number, segments: readonly Segment[], band: Float64Array, i0: number, from: number, to: number): void {
  const S = segments.length;
  for (let c0 = from + 1; c0 < n; c0 += COLUMNS) {
    const c1 = Math.min(n, c0 + COLUMNS);
    for (let s = 0; s < S; s++) {
      for (let i = from; i < to; i++) {
        const j0 = Math.max(c0, i + 1);
        if (j0 >= c1) continue;
        const at = ((i - i0) * S + s) * n + j0;
        space.fromRow(i, segments[s].offset, segments[s].length, j0, c1 - j0, band.subarray(at, at + c1 - j0));
      }
    }
  }
}

/**
 * Take chunks of rows from the shared counter until the current band's are all taken. The counter
 * runs over all rows, never back: band k holds rows [k * rowsPerBand, (k + 1) * rowsPerBand), and
 * a row's band follows from its index (and its buffer: bands[k % 2]). I1, the current band's
 * end, is read at each take, and only moves once every row before it is computed, so a thread
 * that still holds an earlier end takes nothing.
 */
export function takeRows(space: L1Space, n: number, segments: readonly Segment[], bands: readonly Float64Array[], state: Int32Array, rowsPerBand: number): void {
  for (;;) {
    Atomics.add(state, BUSY, 1);
    try {
      const i1 = Atomics.load(state, I1);
      const from = Atomics.load(state, NEXT);
      if (from >= i1) return;
      const to = Math.min(i1, from + CHUNK);
      if (Atomics.compareExchange(state, NEXT, from, to) !== from) continue;
      const k = Math.floor(from / rowsPerBand);
      triangleRows(space, n, segments, bands[k % 2], k * rowsPerBand, from, to);
    } finally {
      Atomics.sub(state, BUSY, 1);
      Atomics.notify(state, BUSY);
    }
  }
}

/**
 * The upper triangle of `space` (n rows of dim values, filled) over `segments`, band by band
 * to `onBand`. `threads`: this one included; `threadsFrom`: the fewest rows that use them
 * (L1_THREADS_FROM; tests lower it); `bandRows`: rows per band (default: about 32 MB of them).
 */
export function l1Triangle(
  space: L1Space,
  n: number,
  dim: number,
  segments: readonly Segment[],
  onBand: BandCallback,
  o: { threads?: number; threadsFrom?: number; bandRows?: number } = {},
): void {
  const S = segments.length;
  if (n < 2 || S === 0) return;
  const rowsPerBand = Math.max(1, Math.min(n, o.bandRows ?? Math.floor(BAND_BYTES / (8 * S * n))));
  const t = n >= (o.threadsFrom ?? L1_THREADS_FROM) ? Math.max(1, Math.floor(o.threads ?? 1)) : 1;
  if (t === 1) {
    const band = new Float64Array(rowsPerBand * S * n);
    for (let i0 = 0; i0 < n - 1; i0 += rowsPerBand) {
      const i1 = Math.min(n - 1, i0 + rowsPerBand);
      triangleRows(space, n, segments, band, i0, i0, i1);
      onBand(i0, i1, band);
    }
    return;
  }
  // the workers' copy of the rows, the band and the state, shared
  const X = sharedCopy(space.X.subarray(0, n * dim));
  // two buffers: the workers compute band k + 1 in one while onBand reads band k in the other
  const bands = [0, 1].map(() => new Float64Array(new SharedArrayBuffer(rowsPerBand * S * n * 8)));
  const state = new Int32Array(new SharedArrayBuffer(4 * 4));
  const workers = startWorkers(import.meta.url, 'l1-triangle-worker', t - 1, { X, n, dim, segments, bands, state, rowsPerBand, kernel: space.kernel });
  /** Open the band from i0 to the threads (NEXT is i0 already: the band before took every row up to it). */
  const open = (i0: number) => {
    Atomics.store(state, I1, Math.min(n - 1, i0 + rowsPerBand));
    Atomics.add(state, GEN, 1);
    Atomics.notify(state, GEN);
  };
  try {
    open(0);
    for (let i0 = 0, k = 0; i0 < n - 1; i0 += rowsPerBand, k++) {
      const i1 = Math.min(n - 1, i0 + rowsPerBand);
      takeRows(space, n, segments, bands, state, rowsPerBand);
      // every row is taken: wait for the rows still being computed
      waitForZero(state, BUSY, 'block pattern distances: a thread stopped in the middle of its rows');
      // the next band's buffer was handed over two bands ago
      if (i1 < n - 1) open(i1);
      onBand(i0, i1, bands[k % 2]);
    }
  } finally {
    Atomics.store(state, GEN, -1);
    Atomics.notify(state, GEN);
    for (const w of workers) void w.terminate();
  }
}

/** A worker's loop: wait for a band, take its rows, until the generation is -1. */
export function triangleWorker(d: { X: Float32Array; n: number; dim: number; segments: Segment[]; bands: Float64Array[]; state: Int32Array; rowsPerBand: number; kernel: 'wasm' | 'js' }): void {
  const space = l1Space(d.n, d.dim, { kernel: d.kernel === 'js' ? 'js' : 'auto' });
  space.X.set(d.X);
  let seen = 0;
  for (;;) {
    Atomics.wait(d.state, GEN, seen);
    const gen = Atomics.load(d.state, GEN);
    if (gen < 0) return;
    seen = gen;
    takeRows(space, d.n, d.segments, d.bands, d.state, d.rowsPerBand);
  }
}
