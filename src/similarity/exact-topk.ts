/**
 * Exact top-k lists from a fast, approximate similarity product.
 *
 * A tensor backend (./backends/) computes the product of float32 unit rows tile by tile; its
 * values are within `eps` of the float64 scores (eps: the backend's stated error bound plus the
 * rounding of the rows to float32, doubled for margin). A pair is re-scored in float64, by one
 * fixed function, only if its approximate score could still enter a list: approx >= (the row's
 * current k-th exact score) - eps for the nearest, approx <= (its current `least`-th lowest) + eps
 * for the farthest. Since a skipped pair's exact score is below (above) a list value that only
 * rises (falls), the lists are exactly those of a brute-force float64 ranking, whatever the
 * backend and whatever order the tiles come in: highest first (lowest first for the farthest),
 * ties by the smaller index, non-finite scores never listed, a row's own index never listed.
 */
import { badParameter } from '../errors.js';
import type { BackendName, TensorBackend, Tile } from './backends/backend.js';
import { tensorBackend } from './backends/select.js';
import { TileScanner } from './tile-scan.js';
import { rowDots } from './f64-kernels.js';
import { sharedCopy, startWorkers, waitForZero } from '../util/shared-work.js';

/** Per-row lists: row i's entries at [i*k, i*k+k), best first. */
export interface TopKResult {
  n: number;
  k: number;
  /** Neighbour indices, n * k; -1 where a row has fewer than k listable others. */
  index: Int32Array;
  /** Their float64 scores, descending (the same bits on every backend); NaN where index is -1. */
  score: Float64Array;
  /** With `least` > 0: each row's `least` lowest-scoring others, lowest first (ties: smaller index). */
  farthest?: { k: number; index: Int32Array; score: Float64Array };
  /** The tensor backend that computed the candidate products. */
  backend: BackendName;
}

/** Options shared by the exact top-k functions. */
export interface ExactTopKOptions {
  /** Neighbours per row (default 10). */
  k?: number;
  /** Also the `least` lowest-scoring others per row (default 0: none). */
  least?: number;
  /** Tile size in rows (both sides; default: the backend's). */
  blockSize?: number;
  /** A tensor backend, or its name (default: YASR_TENSOR_BACKEND, else the fastest that loads). */
  backend?: TensorBackend | BackendName;
  /** Find candidates with the SIMD scan where it loads (default true; false scans in JavaScript). */
  simdScan?: boolean;
}

const U24 = 2 ** -24;

/** Each row's lists: row i's k nearest at [i*k, i*k+k) (best first), its `least` farthest at [i*least, ...). */
export interface ListArrays {
  nearIdx: Int32Array;
  nearScore: Float64Array;
  farIdx: Int32Array;
  farScore: Float64Array;
}

/** Empty lists (index -1, the worst scores), in shared memory when `shared` (for threads). */
function emptyLists(n: number, k: number, least: number, shared = false): ListArrays {
  const mem = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    nearIdx: new Int32Array(mem(4 * n * k)).fill(-1),
    nearScore: new Float64Array(mem(8 * n * k)).fill(-Infinity),
    farIdx: new Int32Array(mem(4 * n * least)).fill(-1),
    farScore: new Float64Array(mem(8 * n * least)).fill(Infinity),
  };
}

/** Sorted exact lists and the approximate thresholds that admit a candidate. */
class RowLists {
  readonly nearIdx: Int32Array;
  readonly nearScore: Float64Array;
  readonly farIdx: Int32Array;
  readonly farScore: Float64Array;
  /** An approximate score below hi[i] cannot enter row i's nearest list. */
  readonly hi: Float64Array;
  /** An approximate score above lo[i] cannot enter row i's farthest list. */
  readonly lo: Float64Array;

  constructor(
    readonly n: number,
    readonly k: number,
    readonly least: number,
    private readonly eps: number,
    /** Mirrors the thresholds in float32 for the SIMD scan (rounded outwards). */
    private readonly scanner: TileScanner | null = null,
    /** The lists' arrays, as emptyLists makes them (shared with another thread); default: new ones. */
    storage: ListArrays = emptyLists(n, k, least),
  ) {
    this.nearIdx = storage.nearIdx;
    this.nearScore = storage.nearScore;
    this.farIdx = storage.farIdx;
    this.farScore = storage.farScore;
    this.hi = new Float64Array(n).fill(-Infinity);
    // no farthest lists: NaN admits nothing (every comparison with it is false)
    this.lo = new Float64Array(n).fill(least > 0 ? Infinity : NaN);
    if (scanner) {
      for (let i = 0; i < n; i++) {
        scanner.setHi(i, this.hi[i]);
        scanner.setLo(i, this.lo[i]);
      }
    }
  }

  /**
   * Offer the pair (i, j) with approximate score `approx` to both rows, re-scoring it with
   * `exact` only if it could enter a list.
   */
  consider(i: number, j: number, approx: number, exact: (i: number, j: number) => number): void {
    const { hi, lo } = this;
    if (approx >= hi[i] || approx <= lo[i] || approx >= hi[j] || approx <= lo[j]) {
      const e = exact(i, j);
      this.offer(i, j, e);
      this.offer(j, i, e);
    }
  }

  /** Offer j with exact score s to row i's lists. */
  offer(i: number, j: number, s: number): void {
    if (!Number.isFinite(s)) return;
    const k = this.k;
    const I = this.nearIdx;
    const S = this.nearScore;
    const base = i * k;
    let p = base + k - 1;
    // (s, j) beats the last entry: higher score, or equal and smaller index (or the slot is empty)
    if (s > S[p] || (s === S[p] && (I[p] === -1 || j < I[p]))) {
      while (p > base) {
        const q = p - 1;
        if (s > S[q] || (s === S[q] && (I[q] === -1 || j < I[q]))) {
          S[p] = S[q];
          I[p] = I[q];
          p = q;
        } else break;
      }
      S[p] = s;
      I[p] = j;
      const last = base + k - 1;
      if (I[last] !== -1) {
        this.hi[i] = S[last] - this.eps;
        this.scanner?.setHi(i, this.hi[i]);
      }
    }
    const m = this.least;
    if (m === 0) return;
    const FI = this.farIdx;
    const FS = this.farScore;
    const fb = i * m;
    p = fb + m - 1;
    if (s < FS[p] || (s === FS[p] && (FI[p] === -1 || j < FI[p]))) {
      while (p > fb) {
        const q = p - 1;
        if (s < FS[q] || (s === FS[q] && (FI[q] === -1 || j < FI[q]))) {
          FS[p] = FS[q];
          FI[p] = FI[q];
          p = q;
        } else break;
      }
      FS[p] = s;
      FI[p] = j;
      const last = fb + m - 1;
      if (FI[last] !== -1) {
        this.lo[i] = FS[last] + this.eps;
        this.scanner?.setLo(i, this.lo[i]);
      }
    }
  }

  result(backend: BackendName): TopKResult {
    const clean = (idx: Int32Array, sc: Float64Array) => sc.map((s, p) => (idx[p] === -1 ? NaN : s));
    const r: TopKResult = { n: this.n, k: this.k, index: this.nearIdx, score: clean(this.nearIdx, this.nearScore), backend };
    if (this.least > 0) r.farthest = { k: this.least, index: this.farIdx, score: clean(this.farIdx, this.farScore) };
    return r;
  }
}

function checkOptions(o: ExactTopKOptions): { k: number; least: number; backend: TensorBackend } {
  const k = o.k ?? 10;
  const least = o.least ?? 0;
  if (!Number.isInteger(k) || k < 1) throw badParameter('k', k, 'a positive integer');
  if (!Number.isInteger(least) || least < 0) throw badParameter('least', least, 'an integer >= 0');
  if (o.blockSize !== undefined && (!Number.isInteger(o.blockSize) || o.blockSize < 1)) throw badParameter('blockSize', o.blockSize, 'a positive integer');
  const backend = typeof o.backend === 'object' ? o.backend : tensorBackend(o.backend);
  return { k, least, backend };
}

/** The margin between a backend's tile value and the float64 score of the unit rows it came from. */
function margin(backend: TensorBackend, dim: number): number {
  // rows rounded to float32 move a dot product of unit vectors by <= (2 u + u^2); the float64
  // scores and norms add ~dim 2^-53; doubled for margin
  return 2 * (backend.errorBound(dim) + 3 * U24);
}

/**
 * Float64 dot product of rows i and j of U (dim values each), summed in index order: symmetric in
 * i and j to the last bit, and the same arithmetic as the vector model's rows.
 */
function dot(U: Float64Array, i: number, j: number, dim: number): number {
  let acc = 0;
  const a = i * dim;
  const b = j * dim;
  for (let t = 0; t < dim; t++) acc += U[a + t] * U[b + t];
  return acc;
}

/**
 * Each row's k highest dot products with the other rows of U (n * dim float64 values, rows of unit
 * length or zero), excluding itself; optionally its `least` lowest. Scores are `dot` of the rows
 * (a zero row scores 0 with every row; a row with a non-finite value is nobody's neighbour and
 * has none). Each pair's tile value is computed once (the product is symmetric).
 */
export function unitRowsTopK(U: Float64Array, dim: number, options: ExactTopKOptions = {}): TopKResult {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  if (U.length % dim !== 0) throw badParameter('vectors length', U.length, `a multiple of dim=${dim}`);
  const { k, least, backend } = checkOptions(options);
  const n = U.length / dim;
  const scanner = n >= 2 && options.simdScan !== false ? TileScanner.create(n) : null;
  const lists = new RowLists(n, k, least, margin(backend, dim), scanner);
  if (n < 2) return lists.result(backend.name);
  const rows = { data: Float32Array.from(U), n, dim };
  const bound = backend.bind(rows, rows);
  const exact = (i: number, j: number) => dot(U, i, j, dim);
  const br = options.blockSize ?? backend.tileRows;
  const bc = options.blockSize ?? Math.max(backend.tileCols, br);
  try {
    for (let i0 = 0; i0 < n; i0 += br) {
      const i1 = Math.min(n, i0 + br);
      // columns from i0 on: the blocks left of the diagonal were seen as their transposes
      for (let j0 = i0; j0 < n; j0 += bc) {
        const j1 = Math.min(n, j0 + bc);
        const t = bound.tile(i0, i1, j0, j1);
        if (scanner) {
          scanTile(scanner, lists, t, i0, i1, j0, j1, exact);
          continue;
        }
        considerPlain(lists, t.data, t.offset, t.stride, i0, i1, j0, j1, exact);
      }
    }
  } finally {
    bound.dispose();
  }
  return lists.result(backend.name);
}

/**
 * Copy a tile (rows i0..i1-1, columns j0..j1-1, pairs j > i only) into the scanner and consider
 * the pairs of the quads it returns.
 */
function scanTile(scanner: TileScanner, lists: RowLists, t: Tile, i0: number, i1: number, j0: number, j1: number, exact: (i: number, j: number) => number): void {
  const rows = i1 - i0;
  const cols = j1 - j0;
  const stride = Math.ceil(cols / 4) * 4;
  const area = scanner.area(rows, stride);
  if (t.stride === stride) area.data.set(t.data.subarray(t.offset, t.offset + rows * stride), area.offset);
  else {
    for (let r = 0; r < rows; r++) {
      area.data.set(t.data.subarray(t.offset + r * t.stride, t.offset + r * t.stride + cols), area.offset + r * stride);
      area.data.fill(NaN, area.offset + r * stride + cols, area.offset + (r + 1) * stride);
    }
  }
  considerScanned(scanner, lists, rows, cols, stride, i0, j0, exact);
}

/**
 * Consider, in JavaScript, each pair (i, j), j > i, of a tile of approximate scores (rows
 * i0..i1-1 at data[offset + (i - i0) * stride], columns j0..j1-1) that passes a threshold of its
 * row or its column: considerScanned's work without the SIMD scan.
 */
function considerPlain(lists: RowLists, data: Float32Array, offset: number, stride: number, i0: number, i1: number, j0: number, j1: number, exact: (i: number, j: number) => number): void {
  const { hi, lo } = lists;
  for (let i = i0; i < i1; i++) {
    const o = offset + (i - i0) * stride - j0;
    let hiI = hi[i];
    let loI = lo[i];
    for (let j = Math.max(j0, i + 1); j < j1; j++) {
      const s = data[o + j];
      if (s >= hiI || s <= loI || s >= hi[j] || s <= lo[j]) {
        lists.consider(i, j, s, exact);
        hiI = hi[i];
        loI = lo[i];
      }
    }
  }
}

/** Scan the scanner's tile area and consider each candidate pair (i, j) with j > i. */
function considerScanned(scanner: TileScanner, lists: RowLists, rows: number, cols: number, stride: number, i0: number, j0: number, exact: (i: number, j: number) => number): void {
  const { count, cand, at } = scanner.scan(rows, cols, stride, i0, j0);
  const data = scanner.data;
  const base = scanner.area(rows, stride).offset;
  for (let p = 0; p < count; p++) {
    const r = cand[at + 2 * p];
    const c0 = 4 * cand[at + 2 * p + 1];
    const i = i0 + r;
    for (let c = c0; c < Math.min(c0 + 4, cols); c++) {
      const j = j0 + c;
      if (j > i) lists.consider(i, j, data[base + r * stride + c], exact);
    }
  }
}

/**
 * Window matching (see windowMatchScores in ./cosine.ts): score(i, j) = max(max over j's windows
 * w of C_i . w, max over i's windows v of v . C_j), for unit (or zero) summary rows C (n x dim)
 * and window rows W, track i owning windows start[i] .. start[i+1]-1. The float64 value of every
 * listed score is the one windowMatchScores gives (same products, same order).
 */
export function windowScore(C: Float64Array, W: Float64Array, start: Int32Array, dim: number, i: number, j: number): number {
  let m = -Infinity;
  const ci = i * dim;
  const cj = j * dim;
  for (let w = start[j]; w < start[j + 1]; w++) {
    let acc = 0;
    const o = w * dim;
    for (let t = 0; t < dim; t++) acc += C[ci + t] * W[o + t];
    if (acc > m) m = acc;
  }
  for (let v = start[i]; v < start[i + 1]; v++) {
    let acc = 0;
    const o = v * dim;
    for (let t = 0; t < dim; t++) acc += W[o + t] * C[cj + t];
    if (acc > m) m = acc;
  }
  return m;
}

/**
 * windowScore as a function of (i, j) over fixed C, W and start, its products in WebAssembly
 * (src/similarity/f64-kernels.ts: the same sums to the bit; c . w and w . c are the same products),
 * the maxima taken in windowScore's order.
 */
export function windowScorer(C: Float64Array, W: Float64Array, start: Int32Array, dim: number): (i: number, j: number) => number {
  const dotsW = rowDots(W, dim);
  return (i, j) => {
    let m = -Infinity;
    const a = dotsW(C, i * dim, start[j], start[j + 1] - start[j]);
    for (let r = 0; r < a.length; r++) if (a[r] > m) m = a[r];
    const b = dotsW(C, j * dim, start[i], start[i + 1] - start[i]);
    for (let r = 0; r < b.length; r++) if (b[r] > m) m = b[r];
    return m;
  };
}

/** Options of windowMatchTopK. */
export interface WindowTopKOptions extends ExactTopKOptions {
  /**
   * Threads, this one included (default 1), from WINDOW_THREADS_FROM tracks on: worker threads
   * (./window-topk-worker.ts) and this one take bands of rows from a shared counter, each keeping
   * lists of the pairs it scored; the lists are then merged. The same lists as one thread (each
   * is the exact top-k of its pairs). A backend given as an object runs on this thread only.
   */
  threads?: number;
}

/** Below this many tracks a thread costs more than it saves (it starts in ~50 ms and copies the windows). */
export const WINDOW_THREADS_FROM = 1000;

/**
 * The exact top-k (and bottom-`least`) of the window-matching scores of n tracks (see
 * {@link windowScore}). The tiles are products of summaries (rows of C) with windows (rows of W);
 * each is reduced by owner to the best window per track pair, and each product is computed once:
 * P[i][j] = max over j's windows of C_i . w, score = max(P[i][j], P[j][i]).
 */
export function windowMatchTopK(C: Float64Array, W: Float64Array, start: Int32Array, dim: number, options: WindowTopKOptions = {}): TopKResult {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  const n = C.length / dim;
  const nW = W.length / dim;
  if (!Number.isInteger(n) || !Number.isInteger(nW) || start.length !== n + 1 || start[0] !== 0 || start[n] !== nW) {
    throw badParameter('window match shapes', { C: C.length, W: W.length, start: start.length, dim }, 'C and W multiples of dim, start of n + 1 offsets from 0 to the number of windows');
  }
  for (let i = 0; i < n; i++) {
    if (!(start[i + 1] >= start[i])) throw badParameter(`start[${i + 1}]`, start[i + 1], `>= start[${i}] = ${start[i]}`);
  }
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1)) throw badParameter('threads', options.threads, 'a positive integer');
  const { k, least, backend } = checkOptions(options);
  const bs = options.blockSize ?? backend.tileRows;
  const bands = Math.ceil(n / bs);
  const threads = typeof options.backend === 'object' || n < WINDOW_THREADS_FROM ? 1 : Math.min(bands, options.threads ?? 1);
  if (threads === 1) {
    let next = 0;
    return windowBands({ C, W, start, dim, k, least, backend, options }, emptyLists(n, k, least), () => (next < bands ? next++ : -1)).result(backend.name);
  }
  const data = { C: sharedCopy(C), W: sharedCopy(W), start: sharedCopy(start), dim, k, least, backend: backend.name, blockSize: options.blockSize, simdScan: options.simdScan };
  const outs = Array.from({ length: threads }, () => emptyLists(n, k, least, true));
  // state[0]: the next band of rows; state[1]: takes in progress
  const state = new Int32Array(new SharedArrayBuffer(8));
  const workers = outs.slice(1).flatMap((out) => startWorkers(import.meta.url, 'window-topk-worker', 1, { ...data, out, state }));
  try {
    windowBands({ C, W, start, dim, k, least, backend, options }, outs[0], takeFrom(state, bands));
    // every band is taken: wait for the bands still being computed
    waitForZero(state, 1, 'cosine window lists: a thread stopped in the middle of its rows');
  } finally {
    for (const w of workers) void w.terminate();
  }
  return { n, k, ...mergeLists(outs, n, k, least), backend: backend.name };
}

/** Takes of bands [0, bands) from a shared counter (state[0]): the next band, or -1 when none is left. */
function takeFrom(state: Int32Array, bands: number): () => number {
  return () => {
    const b = Atomics.add(state, 0, 1);
    return b < bands ? b : -1;
  };
}

/** What windowBands computes with. */
interface WindowWork {
  C: Float64Array;
  W: Float64Array;
  start: Int32Array;
  dim: number;
  k: number;
  least: number;
  backend: TensorBackend;
  options: ExactTopKOptions;
}

/**
 * The pairs of the bands of rows that `take` hands out (band b: rows [b * bs, (b + 1) * bs) with
 * every column from the band's first row on), offered to lists in `storage`; `take` returns -1
 * when there is none left. `state` (a worker thread's): each take and its band counted in
 * progress at state[1], which the calling thread waits to see at 0.
 */
function windowBands(w: WindowWork, storage: ListArrays, take: () => number, state?: Int32Array): RowLists {
  const { C, W, start, dim, k, least, backend, options } = w;
  const n = C.length / dim;
  const nW = W.length / dim;
  const scanner = n >= 2 && options.simdScan !== false ? TileScanner.create(n) : null;
  const lists = new RowLists(n, k, least, margin(backend, dim), scanner, storage);
  if (n < 2) return lists;
  const owner = new Int32Array(nW);
  for (let i = 0; i < n; i++) owner.fill(i, start[i], start[i + 1]);
  const bound = backend.bind({ data: Float32Array.from(C), n, dim }, { data: Float32Array.from(W), n: nW, dim });
  const bs = options.blockSize ?? backend.tileRows;
  const wc = options.blockSize ?? backend.tileCols;
  const stride = Math.ceil(bs / 4) * 4;
  const exact = windowScorer(C, W, start, dim);
  const own = scanner ? null : new Float32Array(bs * stride);
  const wStride = Math.ceil(wc / 4) * 4;
  if (scanner) {
    // every allocation before the first view is taken: views of a grown memory are detached
    scanner.area(bs, stride);
    scanner.productArea(bs, wStride);
  }
  /**
   * Into S (rows of tracks r, columns of tracks c, at stride): max over c's windows w of
   * C_r . w, at S[r][c], or at S[c][r] when `transposed`.
   */
  const bestWindows = (S: Float32Array, so: number, r0: number, r1: number, c0: number, c1: number, transposed: boolean): void => {
    for (let w0 = start[c0]; w0 < start[c1]; w0 += wc) {
      const w1 = Math.min(start[c1], w0 + wc);
      const t = bound.tile(r0, r1, w0, w1);
      const data = t.data;
      if (scanner) {
        // in WebAssembly: copy the tile beside S, reduce it there
        const ps = Math.ceil((w1 - w0) / 4) * 4;
        const pa = scanner.productArea(r1 - r0, ps);
        if (t.stride === ps) pa.data.set(data.subarray(t.offset, t.offset + (r1 - r0) * ps), pa.offset);
        else for (let r = 0; r < r1 - r0; r++) pa.data.set(data.subarray(t.offset + r * t.stride, t.offset + r * t.stride + (w1 - w0)), pa.offset + r * ps);
        scanner.reduceMax(r1 - r0, w1 - w0, ps, start, w0, owner[w0], c0, stride, transposed);
        continue;
      }
      for (let r = r0; r < r1; r++) {
        const o = t.offset + (r - r0) * t.stride - w0;
        if (transposed) {
          const po = so + (r - r0) - c0 * stride;
          for (let w = w0; w < w1; w++) {
            const v = data[o + w];
            const p = po + owner[w] * stride;
            if (v > S[p]) S[p] = v;
          }
        } else {
          const po = so + (r - r0) * stride - c0;
          for (let w = w0; w < w1; w++) {
            const v = data[o + w];
            const p = po + owner[w];
            if (v > S[p]) S[p] = v;
          }
        }
      }
    }
  };
  try {
    for (;;) {
      if (state) Atomics.add(state, 1, 1);
      try {
        const b = take();
        if (b < 0) break;
        band(b * bs, Math.min(n, b * bs + bs));
      } finally {
        if (state) {
          Atomics.sub(state, 1, 1);
          Atomics.notify(state, 1);
        }
      }
    }
  } finally {
    bound.dispose();
  }
  return lists;

  /** The tiles of rows [i0, i1) with columns from i0 on. */
  function band(i0: number, i1: number): void {
    for (let j0 = i0; j0 < n; j0 += bs) {
      const j1 = Math.min(n, j0 + bs);
      const rows = i1 - i0;
      const cols = j1 - j0;
      // S[i][j] = max(P[i][j], P[j][i]): the best window of j for i's summary, and of i for j's
      const area = scanner ? scanner.area(rows, stride) : { data: own!, offset: 0 };
      const S = area.data;
      const so = area.offset;
      for (let r = 0; r < rows; r++) {
        S.fill(-Infinity, so + r * stride, so + r * stride + cols);
        S.fill(NaN, so + r * stride + cols, so + (r + 1) * stride); // never a candidate
      }
      bestWindows(S, so, i0, i1, j0, j1, false);
      if (j0 !== i0) bestWindows(S, so, j0, j1, i0, i1, true);
      else {
        for (let r = 0; r < rows; r++) {
          for (let c = r + 1; c < cols; c++) {
            const b = S[so + c * stride + r];
            if (b > S[so + r * stride + c]) S[so + r * stride + c] = b;
          }
        }
      }
      if (scanner) {
        considerScanned(scanner, lists, rows, cols, stride, i0, j0, exact);
        continue;
      }
      considerPlain(lists, S, so, stride, i0, i1, j0, j1, exact);
    }
  }
}

/** Each row's lists of several threads merged: the best k (and the `least` worst) of their union, ties to the smaller index. */
function mergeLists(parts: ListArrays[], n: number, k: number, least: number): Pick<TopKResult, 'index' | 'score' | 'farthest'> {
  const merge = (m: number, idx: (p: ListArrays) => Int32Array, score: (p: ListArrays) => Float64Array, sign: number) => {
    const index = new Int32Array(n * m).fill(-1);
    const out = new Float64Array(n * m).fill(NaN);
    const pos = new Int32Array(parts.length);
    for (let i = 0; i < n; i++) {
      pos.fill(i * m);
      for (let q = i * m; q < i * m + m; q++) {
        // the head that comes first: listed, better score, or equal and smaller index
        let best = -1;
        for (let t = 0; t < parts.length; t++) {
          if (pos[t] >= i * m + m) continue;
          const j = idx(parts[t])[pos[t]];
          if (j === -1) continue;
          if (best === -1) {
            best = t;
            continue;
          }
          const s = sign * score(parts[t])[pos[t]];
          const b = sign * score(parts[best])[pos[best]];
          if (s > b || (s === b && j < idx(parts[best])[pos[best]])) best = t;
        }
        if (best === -1) break;
        index[q] = idx(parts[best])[pos[best]];
        out[q] = score(parts[best])[pos[best]];
        pos[best]++;
      }
    }
    return { index, score: out };
  };
  const near = merge(k, (p) => p.nearIdx, (p) => p.nearScore, 1);
  if (least === 0) return near;
  const far = merge(least, (p) => p.farIdx, (p) => p.farScore, -1);
  return { ...near, farthest: { k: least, index: far.index, score: far.score } };
}

/** A worker thread of windowMatchTopK (./window-topk-worker.ts): bands from the shared counter into its own lists. */
export function windowTopKThread(d: { C: Float64Array; W: Float64Array; start: Int32Array; dim: number; k: number; least: number; backend: BackendName; blockSize?: number; simdScan?: boolean; out: ListArrays; state: Int32Array }): void {
  const backend = tensorBackend(d.backend);
  const options = { blockSize: d.blockSize, simdScan: d.simdScan };
  const bands = Math.ceil((d.start.length - 1) / (d.blockSize ?? backend.tileRows));
  windowBands({ C: d.C, W: d.W, start: d.start, dim: d.dim, k: d.k, least: d.least, backend, options }, d.out, takeFrom(d.state, bands), d.state);
}
