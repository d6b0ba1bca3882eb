import type { Db } from '../../store/db.js';
import { getOrCreateSet, putNeighbours, putState, putTrackStats, setState, countPlan, type NeighbourEntry, type TrackStat } from '../../store/similarity.js';
import type { MethodSpec } from '../../similarity/all-pairs.js';
import { resolveRun, type CatalogueEntry } from './catalogue.js';

export { resolveRun };
import { normalizeParams, hashOf, type SimilarityParams, type MethodName } from './methods.js';
import { allMethods, methodNamed, sequenceMethod, vectorMethod } from './registry.js';
import { computePendingBlocks, deriveNeighbours, syncMembers } from './sequence-stage.js';
import { runShortlist, wantedPairs } from './shortlist-stage.js';
import { bestK, type VectorModel, type FeatureCache } from './vector-model.js';
import { candidatePairs, MP_SAMPLE } from './candidates.js';
import type { AnnIndexReport } from './ann-index.js';
import { TopK } from './sequence-stage.js';
import { paramsHash } from '../../util/hash.js';
import { YasrError } from '../../errors.js';
import { queueWanted } from '../worker/job.js';
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
  /** dtw/fastdtw --shortlist or --candidates: the wanted pairs (their union of shortlists) the lists derive from. */
  shortlistPairs?: number;
  /** --candidates: the candidate pairs scored (vector methods) or wanted (dtw/fastdtw). */
  candidatePairs?: number;
  /** --candidates: what each ANN index did (none when every pair was a candidate). */
  annIndexes?: AnnIndexReport[];
}

/** The sequence methods (dtw, fastdtw today): stored in resumable blocks, top-k lists only. */
export const SEQUENCE_METHODS: ReadonlySet<MethodName> = new Set(allMethods().filter((m) => m.kind === 'sequence').map((m) => m.name as MethodName));

/**
 * Each entry's k best among its candidate pairs by the model's exact scores (row(i)[j] values,
 * ties to the smaller index, non-finite scores skipped, as the all-pairs lists); the k worst too
 * when every pair is a candidate (then the lists are the all-pairs ones), else none.
 */
export function listsFromPairs(
  model: VectorModel,
  entries: CatalogueEntry[],
  pairs: Int32Array,
  k: number,
  complete: boolean,
): Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }> {
  const n = entries.length;
  const start = new Int32Array(n + 1);
  for (let p = 0; p < pairs.length; p++) start[pairs[p] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n);
  const adj = new Int32Array(pairs.length);
  for (let p = 0; p < pairs.length; p += 2) {
    adj[fill[pairs[p]]++] = pairs[p + 1];
    adj[fill[pairs[p + 1]]++] = pairs[p];
  }
  const near = model.orientation === 'similarity' ? -1 : 1;
  const out = new Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>();
  const toEntries = (l: [number, number][]): NeighbourEntry[] => l.map(([j, s]) => ({ trackId: entries[j].trackId, score: s }));
  for (let i = 0; i < n; i++) {
    const js = adj.subarray(start[i], start[i + 1]);
    const scores = js.length ? model.pairs(i, js) : new Float64Array(0);
    const best = new TopK(k, near);
    const worst = complete ? new TopK(k, -near) : null;
    for (let p = 0; p < js.length; p++) {
      if (!Number.isFinite(scores[p])) continue;
      best.push(js[p], scores[p]);
      worst?.push(js[p], scores[p]);
    }
    out.set(entries[i].trackId, { nearest: toEntries(best.sorted()), farthest: worst ? toEntries(worst.sorted()) : [] });
  }
  return out;
}

export function vectorModelFor(
  db: Db,
  params: Record<string, unknown>,
  entries: CatalogueEntry[],
  cache?: FeatureCache,
  stats?: Map<number, TrackStat>,
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
  a: {
    k: number;
    workers: number;
    blockSize?: number;
    progress?: ProgressSink;
    signal?: AbortSignal;
    /**
     * dtw/fastdtw on all pairs: share the blocks through the task queue (`yasr worker` processes
     * take part); always on PostgreSQL, on SQLite when true. Other runs refuse it.
     */
    queue?: boolean;
  },
): Promise<SimilaritySummary> {
  const t0 = performance.now();
  const { params, entries, skipped } = resolveRun(db, p);
  const method = params.method as MethodName;
  const m = methodNamed(method);
  const blocked = m.kind === 'sequence' && params.shortlist === undefined && params.candidates === undefined;
  if (a.queue && !blocked) {
    const what = m.kind === 'sequence' ? `${method} with ${params.shortlist !== undefined ? '--shortlist' : '--candidates'}` : method;
    throw new YasrError('BAD_PARAMETER', `--queue shares the blocks of dtw and fastdtw on all pairs among workers; ${what} runs without it`, { name: 'queue', value: method });
  }
  const set = getOrCreateSet(db, method, hashOf(params), params);
  // stored lists never shrink: a smaller k (evaluate -k 5, say) reads the head of longer ones
  const keep = Math.max(a.k, setState(db, set.id)?.k ?? 0);
  const summary: SimilaritySummary = {
    method, params, orientation: m.orientation, tracks: entries.length, skipped,
    blocksComputed: 0, blocksTotal: 0, pairsComputed: 0, added: 0, removed: 0, nothingToDo: false, seconds: 0,
  };
  const membersHash = paramsHash(entries.map((e) => [e.trackId, e.inputSha]));
  const shortlist = m.kind === 'sequence' ? (params.shortlist as number | undefined) : undefined;
  const candidates = params.candidates as number | undefined;
  if (m.kind === 'sequence' && (shortlist !== undefined || candidates !== undefined)) {
    const state = setState(db, set.id);
    const sync = syncMembers(db, set.id, entries);
    summary.added = sync.added;
    summary.removed = sync.removed;
    // the state is written once every wanted pair of that catalogue is stored: nothing is missing
    if (state?.membersHash === membersHash && state.k >= a.k) summary.nothingToDo = true;
    else {
      const bs = a.blockSize ?? 32;
      // the pairs' source: exact cosine shortlist, or the ANN index's candidates
      const wanted = (sorted: CatalogueEntry[]): Int32Array => {
        if (shortlist !== undefined) return wantedPairs(db, sorted, shortlist);
        const c = candidatePairs(db, sorted, candidates!, { vectors: m.candidateVectors(params) });
        summary.annIndexes = c.indexes;
        return c.pairs;
      };
      const r = await runShortlist(db, set.id, entries, {
        wanted, spec: m.spec(params), feature: m.sequence(params), k: keep, workers: a.workers,
        pairsPerBlock: bs * bs, progress: a.progress, signal: a.signal,
      });
      summary.blocksComputed = r.computed;
      summary.pairsComputed = r.pairs;
      summary.shortlistPairs = r.wanted;
      if (candidates !== undefined) summary.candidatePairs = r.wanted;
      db.transaction(() => {
        putNeighbours(db, set.id, r.lists);
        putState(db, set.id, membersHash, keep);
      })();
    }
  } else if (m.kind === 'sequence') {
    const sync = syncMembers(db, set.id, entries, a.blockSize ?? 32);
    summary.added = sync.added;
    summary.removed = sync.removed;
    const r = queueWanted(db, a.queue)
      ? await (await import('../worker/queued-blocks.js')).computeBlocksQueued(db, set.id, a)
      : await computePendingBlocks(db, set.id, m.spec(params), m.sequence(params), a);
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
  } else if (candidates !== undefined) {
    // a vector method on candidates: exact scores of the candidate pairs only
    const state = setState(db, set.id);
    if (state?.membersHash === membersHash && state.k >= a.k) summary.nothingToDo = true;
    else {
      const c = candidatePairs(db, entries, candidates, { vectors: m.candidateVectors(params) });
      summary.candidatePairs = c.pairs.length / 2;
      summary.pairsComputed = c.pairs.length / 2;
      summary.annIndexes = c.indexes;
      const byTrack = new Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>();
      let trackStats: Map<number, { mu: number; sd: number }> | undefined;
      if (entries.length > 1) {
        const model = m.model(db, params, entries, undefined, undefined, { mpSample: MP_SAMPLE });
        trackStats = model.trackStats?.();
        for (const [t, l] of listsFromPairs(model, entries, c.pairs, keep, c.complete)) byTrack.set(t, l);
      }
      db.transaction(() => {
        putNeighbours(db, set.id, byTrack);
        putState(db, set.id, membersHash, keep);
        if (trackStats) putTrackStats(db, set.id, trackStats);
      })();
    }
  } else {
    const state = setState(db, set.id);
    let trackStats: Map<number, TrackStat> | undefined;
    if (state?.membersHash === membersHash && state.k >= a.k) summary.nothingToDo = true;
    else {
      // a method's own top-k (cosine without windows), else every row of its model
      const fast = m.topK?.(db, params, entries, keep, a.workers);
      const byTrack = fast ?? new Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>();
      if (!fast && entries.length > 1) {
        const model = m.model(db, params, entries, undefined, undefined, { threads: a.workers });
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
