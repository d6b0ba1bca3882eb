/**
 * Merging block results into per-track top-k lists (smallest distance first).
 */
import { badParameter } from '../errors.js';
import { type Block, forEachPair } from './blocks.js';

/** Per-track top-k: row i's neighbours at [i*k, i*k+k), nearest first. */
export interface NeighbourLists {
  n: number;
  k: number;
  /** neighbour indices, n * k; -1 where fewer than k finite distances were seen */
  index: Int32Array;
  /** distances, n * k, ascending per row; Infinity where index is -1 */
  distance: Float32Array;
}

/**
 * Accumulates the k nearest neighbours of every track from pair distances (each pair updates
 * both tracks). Infinite and NaN distances are ignored (abandoned pairs). Ties are broken by the
 * smaller neighbour index, so the result does not depend on the order blocks arrive in.
 */
export class TopKAccumulator {
  readonly n: number;
  readonly k: number;
  private readonly idx: Int32Array;
  private readonly dist: Float64Array;

  constructor(n: number, k: number) {
    if (!Number.isInteger(n) || n < 0) throw badParameter('n', n, 'an integer >= 0');
    if (!Number.isInteger(k) || k < 1) throw badParameter('k', k, 'an integer >= 1');
    this.n = n;
    this.k = k;
    this.idx = new Int32Array(n * k).fill(-1);
    this.dist = new Float64Array(n * k).fill(Infinity);
  }

  /** Offer neighbour j at distance d to track i. */
  offer(i: number, j: number, d: number): void {
    if (!(d < Infinity)) return;
    const base = i * this.k;
    const D = this.dist;
    const I = this.idx;
    let p = base + this.k - 1;
    // (d, j) must beat the last entry: smaller distance, or equal distance and smaller index
    if (!(d < D[p] || (d === D[p] && (I[p] === -1 || j < I[p])))) return;
    while (p > base) {
      const q = p - 1;
      if (d < D[q] || (d === D[q] && (I[q] === -1 || j < I[q]))) {
        D[p] = D[q];
        I[p] = I[q];
        p = q;
      } else break;
    }
    D[p] = d;
    I[p] = j;
  }

  /** Add one pair (both directions). */
  addPair(i: number, j: number, d: number): void {
    this.offer(i, j, d);
    this.offer(j, i, d);
  }

  /** Add a finished block's distances (as runBlocks hands them to onBlock). */
  addBlock(block: Block, distances: Float32Array): void {
    forEachPair(block, (i, j, p) => this.addPair(i, j, distances[p]));
  }

  /** The lists so far. */
  result(): NeighbourLists {
    return { n: this.n, k: this.k, index: this.idx.slice(), distance: Float32Array.from(this.dist) };
  }
}
