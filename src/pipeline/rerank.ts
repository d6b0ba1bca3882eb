/**
 * Re-ranking recommendations by ratings (thumbs up / down, see src/pipeline/ratings.ts).
 *
 * Rule. For a query q and a candidate c that passed recommend's filters:
 *
 *     S(c) = z_q(c) + W * sum_r w_r * a_r(c)
 *
 * - z_q(c): the method's score of c for q (a similarity, or a negated distance), standardised
 *   over the candidates, so the bonus is on one scale whatever the method.
 * - r runs over the rated tracks (the latest rating per query and track; at most MAX_RATED
 *   distinct tracks rated for other queries, the most recently rated, and all of this query's), with w_r = sum over r's ratings in force of
 *   value (+1 / -1) * (THIS_QUERY = 1 for a rating given for this query, OTHER_QUERY = 0.3 for
 *   one given for another query): a liked track pulls, a disliked one pushes, and ratings for
 *   this very query count most.
 * - a_r(c) = max(0, z_r(c)): how much closer than average c is to r, in the same method's
 *   space (r's own row of scores: the whole catalogue for cosine/features and for hybrid/timbre
 *   without stored lists; the stored nearest and farthest lists for dtw/fastdtw and stored
 *   hybrid/timbre, where an unlisted track gets 0), standardised over r's row without r itself.
 *   r counts as its own nearest neighbour: a_r(r) = the largest a_r of the row. Clipping at 0
 *   keeps a rating local: it moves r's neighbourhood, not the rest of the catalogue.
 * - W = 0.5: one liked track moves its nearest neighbours (z_r about 2.5 to 3) up by about
 *   1.5 standard deviations of the query's own scores for that query, and by about 0.45 for
 *   other queries (benchmarks/pipeline/rerank-session.md measures a replayed session).
 * - A track disliked for this query (latest value -1) is never shown again for it. Without any
 *   rating in force the ranking is exactly the method's (no standardisation, nothing changes).
 */
import { trackName } from '../store/tracks.js';
import type { Db } from '../store/db.js';
import { activeRatings } from '../store/ratings.js';
import { YasrError } from '../errors.js';
import type { ScoringContext } from './recommend.js';
import { orientation } from './similarity/methods.js';

export const RERANK_WEIGHT = 0.5;
export const THIS_QUERY = 1;
export const OTHER_QUERY = 0.3;
export const MAX_RATED = 200;
/** A contribution this large (in standard deviations) is named in the reason. */
const REASON_MIN = 0.5;

/** Identifies a query for ratings: a stored track and/or the audio's content hash. */
export interface QueryKey {
  trackId: number | null;
  sha256: string | null;
}

export interface RatingEffect {
  /** The method's score standardised over the candidates (higher = closer). */
  z: number;
  /** W * sum_r w_r * a_r(c). */
  bonus: number;
  /** The rated track that moved this one most, with its signed contribution. */
  because?: { trackId: number; contribution: number };
}

/**
 * The ratings that bear on one query: per rated track its weight w_r, and the hidden tracks.
 * `ratings` are the ratings in force, newest first; all of this query's count, and those of
 * other queries for at most `maxOthers` distinct tracks (the most recently rated).
 */
export function ratingWeights(
  ratings: { queryTrackId: number | null; querySha256: string | null; trackId: number; value: number; id: number }[],
  q: QueryKey,
  maxOthers = MAX_RATED,
): {
  weights: Map<number, number>;
  hidden: Set<number>;
} {
  const isThis = (r: { queryTrackId: number | null; querySha256: string | null }) =>
    (q.trackId !== null && r.queryTrackId === q.trackId) || (q.sha256 !== null && r.querySha256 === q.sha256);
  // this query's latest per track (a track whose audio changed has two keys: the newer row wins)
  const mine = new Map<number, { id: number; value: number }>();
  const weights = new Map<number, number>();
  for (const r of ratings) {
    if (isThis(r)) {
      const had = mine.get(r.trackId);
      if (!had || had.id < r.id) mine.set(r.trackId, { id: r.id, value: r.value });
    } else if (r.value !== 0 && (weights.has(r.trackId) || weights.size < maxOthers)) {
      weights.set(r.trackId, (weights.get(r.trackId) ?? 0) + OTHER_QUERY * r.value);
    }
  }
  const hidden = new Set<number>();
  for (const [id, { value }] of mine) {
    if (value === -1) hidden.add(id);
    if (value !== 0) weights.set(id, (weights.get(id) ?? 0) + THIS_QUERY * value);
  }
  for (const [id, w] of weights) if (w === 0) weights.delete(id);
  return { weights, hidden };
}

function standardise(xs: [number, number][]): Map<number, number> {
  const n = xs.length;
  const mean = n ? xs.reduce((a, [, v]) => a + v, 0) / n : 0;
  const sd = n ? Math.sqrt(xs.reduce((a, [, v]) => a + (v - mean) ** 2, 0) / n) : 0;
  return new Map(xs.map(([id, v]) => [id, sd > 0 ? (v - mean) / sd : 0]));
}

/**
 * The pure rule above. `ranked` is recommend's filtered list of [trackId, method score], best
 * first; `rowOf(r)` is rated track r's scores against the catalogue (undefined: r cannot be
 * scored, it only hides). Returns the new order (hidden tracks removed) and each track's effect.
 */
export function rerank(
  ranked: [number, number][],
  scoreKind: 'similarity' | 'distance',
  weights: Map<number, number>,
  hidden: Set<number>,
  rowOf: (trackId: number) => Map<number, number> | undefined,
  weight = RERANK_WEIGHT,
): { ranked: [number, number][]; effects: Map<number, RatingEffect> } {
  const sign = scoreKind === 'similarity' ? 1 : -1;
  const kept = ranked.filter(([id]) => !hidden.has(id));
  const z = standardise(kept.map(([id, s]) => [id, sign * s]));
  const effects = new Map<number, RatingEffect>(kept.map(([id]) => [id, { z: z.get(id)!, bonus: 0 }]));
  for (const [r, w] of weights) {
    const row = rowOf(r);
    if (!row) continue;
    const zr = standardise([...row].filter(([id, s]) => id !== r && Number.isFinite(s)).map(([id, s]) => [id, sign * s]));
    let top = 0;
    for (const v of zr.values()) top = Math.max(top, v);
    for (const [id, e] of effects) {
      const a = id === r ? top : Math.max(0, zr.get(id) ?? 0);
      if (a === 0) continue;
      const c = weight * w * a;
      e.bonus += c;
      if (Math.abs(c) >= REASON_MIN && (!e.because || Math.abs(c) > Math.abs(e.because.contribution))) e.because = { trackId: r, contribution: c };
    }
  }
  const order = new Map(kept.map(([id], i) => [id, i]));
  const total = (id: number) => effects.get(id)!.z + effects.get(id)!.bonus;
  const out = [...kept].sort((x, y) => total(y[0]) - total(x[0]) || order.get(x[0])! - order.get(y[0])!);
  return { ranked: out, effects };
}

/**
 * Re-rank recommend's list by the ratings in the database, or null when none is in force (the
 * caller keeps its ranking untouched). `scoresOf(r)` gives rated track r's scores in the
 * context's method (recommend passes its scoresFor).
 */
export function rerankByRatings(
  db: Db,
  ctx: ScoringContext,
  q: QueryKey,
  ranked: [number, number][],
  scoresOf: (trackId: number) => Map<number, number>,
): { ranked: [number, number][]; effects: Map<number, RatingEffect>; summary: { rated: number; hidden: number }; because(id: number): string } | null {
  const { weights, hidden } = ratingWeights(activeRatings(db), q);
  if (!weights.size && !hidden.size) return null;
  const rowOf = (r: number): Map<number, number> | undefined => {
    if (!ctx.pos.has(r)) return undefined;
    try {
      return scoresOf(r);
    } catch (err) {
      if (err instanceof YasrError && (err.code === 'NOT_FOUND' || err.code === 'ANALYSIS_FAILED')) return undefined;
      throw err;
    }
  };
  const out = rerank(ranked, orientation(ctx.method), weights, hidden, rowOf);
  return {
    ...out,
    summary: { rated: weights.size, hidden: ranked.filter(([id]) => hidden.has(id)).length },
    because(id) {
      const b = out.effects.get(id)?.because;
      if (!b) return '';
      const t = ctx.tracks.get(b.trackId);
      const name = t ? trackName(t) : `#${b.trackId}`;
      return b.contribution > 0 ? `near ${name}, which you liked` : `near ${name}, which you disliked`;
    },
  };
}
