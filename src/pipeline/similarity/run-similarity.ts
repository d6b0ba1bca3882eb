import type { Db } from '../../store/db.js';
import { getOrCreateSet, putNeighbours, putState, putTrackStats, setState, countPlan, type NeighbourEntry } from '../../store/similarity.js';
import type { MethodSpec } from '../../similarity/all-pairs.js';
import { catalogueFor, type CatalogueEntry } from './catalogue.js';
import { normalizeParams, hashOf, type SimilarityParams, type MethodName } from './methods.js';
import { allMethods, methodNamed, sequenceMethod, vectorMethod } from './registry.js';
import { computePendingBlocks, deriveNeighbours, syncMembers } from './sequence-stage.js';
import { bestK, type VectorModel, type FeatureCache } from './vector-model.js';
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

/** The sequence methods (dtw, fastdtw today): stored in resumable blocks, top-k lists only. */
export const SEQUENCE_METHODS: ReadonlySet<MethodName> = new Set(allMethods().filter((m) => m.kind === 'sequence').map((m) => m.name as MethodName));

export function vectorModelFor(
  db: Db,
  params: Record<string, unknown>,
  entries: CatalogueEntry[],
  cache?: FeatureCache,
  stats?: Map<number, { mu: number; sd: number }>,
): VectorModel {
  return vectorMethod(params.method).model(db, params, entries, cache, stats);
}

export function specFor(params: Record<string, unknown>): MethodSpec {
  return sequenceMethod(params.method).spec(params);
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
  const m = methodNamed(method);
  const set = getOrCreateSet(db, method, hashOf(params), params);
  // stored lists never shrink: a smaller k (evaluate -k 5, say) reads the head of longer ones
  const keep = Math.max(a.k, setState(db, set.id)?.k ?? 0);
  const { entries, skipped } = catalogueFor(db, params);
  const summary: SimilaritySummary = {
    method, params, orientation: m.orientation, tracks: entries.length, skipped,
    blocksComputed: 0, blocksTotal: 0, pairsComputed: 0, added: 0, removed: 0, nothingToDo: false, seconds: 0,
  };
  const membersHash = paramsHash(entries.map((e) => [e.trackId, e.inputSha]));
  if (m.kind === 'sequence') {
    const sync = syncMembers(db, set.id, entries, a.blockSize ?? 32);
    summary.added = sync.added;
    summary.removed = sync.removed;
    const r = await computePendingBlocks(db, set.id, m.spec(params), m.sequence(params), a);
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
      // a method's own top-k (cosine without windows), else every row of its model
      const fast = m.topK?.(db, params, entries, keep);
      const byTrack = fast ?? new Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>();
      if (!fast && entries.length > 1) {
        const model = m.model(db, params, entries);
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
