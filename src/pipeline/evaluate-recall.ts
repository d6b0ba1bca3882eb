/**
 * `yasr evaluate --candidates C`: how much of each method's exact top k the candidate stage keeps.
 * For each method, the all-pairs result set (`--candidates all`) and the candidates set
 * (`--candidates C`) are computed (or brought up to date) by `yasr similarity`'s own runs and
 * stored; a track's recall is the share of its exact k nearest that its candidate list's k nearest
 * hold (a track tied with the exact k-th, same score, counts too); recall@k is their sum over all
 * tracks divided by the number of exact neighbours (k per track, fewer in a catalogue of k or
 * fewer tracks).
 *
 * What it measures: the ANN index's misses and, for timbre and hybrid, the sampled
 * mutual-proximity statistics (./similarity/candidates.ts): the candidates' scores are exact
 * otherwise, so a listed neighbour is never wrongly scored, only possibly missing.
 */
import type { Db } from '../store/db.js';
import { badParameter } from '../errors.js';
import { findSets, getNeighbours } from '../store/similarity.js';
import { checkMethodNames, hashOf, type MethodName, type SimilarityParams } from './similarity/methods.js';
import { normalizeCandidates } from './similarity/candidates.js';
import { runSimilarity, type SimilaritySummary } from './similarity/run-similarity.js';
import { resolveRun } from './similarity/catalogue.js';
import type { ProgressSink } from './progress-events.js';

export interface RecallOptions {
  methods: MethodName[];
  /** Candidates per track (an integer >= 1). */
  candidates: number;
  k: number;
  workers: number;
  progress?: ProgressSink;
}

export interface MethodRecall {
  method: string;
  /** Recall@k over every track (see the module doc). */
  recall: number;
  /** The lowest recall of one track, and how many tracks kept all of their exact k. */
  worstTrack: number;
  perfectTracks: number;
  tracks: number;
  /** Pairs scored: all of them, and the candidate pairs (null when the set was already up to date). */
  allPairs: number;
  candidatePairs: number | null;
  /** Seconds of each run (null when the set was already up to date, so nothing ran). */
  allPairsSeconds: number | null;
  candidatesSeconds: number | null;
}

export interface RecallResult {
  candidates: number;
  k: number;
  methods: MethodRecall[];
}

export function checkRecallOptions(o: RecallOptions): void {
  checkMethodNames(o.methods);
  if (normalizeCandidates(o.candidates) === undefined) throw badParameter('--candidates', o.candidates, 'an integer >= 1');
  if (!Number.isInteger(o.k) || o.k < 1) throw badParameter('k', o.k, 'a positive integer');
}

/** Each track's stored nearest list of the set a run with `p` made. */
function listsOf(db: Db, p: SimilarityParams): Map<number, { trackId: number; score: number }[]> {
  const { params, entries } = resolveRun(db, p);
  const set = findSets(db, p.method).find((s) => s.paramsHash === hashOf(params))!;
  return new Map(entries.map((e) => [e.trackId, getNeighbours(db, set.id, e.trackId)?.nearest ?? []]));
}

/**
 * Recall@k of one parameter set (its other parameters as given) with `candidates` against the
 * same parameters with all pairs; both sets are computed (or brought up to date) and stored.
 */
export async function methodRecall(db: Db, p: SimilarityParams, o: { candidates: number; k: number; workers: number; progress?: ProgressSink }): Promise<MethodRecall> {
  const run = (candidates: number | 'all'): Promise<SimilaritySummary> => runSimilarity(db, { ...p, candidates }, { k: o.k, workers: o.workers, progress: o.progress });
  const exactRun = await run('all');
  const candRun = await run(o.candidates);
  const exact = listsOf(db, { ...p, candidates: 'all' });
  const cand = listsOf(db, { ...p, candidates: o.candidates });
  let hits = 0;
  let wanted = 0;
  let worst = 1;
  let perfect = 0;
  for (const [t, e] of exact) {
    const top = e.slice(0, o.k);
    if (!top.length) continue;
    const ids = new Set(top.map((x) => x.trackId));
    const last = top[top.length - 1].score;
    const got = (cand.get(t) ?? []).slice(0, o.k);
    const h = got.filter((x) => ids.has(x.trackId) || x.score === last).length;
    const r = Math.min(h, top.length);
    hits += r;
    wanted += top.length;
    worst = Math.min(worst, r / top.length);
    if (r === top.length) perfect++;
  }
  const n = exactRun.tracks;
  return {
    method: p.method,
    recall: wanted ? hits / wanted : NaN,
    worstTrack: wanted ? worst : NaN,
    perfectTracks: perfect,
    tracks: n,
    allPairs: (n * (n - 1)) / 2,
    candidatePairs: candRun.nothingToDo ? null : (candRun.candidatePairs ?? null),
    allPairsSeconds: exactRun.nothingToDo ? null : exactRun.seconds,
    candidatesSeconds: candRun.nothingToDo ? null : candRun.seconds,
  };
}

export async function evaluateRecall(db: Db, o: RecallOptions): Promise<RecallResult> {
  checkRecallOptions(o);
  const out: RecallResult = { candidates: o.candidates, k: o.k, methods: [] };
  for (const method of o.methods) out.methods.push(await methodRecall(db, { method }, o));
  return out;
}
