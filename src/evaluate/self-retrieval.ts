/**
 * Self-retrieval: does a modified copy of a track (re-encoded, trimmed...) find its original?
 */
import { badParameter } from '../errors.js';
import type { NeighbourFn } from './precision.js';

export interface SelfRetrievalOptions {
  /** Ranked neighbours of an item, nearest first (item indices; the query itself is ignored). */
  neighbours: NeighbourFn;
  /** Item index of each variant query, length q. */
  queries: readonly number[];
  /** Item index of each query's original, length q. */
  originals: readonly number[];
  /** Optional kind of each query (e.g. 'reencode', 'trim5s'), length q, for a breakdown. */
  kinds?: readonly string[];
  /** Items that may appear as answers. Default: every item. Use it to hide the other variants
   * when variants and originals share one index space, e.g. (j) => !isVariant[j]. */
  isCandidate?: (j: number) => boolean;
  /** A query counts as a hit when its original is within the first k candidates. Default 1
   * (the nearest neighbour must be the original). */
  k?: number;
}

export interface SelfRetrievalCounts {
  /** hits / queries; NaN for no query. */
  rate: number;
  queries: number;
  hits: number;
  /** Mean of 1 / rank of the original (0 when it is not in the list). */
  meanReciprocalRank: number;
}

export interface SelfRetrievalResult extends SelfRetrievalCounts {
  k: number;
  /** 1-based rank of the original among the query's candidates, 0 when absent; length q. */
  ranks: Int32Array;
  /** Per kind, when `kinds` was given. */
  byKind?: Record<string, SelfRetrievalCounts>;
}

function counts(ranks: Int32Array, k: number, pick: (q: number) => boolean): SelfRetrievalCounts {
  let queries = 0;
  let hits = 0;
  let rr = 0;
  for (let q = 0; q < ranks.length; q++) {
    if (!pick(q)) continue;
    queries++;
    if (ranks[q] > 0 && ranks[q] <= k) hits++;
    if (ranks[q] > 0) rr += 1 / ranks[q];
  }
  return { rate: queries ? hits / queries : Number.NaN, queries, hits, meanReciprocalRank: queries ? rr / queries : Number.NaN };
}

/**
 * Fraction of variant queries whose nearest candidate (or one of the first k) is their original.
 *
 * @returns rate, queries, hits, meanReciprocalRank, k, ranks (length q) and byKind.
 * @throws YasrError BAD_PARAMETER for mismatched lengths, k < 1, or a query equal to its original.
 */
export function selfRetrieval(opts: SelfRetrievalOptions): SelfRetrievalResult {
  const { neighbours, queries, originals, kinds, isCandidate } = opts;
  const k = opts.k ?? 1;
  if (!Number.isInteger(k) || k < 1) throw badParameter('k', k, 'an integer >= 1');
  if (originals.length !== queries.length) {
    throw badParameter('originals.length', originals.length, `${queries.length} (one per query)`);
  }
  if (kinds && kinds.length !== queries.length) {
    throw badParameter('kinds.length', kinds.length, `${queries.length} (one per query)`);
  }
  const ranks = new Int32Array(queries.length);
  for (let q = 0; q < queries.length; q++) {
    const self = queries[q];
    const target = originals[q];
    if (self === target) throw badParameter(`queries[${q}]`, self, 'an item other than its original');
    const list = neighbours(self);
    const seen = new Set<number>();
    let rank = 0;
    for (let r = 0; r < list.length; r++) {
      const j = list[r];
      if (j === self || seen.has(j)) continue;
      if (isCandidate && j !== target && !isCandidate(j)) continue;
      seen.add(j);
      rank++;
      if (j === target) {
        ranks[q] = rank;
        break;
      }
    }
  }
  const result: SelfRetrievalResult = { ...counts(ranks, k, () => true), k, ranks };
  if (kinds) {
    result.byKind = {};
    for (const kind of [...new Set(kinds)].sort()) {
      result.byKind[kind] = counts(ranks, k, (q) => kinds[q] === kind);
    }
  }
  return result;
}
