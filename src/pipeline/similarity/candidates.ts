/**
 * Candidates, then exact re-ranking: `yasr similarity --candidates C`. Every method computes its
 * exact score only on each track's C nearest by the catalogue's ANN index (./ann-index.ts: a
 * per-track vector, z-scored, unit length, so the inner product is the cosine), made symmetric:
 * the pair {i, j} is scored when j is among i's C candidates or i among j's
 * (src/similarity/shortlist.ts's symmetricPairs, the machinery of the dtw shortlist). About n * C
 * pairs instead of n (n - 1) / 2. Which vector: the method's `candidateVectors` (./method.ts), the
 * space its score lives in: timbre_summary (the default cosine's summary) for cosine, timbre, dtw
 * and fastdtw; descriptors for features (timbre neighbours say nothing of tempo or key: recall@10
 * 0.05 from timbre_summary candidates on the synthetic catalogue, 1.0 from descriptors); both for
 * hybrid, whose candidates are the union of its C nearest by each (2 C per track).
 *
 * Incremental and resumable as the sets they feed, but not bit-reproducible from scratch: an HNSW
 * graph depends on the order tracks were added, so an index updated over many runs may return a
 * few other candidates than one built at once (exact scores and C >= n - 1 are unaffected).
 *
 * - Vector methods (cosine, timbre, features, hybrid): each track's list is the k best of its
 *   candidate pairs by the method's exact score (the very values of the all-pairs model's row;
 *   z-scores fitted on the whole catalogue as always). No farthest list unless every pair is a
 *   candidate. timbre and hybrid normalise by mutual proximity, whose per-track mean and spread
 *   need a track's distances to the whole catalogue: with candidates they are estimated on a
 *   seeded sample of {@link MP_SAMPLE} tracks (exact when the catalogue has no more than that).
 * - dtw and fastdtw: `--candidates C` is the shortlist again with another source. `--shortlist N`
 *   takes each track's N nearest by exact cosine of the z-scored mfcc_summary (an all-pairs cosine
 *   pass: O(n^2), fast but quadratic); `--candidates C` takes its C nearest from the ANN index
 *   (O(n log n)). The wanted pairs go through the same shortlist stage (stored pair distances,
 *   incremental, resumable). Giving both is refused: one option with two sources, because
 *   chaining them (ANN, then exact cosine, then DTW) would add a second approximation and a third
 *   parameter for the same purpose, picking pairs for the expensive method.
 * - C >= n - 1: every pair is a candidate and the index is not consulted: the lists equal the
 *   all-pairs ones exactly (farthest included for vector methods).
 *
 * A set's candidates are part of its parameters (like --shortlist): its lists are approximate,
 * a different result from the all-pairs set, and both can be kept (yasr evaluate --candidates
 * compares them). Absent (the default) or `all` means all pairs, and leaves the set's identity as
 * it was before candidates existed, except above {@link allPairsMax} analysed tracks, where the
 * default becomes {@link DEFAULT_CANDIDATES} candidates, and dtw's above {@link dtwAllPairsMax}
 * tracks, where its default becomes a shortlist ({@link withCatalogueDefaults}).
 */
import type { Db } from '../../store/db.js';
import { badParameter } from '../../errors.js';
import { allPairs, symmetricPairs } from '../../similarity/shortlist.js';
import { catalogueIndex, type AnnIndexOptions, type AnnIndexReport } from './ann-index.js';
import type { CatalogueEntry } from './catalogue.js';
import { DEFAULTS } from './defaults.js';

// the parameter side of candidates lives apart, so that naming them loads no index code
export { ALL_PAIRS_MAX, DEFAULT_CANDIDATES, MP_SAMPLE, allPairsMax, candidatesParam, dtwAllPairsMax, normalizeCandidates, sequencePairsParam, withAnnVector, withCatalogueDefaults } from './candidate-params.js';

export interface CandidatePairs {
  /** Wanted pairs as positions into the entries (a0, b0, a1, b1, ...; a < b, sorted). */
  pairs: Int32Array;
  /** Every pair of the catalogue is a candidate (C >= n - 1): lists are the all-pairs ones. */
  complete: boolean;
  /** The indexes as used, one per vector (none when every pair is a candidate). */
  indexes: AnnIndexReport[];
}

/**
 * The candidate pairs of `entries` (see the module doc): each entry's `size` nearest others by the
 * ANN index of each of `vectors` (default [DEFAULTS.vector]), their union made symmetric. An
 * entry an index does not hold (no finite vector) has no candidates from it.
 */
export function candidatePairs(db: Db, entries: CatalogueEntry[], size: number, ann: Omit<AnnIndexOptions, 'vector'> & { vectors?: string[] } = {}): CandidatePairs {
  if (!Number.isInteger(size) || size < 1) throw badParameter('candidates', size, 'an integer >= 1');
  const n = entries.length;
  if (n < 2) return { pairs: new Int32Array(0), complete: true, indexes: [] };
  if (size >= n - 1) return { pairs: allPairs(n), complete: true, indexes: [] };
  const vectors = [...new Set(ann.vectors ?? [DEFAULTS.vector])];
  const width = size * vectors.length;
  const lists = new Int32Array(n * width).fill(-1);
  const indexes = vectors.map((vector, v) => searchInto(db, entries, size, { ...ann, vector }, lists, width, v * size));
  return { pairs: symmetricPairs(lists, n, width), complete: false, indexes };
}

/** Each entry's `size` nearest by one vector's index, written into its row of `lists` from column `col`. */
function searchInto(db: Db, entries: CatalogueEntry[], size: number, ann: AnnIndexOptions, lists: Int32Array, width: number, col: number): AnnIndexReport {
  const n = entries.length;
  const ci = catalogueIndex(db, ann);
  const { index, rows, pos, dim } = ci;
  const at = new Map(entries.map((e, i) => [e.trackId, i]));
  // queries: the entries the index holds
  const queries: number[] = [];
  for (let i = 0; i < n; i++) if (pos.has(entries[i].trackId)) queries.push(i);
  const q = new Float32Array(queries.length * dim);
  queries.forEach((i, r) => {
    const p = pos.get(entries[i].trackId)!;
    q.set(rows.subarray(p * dim, (p + 1) * dim), r * dim);
  });
  // the index may hold tracks this method's catalogue lacks: ask for enough to skip them
  let outside = 0;
  for (const id of pos.keys()) if (!at.has(id)) outside++;
  const k = Math.min(index.size(), size + 1 + outside);
  const m = queries.length && k > 0 ? index.search(q, k) : null;
  queries.forEach((i, r) => {
    let w = 0;
    for (let c = 0; c < k && w < size; c++) {
      const key = m!.keys[r * k + c];
      const j = key < 0 ? undefined : at.get(key);
      if (j === undefined || j === i) continue;
      lists[i * width + col + w++] = j;
    }
  });
  return ci.report;
}


