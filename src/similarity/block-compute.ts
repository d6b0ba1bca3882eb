/**
 * Computing one block of pair distances: shared by the inline path of runBlocks and the worker.
 */
import { badParameter } from '../errors.js';
import { type Block, type PackedSequences, forEachPair, blockPairCount, sequenceView } from './blocks.js';
import { bandWidth, dtw } from './dtw.js';
import { fastdtw } from './fastdtw.js';
import { type Envelope, lbKeogh } from './lb-keogh.js';

/** What to compute for each pair. */
export interface MethodSpec {
  /**
   * - 'dtw': exact DTW (dtw.ts), optionally banded / pruned;
   * - 'fastdtw': FastDTW as the Python package computes it, fastdtw(seq_i, seq_j), i < j;
   * - 'cosine': 1 - cosine similarity of the two items' values (items of equal length, typically
   *   one frame each: a per-track feature vector).
   */
  method: 'dtw' | 'fastdtw' | 'cosine';
  /** DTW: Sakoe-Chiba band as a fraction of the longer sequence (default: none). */
  band?: number;
  /** FastDTW radius (default 1). */
  radius?: number;
  /** Average this many consecutive frames first (default 1: none); done once, before packing. */
  pool?: number;
  /**
   * DTW top-k pruning: each worker keeps, per track, the k smallest distances it has computed;
   * a pair whose LB_Keogh (if `lbKeogh`) or partial DTW exceeds the larger of the two tracks'
   * current k-th distances is abandoned and reported as Infinity (it cannot be in either track's
   * final top-k). Exact top-k, fewer exact distances. Default: off (every distance exact).
   */
  pruneK?: number;
  /** With pruneK: try LB_Keogh (both directions) before the DTW. Default true when pruning. */
  lbKeogh?: boolean;
}

/** Validate a spec; throws a BAD_PARAMETER YasrError quoting the bad value. */
export function checkSpec(spec: MethodSpec): void {
  if (!['dtw', 'fastdtw', 'cosine'].includes(spec.method)) {
    throw badParameter('method', spec.method, "'dtw', 'fastdtw' or 'cosine'");
  }
  if (spec.band !== undefined && !(spec.band >= 0 && spec.band <= 1)) {
    throw badParameter('band', spec.band, 'a fraction in [0, 1]');
  }
  if (spec.radius !== undefined && !(Number.isInteger(spec.radius) && spec.radius >= 1)) {
    throw badParameter('radius', spec.radius, 'an integer >= 1');
  }
  if (spec.pool !== undefined && !(Number.isInteger(spec.pool) && spec.pool >= 1)) {
    throw badParameter('pool', spec.pool, 'an integer >= 1');
  }
  if (spec.pruneK !== undefined && !(Number.isInteger(spec.pruneK) && spec.pruneK >= 1)) {
    throw badParameter('pruneK', spec.pruneK, 'an integer >= 1');
  }
  if (spec.pruneK !== undefined && spec.method !== 'dtw') {
    throw badParameter('pruneK', spec.pruneK, "used only with method 'dtw'");
  }
}

/** Envelopes for LB_Keogh, one per packed sequence (shared memory), see envelopeWindow. */
export interface PackedEnvelopes {
  lower: Float32Array;
  upper: Float32Array;
  /** band half-width each sequence's envelope was built with */
  window: Int32Array;
}

/**
 * The envelope half-width for sequence i that is valid for every pair it can be in:
 * max over partners of the pair's band width, i.e. max(ceil(band * max(n_i, Lmax)),
 * n_i - Lmin, Lmax - n_i) with Lmin/Lmax the shortest/longest sequence.
 */
export function envelopeWindow(n: number, lmin: number, lmax: number, band?: number): number {
  return Math.max(bandWidth(n, lmax, band), n - lmin, lmax - n);
}

/** A function computing a block's distances (Float32Array in the block's pair order). */
export type BlockComputer = (block: Block) => Float32Array;

/** Build the per-thread block computer for `packed` (already pooled) and `spec`. */
export function createBlockComputer(
  packed: PackedSequences,
  spec: MethodSpec,
  envelopes?: PackedEnvelopes,
): BlockComputer {
  checkSpec(spec);
  const dim = packed.dim;
  const n = packed.count;
  const views: Float32Array[] = [];
  for (let i = 0; i < n; i++) views.push(sequenceView(packed, i));
  const envView = (i: number): Envelope | undefined => {
    if (!envelopes) return undefined;
    const o = packed.offsets[i] * dim;
    const len = packed.lengths[i];
    return {
      frames: len,
      dim,
      window: envelopes.window[i],
      lower: envelopes.lower.subarray(o, o + len * dim),
      upper: envelopes.upper.subarray(o, o + len * dim),
    };
  };
  const k = spec.pruneK ?? 0;
  // per-track k smallest distances seen by this thread, unsorted; kth[i] = their max (Infinity
  // until k are known)
  const best = k > 0 ? new Float64Array(n * k).fill(Infinity) : new Float64Array(0);
  const kth = k > 0 ? new Float64Array(n).fill(Infinity) : new Float64Array(0);
  const offer = (i: number, d: number): void => {
    if (!(d < kth[i])) return;
    const base = i * k;
    // replace the current maximum, then recompute the maximum
    let mx = -Infinity;
    let at = base;
    for (let q = base; q < base + k; q++) {
      if (best[q] > mx) {
        mx = best[q];
        at = q;
      }
    }
    best[at] = d;
    mx = -Infinity;
    for (let q = base; q < base + k; q++) if (best[q] > mx) mx = best[q];
    kth[i] = mx;
  };
  const useLb = k > 0 && (spec.lbKeogh ?? true) && envelopes !== undefined;

  const pairDistance = (i: number, j: number): number => {
    const a = views[i];
    const b = views[j];
    switch (spec.method) {
      case 'fastdtw':
        return fastdtw(a, b, dim, { radius: spec.radius ?? 1 });
      case 'cosine':
        return cosineDistance(a, b);
      case 'dtw': {
        if (k === 0) return dtw(a, b, dim, { band: spec.band });
        const bound = Math.max(kth[i], kth[j]);
        if (useLb && bound < Infinity) {
          if (lbKeogh(a, envView(j)!, bound) > bound) return Infinity;
          if (lbKeogh(b, envView(i)!, bound) > bound) return Infinity;
        }
        const d = dtw(a, b, dim, { band: spec.band, upperBound: bound });
        if (d < Infinity) {
          offer(i, d);
          offer(j, d);
        }
        return d;
      }
    }
  };

  return (block: Block): Float32Array => {
    const out = new Float32Array(blockPairCount(block));
    forEachPair(block, (i, j, p) => {
      out[p] = pairDistance(i, j);
    });
    return out;
  };
}

/** 1 - cosine similarity (zero vectors: see cosine.ts; two zero vectors give 0). */
function cosineDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw badParameter('cosine item lengths', [a.length, b.length], 'equal lengths');
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let t = 0; t < a.length; t++) {
    dot += a[t] * b[t];
    na += a[t] * a[t];
    nb += b[t] * b[t];
  }
  if (na === 0 || nb === 0) return na === 0 && nb === 0 ? 0 : 1;
  return 1 - dot / (Math.sqrt(na) * Math.sqrt(nb));
}
