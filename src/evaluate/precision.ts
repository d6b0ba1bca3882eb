/**
 * Leave-one-out precision@k for similarity evaluation, with the exact random baseline and the
 * best achievable score for the same labels. Pure functions, no I/O.
 *
 * Terms, for a query i among n items:
 *  - candidates: every item j != i; with an artist filter, every j whose artist differs from
 *    the query's (the MIREX "artist filter": same-artist items are removed from the ranking
 *    before taking the top k, so an album/genre label cannot be matched by the artist alone).
 *  - relevant: candidates sharing the query's label.
 *  - a query with no relevant candidate is skipped (not scored) and counted in `skipped`.
 *
 * All three functions skip the same queries, so their precisions are directly comparable.
 */
import { badParameter } from '../errors.js';

export { neighboursFromDistanceMatrix } from './neighbours.js';
export type { NeighbourOrderOptions } from './neighbours.js';
export { selfRetrieval } from './self-retrieval.js';
export type { SelfRetrievalOptions, SelfRetrievalResult } from './self-retrieval.js';

/** Neighbours of item i as item indices, nearest first. The query itself may be included. */
export type NeighbourFn = (i: number) => ArrayLike<number>;

export interface PrecisionAtKOptions {
  /** Ranked neighbours of each item (see NeighbourFn). Must rank at least k candidates after
   * filtering, e.g. a full ranking or the top k + (largest artist size) items. */
  neighbours: NeighbourFn;
  /** Label of each item (album, genre...), length n. */
  labels: readonly string[];
  /** Cut-off. Default 10. */
  k?: number;
  /** Artist of each item, length n. When given, candidates by the query's artist are removed
   * before taking the top k. Default: no artist filter. */
  excludeSameArtist?: readonly string[];
}

export interface PrecisionResult {
  /** Mean over scored queries of (relevant items in the top k) / k; NaN when none was scored. */
  precision: number;
  /** Number of scored queries. */
  queries: number;
  /** Queries skipped because no candidate shares their label. */
  skipped: number;
  /** The cut-off used. */
  k: number;
}

export interface PrecisionAtKResult extends PrecisionResult {
  /** Per-query precision, length n; NaN for skipped queries. */
  perQuery: Float64Array;
  /** Scored queries whose filtered neighbour list held fewer than min(k, candidates) items,
   * so their precision is a lower bound. 0 for a full ranking. */
  truncated: number;
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw badParameter('k', k, 'an integer >= 1');
}

function checkArtists(artists: readonly string[] | undefined, n: number, name: string): void {
  if (artists !== undefined && artists.length !== n) {
    throw badParameter(`${name}.length`, artists.length, `${n} (one artist per label)`);
  }
}

/** Per query: number of candidates and of relevant candidates. Shapes: both length n. */
function candidateCounts(
  labels: readonly string[],
  artists?: readonly string[],
): { candidates: Int32Array; relevant: Int32Array } {
  const n = labels.length;
  const byLabel = new Map<string, number>();
  const byArtist = new Map<string, number>();
  const byLabelArtist = new Map<string, number>();
  const pair = (l: string, a: string): string => JSON.stringify([l, a]);
  for (let i = 0; i < n; i++) {
    byLabel.set(labels[i], (byLabel.get(labels[i]) ?? 0) + 1);
    if (artists) {
      byArtist.set(artists[i], (byArtist.get(artists[i]) ?? 0) + 1);
      const p = pair(labels[i], artists[i]);
      byLabelArtist.set(p, (byLabelArtist.get(p) ?? 0) + 1);
    }
  }
  const candidates = new Int32Array(n);
  const relevant = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (artists) {
      candidates[i] = n - byArtist.get(artists[i])!;
      relevant[i] = byLabel.get(labels[i])! - byLabelArtist.get(pair(labels[i], artists[i]))!;
    } else {
      candidates[i] = n - 1;
      relevant[i] = byLabel.get(labels[i])! - 1;
    }
  }
  return { candidates, relevant };
}

/**
 * Leave-one-out precision@k: each item in turn is the query; its ranked neighbours (itself
 * removed, and with `excludeSameArtist` every item by its artist removed) are cut to the first
 * k, and the share of them with the query's label is its precision. Duplicate indices in a
 * neighbour list count once. Queries whose label has no other member (after filtering) are
 * skipped and counted.
 *
 * @returns precision (mean over scored queries), queries scored, skipped, k, perQuery (length
 *   n, NaN where skipped) and truncated (queries whose list ran short, see the result type).
 * @throws YasrError BAD_PARAMETER for k < 1, mismatched lengths or a neighbour index outside
 *   [0, n).
 */
export function precisionAtK(opts: PrecisionAtKOptions): PrecisionAtKResult {
  const { neighbours, labels, excludeSameArtist: artists } = opts;
  const k = opts.k ?? 10;
  checkK(k);
  const n = labels.length;
  checkArtists(artists, n, 'excludeSameArtist');
  const { candidates, relevant } = candidateCounts(labels, artists);
  const perQuery = new Float64Array(n).fill(Number.NaN);
  const seen = new Int32Array(n).fill(-1); // seen[j] === i: j already taken for query i
  let sum = 0;
  let queries = 0;
  let skipped = 0;
  let truncated = 0;
  for (let i = 0; i < n; i++) {
    if (relevant[i] === 0) {
      skipped++;
      continue;
    }
    const list = neighbours(i);
    let taken = 0;
    let hits = 0;
    for (let r = 0; r < list.length && taken < k; r++) {
      const j = list[r];
      if (!Number.isInteger(j) || j < 0 || j >= n) {
        throw badParameter(`neighbours(${i})[${r}]`, j, `an item index in [0, ${n})`);
      }
      if (j === i || seen[j] === i) continue;
      if (artists && artists[j] === artists[i]) continue;
      seen[j] = i;
      taken++;
      if (labels[j] === labels[i]) hits++;
    }
    if (taken < Math.min(k, candidates[i])) truncated++;
    perQuery[i] = hits / k;
    sum += hits / k;
    queries++;
  }
  return { precision: queries ? sum / queries : Number.NaN, queries, skipped, k, perQuery, truncated };
}

/**
 * Exact expected precision@k of a uniformly random ranking of the candidates (no simulation):
 * for a query with c candidates of which s are relevant, the top min(k, c) hold on average
 * min(k, c) * s / c relevant items, so its expected precision is min(k, c) * s / (c * k), which
 * is s / c whenever k <= c. Averaged over the queries precisionAtK would score (s >= 1).
 *
 * @param labels label of each item, length n
 * @param k cut-off, default 10
 * @param artists optional artist of each item (same filter as precisionAtK's excludeSameArtist)
 */
export function randomBaseline(labels: readonly string[], k = 10, artists?: readonly string[]): PrecisionResult {
  checkK(k);
  checkArtists(artists, labels.length, 'artists');
  const { candidates, relevant } = candidateCounts(labels, artists);
  let sum = 0;
  let queries = 0;
  let skipped = 0;
  for (let i = 0; i < labels.length; i++) {
    const s = relevant[i];
    const c = candidates[i];
    if (s === 0) {
      skipped++;
      continue;
    }
    sum += (Math.min(k, c) * s) / (c * k);
    queries++;
  }
  return { precision: queries ? sum / queries : Number.NaN, queries, skipped, k };
}

/**
 * Best achievable precision@k for these labels: a perfect ranking puts all s relevant
 * candidates first, scoring min(k, s) / k. Averaged over the queries precisionAtK would score.
 *
 * @param labels label of each item, length n
 * @param k cut-off, default 10
 * @param artists optional artist of each item (same filter as precisionAtK's excludeSameArtist)
 */
export function bestPossible(labels: readonly string[], k = 10, artists?: readonly string[]): PrecisionResult {
  checkK(k);
  checkArtists(artists, labels.length, 'artists');
  const { relevant } = candidateCounts(labels, artists);
  let sum = 0;
  let queries = 0;
  let skipped = 0;
  for (let i = 0; i < labels.length; i++) {
    const s = relevant[i];
    if (s === 0) {
      skipped++;
      continue;
    }
    sum += Math.min(k, s) / k;
    queries++;
  }
  return { precision: queries ? sum / queries : Number.NaN, queries, skipped, k };
}
