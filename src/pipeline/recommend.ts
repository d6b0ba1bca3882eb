import type { Db } from '../store/db.js';
import { allTracks, distinctTrackValues, trackIdsPassing, tracksByIds, type Track } from '../store/tracks.js';
import { featureMeta, getFeature } from '../store/features.js';
import { findSets, getNeighbours, getTrackStats, setState, type SimSet } from '../store/similarity.js';
import { stableJson } from '../util/hash.js';
import { YasrError, badParameter } from '../errors.js';
import { hashOf, normalizeParams, type MethodName, type SimilarityParams } from './similarity/methods.js';
import { requiredFeatures, resolveRun } from './similarity/catalogue.js';
import { withCatalogueDefaults } from './similarity/candidate-params.js';
import { methodNamed } from './similarity/registry.js';
import { cosineModel, cosineOfSpace, type FeatureCache, type VectorModel } from './similarity/vector-model.js';
import type { CatalogueEntry } from './similarity/catalogue.js';
import { featurePacks, indexIn, packRows, spacePack } from './similarity/packs.js';
import { likedIds } from '../store/likes.js';
import { onOrAfter } from '../sources/since.js';
import type { Descriptors } from '../dsp/descriptors/index.js';
import { reasonText, shareOf } from './explain.js';
import { poolFrames } from '../similarity/pool.js';
import { LEVEL_REFERENCED_SEQUENCE, levelShift, sequenceOf, shiftFirstValue } from './similarity/catalogue.js';
import { ratingWeights, rerankByRatings, type RatingEffect } from './rerank.js';
import { activeRatings } from '../store/ratings.js';
import { DEFAULTS } from './similarity/defaults.js';

/** The vector behind a pick's timbre reason (the default cosine's: level-referenced MFCC mean/std). */
const TIMBRE_VECTOR = DEFAULTS.vector;

export interface RecommendFilters {
  /** Leave out tracks whose artist popularity is above this (unknown popularity stays). */
  maxPopularity: number;
  /** Only tracks released on or after this date (YYYY, YYYY-MM or YYYY-MM-DD). */
  releasedAfter?: string;
  /** Only tracks released within the last N days. */
  newDays?: number;
  excludeSameArtist: boolean;
  /** "Today", for --new-days (tests pin it). */
  today?: Date;
}

export interface Recommendation {
  rank: number;
  trackId: number;
  artist: string | null;
  title: string | null;
  album: string | null;
  releaseDate: string | null;
  popularity: number | null;
  score: number;
  reason: string;
  /** When ratings re-ranked the list (src/pipeline/rerank.ts): the standardised score and the bonus. */
  rating?: RatingEffect;
}

export interface RecommendResult {
  query: { trackId: number | null; artist: string | null; title: string | null; file: string | null };
  method: MethodName;
  params: Record<string, unknown>;
  scoreKind: 'similarity' | 'distance';
  nearest: Recommendation[];
  least: Recommendation[];
  candidates: number;
  /** When ratings re-ranked the list: how many rated tracks counted, how many were hidden. */
  ratings?: { rated: number; hidden: number };
}

/** An outside query: stored-track-shaped vectors and sequence of a file analysed on the fly. */
export interface QueryFeatures {
  vectors: Record<string, Float32Array>;
  mfcc?: { seq: Float32Array; dim: number };
  descriptors?: Descriptors;
  artist: string | null;
  title: string | null;
  file: string;
  /** The file's content hash: ratings given for this audio apply to it. */
  sha256?: string;
  /** Window summaries along the whole file ([W, dim] flattened, e.g. timbre_windows), for cosine with windows. */
  windows?: Record<string, Float32Array>;
}

export function dateFloor(f: RecommendFilters): string | null {
  const dates: string[] = [];
  if (f.releasedAfter) {
    if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(f.releasedAfter)) throw badParameter('--released-after', f.releasedAfter, 'YYYY, YYYY-MM or YYYY-MM-DD');
    dates.push(f.releasedAfter);
  }
  if (f.newDays !== undefined) {
    const d = new Date((f.today ?? new Date()).getTime() - f.newDays * 86400_000);
    dates.push(d.toISOString().slice(0, 10));
  }
  return dates.length ? dates.sort().reverse()[0] : null;
}

export function allowed(t: Pick<Track, 'popularity' | 'releaseDate' | 'artist'>, f: RecommendFilters, floor: string | null, queryArtist: string | null): boolean {
  if (t.popularity !== null && t.popularity > f.maxPopularity) return false;
  if (!onOrAfter(t.releaseDate, floor)) return false;
  if (f.excludeSameArtist && queryArtist && t.artist && t.artist.trim().toLowerCase() === queryArtist.trim().toLowerCase()) return false;
  return true;
}

/**
 * Recommend for a stored track (by id) or an outside file's features: the k closest and the
 * `least` farthest tracks that pass the filters. Vector methods (cosine, features, hybrid) score
 * the whole catalogue now; dtw/fastdtw read the stored neighbour lists (for a stored track) or
 * align the file against every track (for --file).
 */
/** What scoring needs once per operation: the catalogue, its positions, the feature cache. */
export interface ScoringContext {
  params: Record<string, unknown>;
  method: MethodName;
  tracks: Map<number, Track>;
  entries: CatalogueEntry[];
  pos: Map<number, number>;
  cache: FeatureCache;
  timbre: VectorModel | null;
  /** The method's own vector model, built on first use and reused for every query. */
  model?: VectorModel;
  desc(id: number): Descriptors | undefined;
}

export function scoringContext(db: Db, p: SimilarityParams): ScoringContext {
  // the parameters of the set a run over this catalogue makes (candidates above allPairsMax())
  const { params, entries } = resolveRun(db, p);
  const cache: FeatureCache = new Map();
  const descCache = new Map<number, Descriptors | undefined>();
  return {
    params,
    method: params.method as MethodName,
    tracks: new Map(allTracks(db).map((t) => [t.id, t])),
    entries,
    pos: new Map(entries.map((e, i) => [e.trackId, i])),
    cache,
    timbre: entries.length > 1 ? cosineModel(db, entries, TIMBRE_VECTOR, true, cache) : null,
    desc(id) {
      if (!descCache.has(id)) descCache.set(id, featureMeta<Descriptors>(db, id, 'descriptors'));
      return descCache.get(id);
    },
  };
}

/**
 * Scores of one query (a stored track or an outside file's features) against the catalogue,
 * by the context's method: vector methods score every analysed track; timbre/hybrid and
 * dtw/fastdtw read the lists stored by "yasr similarity" for a stored track (k nearest and
 * farthest), and align or model an outside file against every track.
 */
export function scoresFor(
  db: Db,
  ctx: ScoringContext,
  query: { trackId: number } | { features: QueryFeatures },
): {
  scores: Map<number, number>;
  timbreRow: Float64Array | null;
  qTrack: Track | undefined;
  /** Scores from stored lists: the first `head` of them (best first) are the catalogue's top; the rest its bottom. */
  head?: number;
} {
  const { params, method, entries, pos, cache, timbre } = ctx;
  const qTrack = 'trackId' in query ? ctx.tracks.get(query.trackId) : undefined;
  if ('trackId' in query && !qTrack) throw new YasrError('NOT_FOUND', `no track #${query.trackId}`);
  let scores: Map<number, number>;
  let head: number | undefined;
  let timbreRow: Float64Array | null = null;
  const qi = qTrack ? pos.get(qTrack.id) : undefined;
  if (qTrack && qi === undefined) {
    throw new YasrError('NOT_FOUND', `track #${qTrack.id} has no ${method} features yet: run "yasr features" first`);
  }
  if (timbre) {
    timbreRow = qi !== undefined ? timbre.row(qi) : (query as { features: QueryFeatures }).features.vectors[TIMBRE_VECTOR] ? timbre.query([(query as { features: QueryFeatures }).features.vectors[TIMBRE_VECTOR]]) : null;
  }
  // timbre's mutual proximity needs all n^2 divergences, and dtw/fastdtw keep top-k lists only: a
  // stored track reads the stored lists, an outside file the stored per-track statistics (both
  // from "yasr similarity")
  const m = methodNamed(method);
  const storedSet = m.listsForStoredTrack ? findSets(db, method).find((s) => s.paramsHash === hashOf(params)) : undefined;
  const storedLists = storedSet && qTrack ? getNeighbours(db, storedSet.id, qTrack.id) : undefined;
  if (storedLists) {
    scores = new Map([...storedLists.nearest, ...storedLists.farthest].map((e) => [e.trackId, e.score]));
    head = storedLists.nearest.length;
  } else if (m.kind === 'vector') {
    const stats = storedSet ? getTrackStats(db, storedSet.id) : undefined;
    ctx.model ??= m.model(db, params, entries, cache, stats);
    const model = ctx.model;
    let row: Float64Array;
    if (qi !== undefined) row = model.row(qi);
    else {
      const f = (query as { features: QueryFeatures }).features;
      const raws = m.queryInputs(params, f);
      if (raws.some((r) => !r)) throw new YasrError('ANALYSIS_FAILED', `${f.file}: the ${method} method needs features the file did not give`);
      row = model.query(raws as Float32Array[]);
    }
    scores = new Map(entries.map((e, i) => [e.trackId, row[i]]));
  } else if (qTrack) {
    throw new YasrError('NOT_FOUND', `no stored ${method} neighbours for track #${qTrack.id} with ${JSON.stringify(params)}: run "yasr similarity --method ${method}" first`);
  } else {
    const f = (query as { features: QueryFeatures }).features;
    if (!f.mfcc) throw new YasrError('ANALYSIS_FAILED', `${f.file}: no MFCC sequence`);
    const spec = m.spec(params);
    const poolN = spec.pool ?? 1;
    let qSeq = f.mfcc.seq;
    if (m.sequence(params) === LEVEL_REFERENCED_SEQUENCE) {
      const [ms, ts] = [f.vectors.mfcc_summary, f.vectors.timbre_summary];
      if (!ms || !ts) throw new YasrError('ANALYSIS_FAILED', `${f.file}: no MFCC summaries`);
      qSeq = shiftFirstValue(Float32Array.from(qSeq), f.mfcc.dim, levelShift(ms, ts));
    }
    const q = poolFrames(qSeq, f.mfcc.dim, poolN);
    scores = new Map();
    for (const e of entries) {
      const s = sequenceOf(db, e.trackId, m.sequence(params));
      const c = poolFrames(s.seq, s.dim, poolN);
      scores.set(e.trackId, m.distance(spec, q, c, s.dim));
    }
  }
  return { scores, timbreRow, qTrack, head };
}

export function recommend(
  db: Db,
  query: { trackId: number } | { features: QueryFeatures },
  p: SimilarityParams,
  /** ratings: 'use' (default) re-ranks by thumbs up/down (src/pipeline/rerank.ts), 'ignore' keeps the method's ranking. */
  a: { k: number; least: number; filters: RecommendFilters; ratings?: 'use' | 'ignore' },
  /** A context kept from an earlier call with the same parameters and catalogue (a server's worker). */
  reuse?: ScoringContext,
): RecommendResult {
  if (!reuse && 'trackId' in query && process.env.YASR_RECOMMEND_FULL !== '1') {
    const fast = recommendFromStoredLists(db, query.trackId, p, a) ?? recommendFromPacks(db, query.trackId, p, a);
    if (fast) return fast;
  }
  const ctx = reuse ?? scoringContext(db, p);
  const { scores, timbreRow, qTrack, head } = scoresFor(db, ctx, query);
  const qi = qTrack ? ctx.pos.get(qTrack.id) : undefined;
  const qSha = qTrack?.sha256;
  return rankAndDescribe(db, query, a, {
    params: ctx.params,
    method: ctx.method,
    qTrack,
    scores,
    head,
    of: ctx.entries.length - (qi !== undefined ? 1 : 0),
    passes: (id, floor, qArtist) => {
      const t = ctx.tracks.get(id)!;
      return t.sha256 !== qSha && allowed(t, a.filters, floor, qArtist);
    },
    tracks: (ids) => new Map(ids.map((id) => [id, ctx.tracks.get(id)!])),
    timbre: (id) => {
      const pi = ctx.pos.get(id);
      return timbreRow && pi !== undefined ? timbreRow[pi] : undefined;
    },
    timbreShareOf: timbreRow ? shareOf(timbreRow, qi) : null,
    desc: ctx.desc,
    rerank: (ranked, qKey) => rerankByRatings(db, ctx, qKey, ranked, (id) => scoresFor(db, ctx, { trackId: id }).scores),
  });
}

/**
 * The result set of `yasr similarity` for these parameters: the one whose stored parameters are
 * these (its params_hash is the hash of them), found by comparing the parameters themselves so
 * that a query does not load node:crypto to hash them.
 */
function storedSet(db: Db, method: MethodName, params: Record<string, unknown>): SimSet | undefined {
  const key = stableJson(params);
  return findSets(db, method).find((s) => stableJson(s.params) === key);
}

/**
 * The parameters resolveRun gives for a catalogue of n tracks (the base catalogue of `base`'s
 * features), without reading the catalogue: with default candidates above allPairsMax(); undefined
 * when those read other features (another catalogue: the full path resolves it).
 */
function resolvedParams(p: SimilarityParams, base: Record<string, unknown>, n: number): Record<string, unknown> | undefined {
  const q = withCatalogueDefaults(p, n);
  if (q === p) return base;
  const params = normalizeParams(q);
  return requiredFeatures(params).join('\0') === requiredFeatures(base).join('\0') ? params : undefined;
}

/** The query track and whether recommendations for it can skip the ratings (none in force for it). */
function fastQuery(db: Db, trackId: number, a: { ratings?: 'use' | 'ignore' }): Track | undefined {
  const qTrack = tracksByIds(db, [trackId]).get(trackId);
  if (!qTrack) return undefined;
  if (a.ratings !== 'ignore') {
    const { weights, hidden } = ratingWeights(activeRatings(db), { trackId, sha256: qTrack.sha256 });
    if (weights.size || hidden.size) return undefined;
  }
  return qTrack;
}

/**
 * Which tracks of a catalogue (ids ascending) pass the filters for a stored query (allowed, not
 * its own audio, not a favourite added as a file): what allowed() decides of an artist or a
 * release date is decided once per distinct value, and SQL lists the tracks whose values passed
 * (the same decisions, without reading every track's row). One flag per catalogue track.
 */
function passingFlags(db: Db, qTrack: Track, f: RecommendFilters, ids: Int32Array): Uint8Array {
  const floor = dateFloor(f);
  const qa = qTrack.artist;
  const norm = qa?.trim().toLowerCase();
  const artistsOut = f.excludeSameArtist && qa ? distinctTrackValues(db, 'artist').filter((x): x is string => !!x && x.trim().toLowerCase() === norm) : [];
  const datesIn = floor ? distinctTrackValues(db, 'release_date').filter((d) => onOrAfter(d, floor)) : null;
  // a NaN limit leaves every popularity in, as `popularity > NaN` does
  const maxPopularity = Number.isNaN(f.maxPopularity) ? Number.POSITIVE_INFINITY : f.maxPopularity;
  const passing = trackIdsPassing(db, { maxPopularity, artistsOut, datesIn, notSha256: qTrack.sha256 });
  const liked = likedIds(db);
  const flags = new Uint8Array(ids.length);
  // both lists ascending: one walk
  for (let i = 0, j = 0; i < ids.length && j < passing.length; ) {
    if (ids[i] < passing[j]) i++;
    else if (ids[i] > passing[j]) j++;
    else {
      flags[i] = liked.get(ids[i]) === 'file' ? 0 : 1;
      i++;
      j++;
    }
  }
  return flags;
}

/**
 * A query's stored nearest and farthest lists as one list of track ids and scores, each track
 * once (in a catalogue smaller than both lists together a track is in both).
 */
function listedScores(lists: { nearest: { trackId: number; score: number }[]; farthest: { trackId: number; score: number }[] }): { ids: number[]; values: number[] } {
  const seen = new Set<number>();
  const all = [...lists.nearest, ...lists.farthest].filter((e) => !seen.has(e.trackId) && !!seen.add(e.trackId));
  return { ids: all.map((e) => e.trackId), values: all.map((e) => e.score) };
}

/** A descriptors reader that reads each track's once. */
function descReader(db: Db): (id: number) => Descriptors | undefined {
  const descCache = new Map<number, Descriptors | undefined>();
  return (id) => {
    if (!descCache.has(id)) descCache.set(id, featureMeta<Descriptors>(db, id, 'descriptors'));
    return descCache.get(id);
  };
}

/**
 * The fast path for a stored track: timbre/hybrid/dtw/fastdtw with a stored result set score only
 * the tracks in the query's stored nearest and farthest lists, in the full path too (see
 * scoresFor), so here nothing catalogue-wide is scored or loaded but the catalogue's membership
 * (which tracks have the method's features) and the timbre z-score fit of the reason (of
 * TIMBRE_VECTOR), both from a pack (./similarity/packs.ts); only the listed tracks' metadata
 * and descriptors are read. Filters cannot make this differ from the full path (both filter the
 * same lists). Returns undefined, so that another path runs (and says what is missing), for
 * cosine/features (they rank the whole catalogue: recommendFromPacks), without a stored set or
 * list for the track, for a track without the method's features, and when ratings are in force
 * for the query (re-ranking reads rated tracks' rows).
 * YASR_RECOMMEND_FULL=1 turns it off (benchmarks compare both).
 */
export function recommendFromStoredLists(
  db: Db,
  trackId: number,
  p: SimilarityParams,
  a: { k: number; least: number; filters: RecommendFilters; ratings?: 'use' | 'ignore' },
): RecommendResult | undefined {
  const base = normalizeParams(p);
  const method = base.method as MethodName;
  const m = methodNamed(method);
  // methods whose recommendations for a stored track come from the stored lists alone
  if (!m.listsForStoredTrack) return undefined;
  const qTrack = fastQuery(db, trackId, a);
  if (!qTrack) return undefined;
  // the catalogue, and the timbre space of its vectors (the reason's z-scores are fitted on all of them)
  const timbre = timbreSpace(db, m.reads(base), trackId);
  if (!timbre) return undefined;
  const params = resolvedParams(p, base, timbre.ids.length);
  if (!params) return undefined;
  const set = storedSet(db, method, params);
  if (!set) return undefined;
  const lists = getNeighbours(db, set.id, trackId);
  if (!lists) return undefined;
  const listed = listedScores(lists);
  const tracks = tracksByIds(db, [trackId, ...listed.ids]);
  const floor = dateFloor(a.filters);
  const liked = likedIds(db);
  const pass = Uint8Array.from(listed.ids, (id) => {
    const t = tracks.get(id)!;
    return t.sha256 !== qTrack.sha256 && allowed(t, a.filters, floor, qTrack.artist) && liked.get(id) !== 'file' ? 1 : 0;
  });
  return rankAndDescribe(db, { trackId }, a, {
    params,
    method,
    qTrack,
    ranked: { ...listed, pass },
    head: lists.nearest.length,
    of: timbre.ids.length - 1,
    tracks: (ids) => new Map(ids.map((id) => [id, tracks.get(id)!])),
    timbre: timbre.timbre,
    timbreShareOf: timbre.timbreShareOf,
    desc: descReader(db),
  });
}

/**
 * The catalogue of a method with features `names` (track ids, members hash, the query's index)
 * and the timbre reason's parts: the query's cosine to every other track in the z-scored,
 * unit-length space of the TIMBRE_VECTOR vectors (the full path's timbre row: cosineModel, the
 * same arithmetic on the same space, kept in a pack) and the share of the catalogue each beats.
 * Undefined when the query is not in the catalogue or the space cannot be packed.
 */
function timbreSpace(
  db: Db,
  names: readonly string[],
  trackId: number,
): { ids: Int32Array; membersHash: string; qi: number; timbre(id: number): number | undefined; timbreShareOf: ((cosine: number) => number) | null } | undefined {
  const sp = spacePack(db, names, TIMBRE_VECTOR, true, true);
  if (!sp) return undefined;
  const qi = indexIn(sp.ids, trackId);
  if (qi < 0) return undefined;
  const { ids, membersHash } = sp;
  if (ids.length <= 1) return { ids, membersHash, qi, timbre: () => undefined, timbreShareOf: null };
  const row = cosineOfSpace(sp.space, ids.length).row(qi);
  return {
    ids,
    membersHash,
    qi,
    timbre: (id) => {
      const i = indexIn(ids, id);
      return i >= 0 ? row[i] : undefined;
    },
    timbreShareOf: shareOf(row, qi),
  };
}

/**
 * The fast path for a stored track with cosine or features (vector methods that rank the whole
 * catalogue for every query), without ratings in force for it. It computes exactly what the
 * full path computes, from packs (./similarity/packs.ts: the catalogue's vectors in one blob, or
 * the space a method compares them in) and the tracks' filter fields, without loading every
 * track's whole row. Cosine with windows (whose space does not pack) first tries the query's
 * stored lists (fromCurrentLists). Returns undefined, so that the full path runs (and says what
 * is wrong), for other methods, a track without the method's features, or a catalogue whose
 * features do not make packs (one missing, mismatched sizes).
 */
export function recommendFromPacks(
  db: Db,
  trackId: number,
  p: SimilarityParams,
  a: { k: number; least: number; filters: RecommendFilters; ratings?: 'use' | 'ignore' },
): RecommendResult | undefined {
  const params = normalizeParams(p);
  const method = params.method as MethodName;
  const m = methodNamed(method);
  if (m.kind !== 'vector' || m.listsForStoredTrack) return undefined;
  const qTrack = fastQuery(db, trackId, a);
  if (!qTrack) return undefined;
  const names = m.reads(params);
  const timbre = timbreSpace(db, names, trackId);
  if (!timbre) return undefined;
  const { ids, qi } = timbre;
  // above allPairsMax() tracks the full path names default candidates in its parameters (and a
  // result set made with candidates keeps approximate lists): it runs then
  if (resolvedParams(p, params, ids.length) !== params) return undefined;
  const flags = passingFlags(db, qTrack, a.filters, ids);
  const common = {
    params,
    method,
    qTrack,
    of: ids.length - 1,
    tracks: (shown: number[]) => tracksByIds(db, shown),
    timbre: timbre.timbre,
    timbreShareOf: timbre.timbreShareOf,
    desc: descReader(db),
  };
  // the method's row for the query, as scoresFor computes it: from its space, kept in a pack, or
  // from its model over feature packs
  const spec = m.oneSpace?.(params);
  let row: Float64Array;
  if (spec) {
    const sp = spacePack(db, names, spec.feature, spec.standardize, spec.unit, spec.view);
    if (!sp || sp.membersHash !== timbre.membersHash) return undefined;
    row = spec.model(sp.space, ids.length).row(qi);
  } else {
    const stored = fromCurrentLists(db, params, timbre, trackId, a, flags);
    if (stored) return rankAndDescribe(db, { trackId }, a, { ...common, ...stored });
    const packs = featurePacks(db, names, names);
    if (!packs || packs.some((pk) => pk.membersHash !== timbre.membersHash)) return undefined;
    const cache: FeatureCache = new Map(packs.map((pk) => [pk.feature, packRows(pk)]));
    row = m.model(db, params, Array.from(ids, (id) => ({ trackId: id })), cache).row(qi);
  }
  return rankAndDescribe(db, { trackId }, a, { ...common, ranked: { ids, values: row, pass: flags } });
}

/**
 * Recommendations of a vector method from its stored lists, when they give what scoring the
 * whole catalogue gives: the result set was made from the catalogue as it is now (its members
 * hash is the pack's), every score is finite (so the full ranking holds every other track), the
 * lists are disjoint and shorter than the catalogue, at least k of the nearest and `least` of
 * the farthest pass the filters, and no pick from the farthest ties with the list's last score
 * (the stored list keeps the lower track id among ties there, the full ranking the higher one).
 * Then the picks, their scores and their ranks among the catalogue are the full path's, and
 * the number of candidates is counted over every track's filter fields.
 */
function fromCurrentLists(
  db: Db,
  params: Record<string, unknown>,
  catalogue: { ids: Int32Array; membersHash: string },
  trackId: number,
  a: { k: number; least: number },
  flags: Uint8Array,
): { ranked: { ids: number[]; values: number[]; pass: Uint8Array }; head: number; candidates: number } | undefined {
  const method = params.method as MethodName;
  const set = storedSet(db, method, params);
  if (!set || setState(db, set.id)?.membersHash !== catalogue.membersHash) return undefined;
  const lists = getNeighbours(db, set.id, trackId);
  if (!lists) return undefined;
  const n = catalogue.ids.length;
  const listed = listedScores(lists);
  const distinct = new Set(listed.ids);
  if (distinct.size !== listed.ids.length || listed.ids.length >= n - 1 || distinct.has(trackId) || !listed.values.every(Number.isFinite)) return undefined;
  // every track's score is finite, as the stored ones are: finite vectors give finite cosines
  // and distances; with windows, a track without any would score -Infinity but for the query's
  // own windows (matched against its summary), which must then be there and finite
  const windows = params.windows && params.windows !== 'none' ? (params.windows as string) : undefined;
  const names = methodNamed(method).reads(params);
  const vectors = featurePacks(db, names, names.filter((f) => f !== windows));
  if (!vectors || vectors.some((pk) => pk.membersHash !== catalogue.membersHash || !allFinite(pk.data))) return undefined;
  if (windows) {
    const w = getFeature(db, trackId, windows);
    if (!w || w.rows === 0 || !allFinite(w.data)) return undefined;
  }
  const passes = (id: number): boolean => flags[indexIn(catalogue.ids, id)] === 1;
  if (lists.nearest.filter((e) => passes(e.trackId)).length < a.k) return undefined;
  if (a.least > 0) {
    const picks = lists.farthest.filter((e) => passes(e.trackId)).slice(0, a.least);
    const edge = lists.farthest[lists.farthest.length - 1]?.score;
    if (picks.length < a.least || picks.some((e) => e.score === edge)) return undefined;
  }
  let candidates = 0;
  for (let i = 0; i < n; i++) if (flags[i] === 1 && catalogue.ids[i] !== trackId) candidates++;
  if (candidates - a.least < a.k) return undefined;
  return { ranked: { ...listed, pass: Uint8Array.from(listed.ids, (id) => (passes(id) ? 1 : 0)) }, head: lists.nearest.length, candidates };
}

/** Whether every value is finite (three native scans: no call per value). */
function allFinite(values: Float32Array): boolean {
  return !values.includes(Number.NaN) && !values.includes(Number.POSITIVE_INFINITY) && !values.includes(Number.NEGATIVE_INFINITY);
}

type Reranked = ReturnType<typeof rerankByRatings>;

/** What recommendations are picked from: the filtered ranking's head and tail, and the method's ranks. */
interface Ranking {
  /** The k best candidates, best first, and the `least` worst after them, worst first ([trackId, score]). */
  nearest: [number, number][];
  least: [number, number][];
  /** How many tracks pass the filters. */
  candidates: number;
  /** How many tracks the method ranks (finite scores, the query left out). */
  ranked: number;
  /** A track's 0-based place in the method's ranking (undefined: not ranked). */
  position(id: number): number | undefined;
}

/**
 * The ranking of `scores` (best first: sign * score ascending, then track id; non-finite scores
 * and the query left out) and its filtered list's head and tail, as sorting it all and slicing
 * gives them, found in one pass: the picks are kept as they come, and only their places are
 * worked out (from the scores sorted as plain numbers, ties by id).
 */
function methodRanking(
  scored: { ids: ArrayLike<number>; values: ArrayLike<number>; pass: Uint8Array },
  qId: number | undefined,
  sign: number,
  k: number,
  least: number,
): Ranking {
  const ids: number[] = [];
  const scores: number[] = [];
  const ok: number[] = [];
  const keys = new Float64Array(scored.ids.length);
  for (let i = 0; i < scored.ids.length; i++) {
    const sc = scored.values[i];
    if (!Number.isFinite(sc) || scored.ids[i] === qId) continue;
    keys[ids.length] = sign * sc;
    ids.push(scored.ids[i]);
    scores.push(sc);
    ok.push(scored.pass[i]);
  }
  const m = ids.length;
  const before = (x: number, y: number) => keys[x] < keys[y] || (keys[x] === keys[y] && ids[x] < ids[y]);
  // the k best and the `least` worst passing tracks, each list kept in order as tracks come
  const head: number[] = [];
  const tail: number[] = [];
  let passing = 0;
  for (let j = 0; j < m; j++) {
    if (ok[j] !== 1) continue;
    passing++;
    if (k > 0 && (head.length < k || before(j, head[head.length - 1]))) {
      let p = head.length < k ? head.length : k - 1;
      if (head.length < k) head.push(j);
      while (p > 0 && before(j, head[p - 1])) {
        head[p] = head[p - 1];
        p--;
      }
      head[p] = j;
    }
    if (least > 0 && (tail.length < least || before(tail[tail.length - 1], j))) {
      let p = tail.length < least ? tail.length : least - 1;
      if (tail.length < least) tail.push(j);
      while (p > 0 && before(tail[p - 1], j)) {
        tail[p] = tail[p - 1];
        p--;
      }
      tail[p] = j;
    }
  }
  // the least come after the k nearest in the filtered list: at most passing - k of them
  const tailCount = Math.max(0, Math.min(least, passing - k));
  const sorted = keys.slice(0, m).sort();
  const at = new Map<number, number>();
  const place = (j: number): number => {
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < keys[j]) lo = mid + 1;
      else hi = mid;
    }
    // ties on the score: those with a smaller id come first
    if (lo + 1 < m && sorted[lo + 1] === keys[j]) for (let i = 0; i < m; i++) if (keys[i] === keys[j] && ids[i] < ids[j]) lo++;
    return lo;
  };
  const pick = (j: number): [number, number] => {
    at.set(ids[j], place(j));
    return [ids[j], scores[j]];
  };
  return {
    nearest: head.map(pick),
    least: tail.slice(0, tailCount).map(pick),
    candidates: passing,
    ranked: m,
    position: (id) => at.get(id),
  };
}

/** Filter, rank (and re-rank by ratings) the scores, then describe the k nearest and the least. */
function rankAndDescribe(
  db: Db,
  query: { trackId: number } | { features: QueryFeatures },
  a: { k: number; least: number; filters: RecommendFilters; ratings?: 'use' | 'ignore' },
  s: {
    params: Record<string, unknown>;
    method: MethodName;
    qTrack: Track | undefined;
    /** Every scored track (the full path: sorted, filtered by `passes`, re-ranked by `rerank`) ... */
    scores?: Map<number, number>;
    /** ... or scored tracks with a pass flag each (1: passes the filters), ranked as the method ranks them. */
    ranked?: { ids: ArrayLike<number>; values: ArrayLike<number>; pass: Uint8Array };
    /** Scores from stored lists: the first `head` (best first) are the catalogue's top, the rest its bottom. */
    head?: number;
    /** How many other tracks the method ranks (the catalogue the rank is out of). */
    of: number;
    /** With `scores`: whether a track passes the filters (allowed, given the date floor and the query's artist) and is not the query's own audio. */
    passes?(id: number, floor: string | null, qArtist: string | null): boolean;
    /** The tracks shown (their metadata). */
    tracks(ids: number[]): Map<number, Track>;
    /** How many candidates pass the filters, when `scores` hold only some of them (fromCurrentLists). */
    candidates?: number;
    /** The timbre cosine of the query and this track, for the reason. */
    timbre(id: number): number | undefined;
    /** A timbre cosine's share of the catalogue's cosines to the query (the reason's percentile). */
    timbreShareOf: ((cosine: number) => number) | null;
    desc(id: number): Descriptors | undefined;
    /** Re-ranking by ratings (the full path); without it, no rating can be in force (the fast paths make sure). */
    rerank?(ranked: [number, number][], qKey: { trackId: number | null; sha256: string | null }): Reranked;
  },
): RecommendResult {
  const { params, method, qTrack, desc } = s;
  const orient = methodNamed(method).orientation;
  const qArtist = qTrack ? qTrack.artist : (query as { features: QueryFeatures }).features.artist;
  const floor = dateFloor(a.filters);
  const qDesc = qTrack ? desc(qTrack.id) : (query as { features: QueryFeatures }).features.descriptors;
  const sign = orient === 'similarity' ? -1 : 1;
  // the picks, the number of candidates, and each track's rank by the method among the whole
  // catalogue (before filters and ratings): re-ranked by ratings, or as the method ranks them
  let picks: Ranking & { rr: Reranked };
  if (s.scores) {
    const { scores } = s;
    const liked = likedIds(db);
    const ok = (id: number) => s.passes!(id, floor, qArtist) && liked.get(id) !== 'file';
    // the method's own ranking of the whole catalogue (the reasons' ranks), then the filtered list
    const byMethod = [...scores.entries()].filter(([id, sc]) => Number.isFinite(sc) && id !== qTrack?.id).sort((x, y) => sign * (x[1] - y[1]) || x[0] - y[0]);
    // favourites added as files are the person's own music, never recommended back
    let ranked = byMethod.filter(([id]) => ok(id));
    // thumbs up/down re-rank the list (null without ratings in force: the ranking stays as it is)
    const qKey = { trackId: qTrack?.id ?? null, sha256: qTrack ? qTrack.sha256 : ((query as { features: QueryFeatures }).features.sha256 ?? null) };
    const rr = a.ratings === 'ignore' || !s.rerank ? null : s.rerank(ranked, qKey);
    if (rr) ranked = rr.ranked;
    const position = new Map(byMethod.map(([id], i) => [id, i]));
    picks = {
      nearest: ranked.slice(0, a.k),
      least: a.least > 0 ? ranked.slice(Math.max(a.k, ranked.length - a.least)).reverse() : [],
      candidates: ranked.length,
      ranked: byMethod.length,
      position: (id) => position.get(id),
      rr,
    };
  } else picks = { ...methodRanking(s.ranked!, qTrack?.id, sign, a.k, a.least), rr: null };
  const rr = picks.rr;
  const partial = s.head !== undefined && picks.ranked < s.of;
  const methodRank = (id: number): number | undefined => {
    const i = picks.position(id);
    if (i === undefined) return undefined;
    return partial && i >= s.head! ? s.of - (picks.ranked - 1 - i) : i + 1;
  };
  const timbreShare = (id: number): number | undefined => {
    const v = s.timbre(id);
    return s.timbreShareOf && v !== undefined && Number.isFinite(v) ? s.timbreShareOf(v) : undefined;
  };
  const shown = s.tracks([...picks.nearest, ...picks.least].map(([id]) => id));
  const toRec = (rank: number, [id, score]: [number, number]): Recommendation => {
    const t = shown.get(id)!;
    return {
      rank,
      trackId: id,
      artist: t.artist,
      title: t.title,
      album: t.album,
      releaseDate: t.releaseDate,
      popularity: t.popularity,
      score,
      reason: [reasonText({ method, rank: methodRank(id), of: Math.max(s.of, picks.ranked) }, qDesc, desc(id), timbreShare(id)), rr?.because(id)].filter(Boolean).join('; '),
      ...(rr ? { rating: rr.effects.get(id) } : {}),
    };
  };
  const nearest = picks.nearest.map((r, i) => toRec(i + 1, r));
  // stored lists without a bottom part (a --shortlist set keeps the nearest only): the least
  // similar tracks are unknown, so none are shown rather than the tail of the nearest
  const knownBottom = !(partial && picks.ranked <= s.head!);
  const least = knownBottom ? picks.least.map((r, i) => toRec(i + 1, r)) : [];
  return {
    query: { trackId: qTrack?.id ?? null, artist: qArtist ?? null, title: qTrack ? qTrack.title : (query as { features: QueryFeatures }).features.title, file: qTrack ? qTrack.localPath : (query as { features: QueryFeatures }).features.file },
    method,
    params,
    scoreKind: orient,
    nearest,
    least,
    candidates: s.candidates ?? picks.candidates,
    ...(rr ? { ratings: rr.summary } : {}),
  };
}
