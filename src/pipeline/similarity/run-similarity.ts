import type { Db } from '../../store/db.js';
import { getOrCreateSet, putNeighbours, putState, putTrackStats, setState, countPlan, type NeighbourEntry } from '../../store/similarity.js';
import { cosineTopK } from '../../similarity/cosine.js';
import type { MethodSpec } from '../../similarity/all-pairs.js';
import { analysedTracks, vectorOf, type CatalogueEntry } from './catalogue.js';
import { normalizeParams, hashOf, orientation, type SimilarityParams, type MethodName } from './methods.js';
import { computePendingBlocks, deriveNeighbours, syncMembers } from './sequence-stage.js';
import { bestK, cosineModel, featuresModel, hybridModel, timbreModel, type VectorModel, type FeatureCache } from './vector-model.js';
import { paramsHash } from '../../util/hash.js';
import type { ProgressSink } from '../progress-events.js';

export interface SimilaritySummary {
  method: MethodName;
  params: Record<string, unknown>;
  orientation: 'similarity' | 'distance';
  tracks: number;
  skipped: number[];
  blocksComputed: number;
  blocksTotal: number;
  pairsComputed: number;
  added: number;
  removed: number;
  nothingToDo: boolean;
  seconds: number;
}

export const SEQUENCE_METHODS = new Set<MethodName>(['dtw', 'fastdtw']);

/** The stored features a method reads. */
export function requiredFeatures(params: Record<string, unknown>): string[] {
  switch (params.method as MethodName) {
    case 'cosine':
      return params.windows && params.windows !== 'none' ? [params.vector as string, params.windows as string] : [params.vector as string];
    case 'dtw':
    case 'fastdtw':
    case 'timbre':
      return [params.feature as string];
    case 'features':
      return ['descriptors'];
    case 'hybrid':
      return [params.vector as string, 'descriptors', 'mfcc_gauss'];
  }
}

/** Tracks that have every feature the method needs (the rest are listed as skipped). */
export function catalogueFor(db: Db, params: Record<string, unknown>): { entries: CatalogueEntry[]; skipped: number[] } {
  return analysedTracks(db, requiredFeatures(params));
}

export function vectorModelFor(
  db: Db,
  params: Record<string, unknown>,
  entries: CatalogueEntry[],
  cache?: FeatureCache,
  stats?: Map<number, { mu: number; sd: number }>,
): VectorModel {
  const z = params.standardize !== 'none';
  switch (params.method as MethodName) {
    case 'cosine':
      return cosineModel(db, entries, params.vector as string, z, cache, params.windows as string | undefined);
    case 'features':
      return featuresModel(db, entries, z, cache);
    case 'timbre':
      return timbreModel(db, entries, params.mp !== false, cache, stats);
    case 'hybrid':
      return hybridModel(db, entries, params.vector as string, z, params.weights as [number, number, number], cache, stats);
    default:
      throw new Error(`${String(params.method)} is not a vector method`);
  }
}

export function specFor(params: Record<string, unknown>): MethodSpec {
  if (params.method === 'dtw') {
    const band = params.band as number;
    return { method: 'dtw', pool: params.pool as number, band: band > 0 ? band : undefined };
  }
  return { method: 'fastdtw', pool: params.pool as number, radius: params.radius as number };
}

/**
 * Compute (or bring up to date) a result set: its k nearest neighbours per track, stored.
 * Sequence methods work in committed blocks (resumable, incremental); vector methods are
 * recomputed whole when the catalogue changed (they take seconds for thousands of tracks).
 */
export async function runSimilarity(
  db: Db,
  p: SimilarityParams,
  a: { k: number; workers: number; blockSize?: number; progress?: ProgressSink; signal?: AbortSignal },
): Promise<SimilaritySummary> {
  const t0 = performance.now();
  const params = normalizeParams(p);
  const method = params.method as MethodName;
  const set = getOrCreateSet(db, method, hashOf(params), params);
  // stored lists never shrink: a smaller k (evaluate -k 5, say) reads the head of longer ones
  const keep = Math.max(a.k, setState(db, set.id)?.k ?? 0);
  const { entries, skipped } = catalogueFor(db, params);
  const summary: SimilaritySummary = {
    method, params, orientation: orientation(method), tracks: entries.length, skipped,
    blocksComputed: 0, blocksTotal: 0, pairsComputed: 0, added: 0, removed: 0, nothingToDo: false, seconds: 0,
  };
  const membersHash = paramsHash(entries.map((e) => [e.trackId, e.inputSha]));
  if (SEQUENCE_METHODS.has(method)) {
    const sync = syncMembers(db, set.id, entries, a.blockSize ?? 32);
    summary.added = sync.added;
    summary.removed = sync.removed;
    const r = await computePendingBlocks(db, set.id, specFor(params), params.feature as string, a);
    summary.blocksComputed = r.computed;
    summary.pairsComputed = r.pairs;
    summary.blocksTotal = countPlan(db, set.id).planned;
    const state = setState(db, set.id);
    if (r.computed === 0 && state?.membersHash === membersHash && state.k >= a.k) summary.nothingToDo = true;
    else {
      const { lists, members } = deriveNeighbours(db, set.id, keep);
      const toEntries = (l: [number, number][]): NeighbourEntry[] => l.map(([j, s]) => ({ trackId: members[j].trackId, score: s }));
      const byTrack = new Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>();
      for (const [i, l] of lists) byTrack.set(members[i].trackId, { nearest: toEntries(l.nearest), farthest: toEntries(l.farthest) });
      db.transaction(() => {
        putNeighbours(db, set.id, byTrack);
        putState(db, set.id, membersHash, keep);
      })();
    }
  } else {
    const state = setState(db, set.id);
    let trackStats: Map<number, { mu: number; sd: number }> | undefined;
    if (state?.membersHash === membersHash && state.k >= a.k) summary.nothingToDo = true;
    else {
      const byTrack = new Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>();
      if (method === 'cosine' && (!params.windows || params.windows === 'none') && entries.length > 1) {
        const dim = vectorOf(db, entries[0].trackId, params.vector as string).length;
        const data = new Float32Array(entries.length * dim);
        entries.forEach((e, i) => data.set(vectorOf(db, e.trackId, params.vector as string), i * dim));
        const kk = Math.min(keep, entries.length - 1);
        const r = cosineTopK(data, dim, { k: kk, standardize: params.standardize !== 'none' });
        entries.forEach((e, i) => {
          const nearest: NeighbourEntry[] = [];
          for (let q = 0; q < kk; q++) {
            const j = r.index[i * kk + q];
            if (j >= 0) nearest.push({ trackId: entries[j].trackId, score: r.score[i * kk + q] });
          }
          byTrack.set(e.trackId, { nearest, farthest: [] });
        });
      } else if (entries.length > 1) {
        const model = vectorModelFor(db, params, entries);
        trackStats = model.trackStats?.();
        entries.forEach((e, i) => {
          const row = model.row(i);
          const pick = (o: 'similarity' | 'distance') => bestK(row, keep, o, (j) => j === i).map((j) => ({ trackId: entries[j].trackId, score: row[j] }));
          const far = model.orientation === 'distance' ? 'similarity' : 'distance';
          byTrack.set(e.trackId, { nearest: pick(model.orientation), farthest: pick(far) });
        });
      }
      db.transaction(() => {
        putNeighbours(db, set.id, byTrack);
        putState(db, set.id, membersHash, keep);
        if (trackStats) putTrackStats(db, set.id, trackStats);
      })();
    }
  }
  summary.seconds = (performance.now() - t0) / 1000;
  return summary;
}
