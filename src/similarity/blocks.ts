/**
 * Packed sequences in shared memory, blocks of pairs, and block planning for the all-pairs engine.
 *
 * Pair convention: a pair is (i, j) with i < j; its distance is method(seq_i, seq_j) (argument
 * order matters only for FastDTW, which is not symmetric).
 */
import { badParameter } from '../errors.js';

/** All sequences of a catalogue in shared memory, packed once. */
export interface PackedSequences {
  /** values per frame */
  dim: number;
  /** number of sequences */
  count: number;
  /** every frame of every sequence, frame-major, back to back (SharedArrayBuffer-backed) */
  frames: Float32Array;
  /** first frame of sequence i (SharedArrayBuffer-backed), length count */
  offsets: Int32Array;
  /** frames in sequence i (SharedArrayBuffer-backed), length count */
  lengths: Int32Array;
}

/**
 * Pack frame-major sequences (each nFrames_i * dim values) into one shared Float32Array plus
 * offsets and lengths, for zero-copy use by worker threads.
 */
export function packSequences(seqs: ArrayLike<number>[], dim: number): PackedSequences {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  const count = seqs.length;
  const offsets = new Int32Array(new SharedArrayBuffer(Math.max(1, count) * 4));
  const lengths = new Int32Array(new SharedArrayBuffer(Math.max(1, count) * 4));
  let total = 0;
  for (let i = 0; i < count; i++) {
    const len = seqs[i].length / dim;
    if (!Number.isInteger(len)) throw badParameter(`sequence ${i} length`, seqs[i].length, `a multiple of dim=${dim}`);
    offsets[i] = total;
    lengths[i] = len;
    total += len;
  }
  const frames = new Float32Array(new SharedArrayBuffer(Math.max(1, total * dim) * 4));
  for (let i = 0; i < count; i++) frames.set(seqs[i], offsets[i] * dim);
  return {
    dim,
    count,
    frames,
    offsets: offsets.subarray(0, count),
    lengths: lengths.subarray(0, count),
  };
}

/** Sequence i of a packed set, as a view (no copy). */
export function sequenceView(packed: PackedSequences, i: number): Float32Array {
  const o = packed.offsets[i] * packed.dim;
  return packed.frames.subarray(o, o + packed.lengths[i] * packed.dim);
}

/**
 * A unit of work: the pairs (i, j), i in [rows[0], rows[1]), j in [cols[0], cols[1]).
 * - `diagonal`: rows === cols and only the pairs i < j inside are meant;
 * - `pairs`: an explicit list (i0, j0, i1, j1, ...) instead of the rectangle (rows/cols then
 *   just bound it).
 * Distances of a block come back as a Float32Array in pair order: row-major over the rectangle
 * (i ascending, then j ascending), skipping j <= i on a diagonal block; or the list's order.
 */
export interface Block {
  id: number;
  rows: [number, number];
  cols: [number, number];
  diagonal?: boolean;
  pairs?: Int32Array;
}

/** Number of pairs in a block. */
export function blockPairCount(b: Block): number {
  if (b.pairs) return b.pairs.length >> 1;
  const h = b.rows[1] - b.rows[0];
  const w = b.cols[1] - b.cols[0];
  return b.diagonal ? (h * (h - 1)) / 2 : h * w;
}

/** Call fn(i, j, p) for every pair of a block, p being its position in the block's results. */
export function forEachPair(b: Block, fn: (i: number, j: number, p: number) => void): void {
  if (b.pairs) {
    const P = b.pairs;
    for (let p = 0; p < P.length >> 1; p++) fn(P[2 * p], P[2 * p + 1], p);
    return;
  }
  let p = 0;
  for (let i = b.rows[0]; i < b.rows[1]; i++) {
    for (let j = b.diagonal ? i + 1 : b.cols[0]; j < b.cols[1]; j++) fn(i, j, p++);
  }
}

/** Options for {@link planBlocks}. */
export interface PlanOptions {
  /**
   * Incremental mode: only pairs with at least one index >= onlyNewFrom (new tracks appended
   * after a previous run over [0, onlyNewFrom)). Default 0 (all pairs).
   */
  onlyNewFrom?: number;
}

/**
 * Tile the pairs i < j of n sequences into blocks of at most blockSize x blockSize.
 * Tiles are [0, onlyNewFrom) in blockSize steps (old tracks), then [onlyNewFrom, n) in blockSize
 * steps (new tracks). Blocks: every (old tile, new tile) rectangle, and every (new tile a, new
 * tile b) with a <= b (a === b is a diagonal block). With onlyNewFrom = 0 this is the usual
 * upper-triangular tiling. Every wanted pair appears in exactly one block; ids are 0, 1, 2, ...
 * in plan order (rows ascending, then columns).
 */
export function planBlocks(n: number, blockSize: number, options: PlanOptions = {}): Block[] {
  const from = options.onlyNewFrom ?? 0;
  if (!Number.isInteger(n) || n < 0) throw badParameter('n', n, 'an integer >= 0');
  if (!Number.isInteger(blockSize) || blockSize < 1) throw badParameter('blockSize', blockSize, 'an integer >= 1');
  if (!Number.isInteger(from) || from < 0 || from > n) {
    throw badParameter('onlyNewFrom', from, `an integer in [0, ${n}]`);
  }
  const oldTiles: [number, number][] = [];
  for (let a = 0; a < from; a += blockSize) oldTiles.push([a, Math.min(from, a + blockSize)]);
  const newTiles: [number, number][] = [];
  for (let a = from; a < n; a += blockSize) newTiles.push([a, Math.min(n, a + blockSize)]);
  const blocks: Block[] = [];
  let id = 0;
  for (const r of oldTiles) {
    for (const c of newTiles) blocks.push({ id: id++, rows: [r[0], r[1]], cols: [c[0], c[1]] });
  }
  for (let a = 0; a < newTiles.length; a++) {
    const r = newTiles[a];
    if (r[1] - r[0] >= 2) blocks.push({ id: id++, rows: [r[0], r[1]], cols: [r[0], r[1]], diagonal: true });
    for (let b = a + 1; b < newTiles.length; b++) {
      const c = newTiles[b];
      blocks.push({ id: id++, rows: [r[0], r[1]], cols: [c[0], c[1]] });
    }
  }
  return blocks;
}

/**
 * Split an explicit list of pairs (i0, j0, i1, j1, ...) into blocks of at most `pairsPerBlock`
 * pairs (for candidate re-ranking, e.g. DTW on a cosine shortlist).
 */
export function pairListBlocks(pairs: Int32Array, pairsPerBlock: number, firstId = 0): Block[] {
  if (!Number.isInteger(pairsPerBlock) || pairsPerBlock < 1) {
    throw badParameter('pairsPerBlock', pairsPerBlock, 'an integer >= 1');
  }
  const out: Block[] = [];
  const total = pairs.length >> 1;
  let id = firstId;
  for (let p0 = 0; p0 < total; p0 += pairsPerBlock) {
    const p1 = Math.min(total, p0 + pairsPerBlock);
    const sub = pairs.slice(2 * p0, 2 * p1);
    let r0 = Infinity;
    let r1 = -Infinity;
    let c0 = Infinity;
    let c1 = -Infinity;
    for (let p = 0; p < sub.length; p += 2) {
      r0 = Math.min(r0, sub[p]);
      r1 = Math.max(r1, sub[p] + 1);
      c0 = Math.min(c0, sub[p + 1]);
      c1 = Math.max(c1, sub[p + 1] + 1);
    }
    out.push({ id: id++, rows: [r0, r1], cols: [c0, c1], pairs: sub });
  }
  return out;
}
