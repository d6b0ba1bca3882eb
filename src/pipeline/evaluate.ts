/**
 * `yasr evaluate`: precision@k of each method over the analysed catalogue, beside a random
 * baseline and the best a method could do; a neighbour counts when it shares the query's label
 * (album or artist). Two figures per method:
 * - all tracks, leave-one-out, with the method's default parameters (these defaults were chosen
 *   on some corpus: on that corpus this is a training score);
 * - held out (src/evaluate/held-out.ts): each method's parameter choices (its `choices()` in
 *   src/pipeline/similarity/methods/) are tried on one half of the labels, the best is scored on
 *   the other half, both ways; mean, spread and a 95 % bootstrap interval over labels.
 * Each with and without the artist filter (MIREX leaves the query's artist out of its answers).
 * Sequence methods' (dtw/fastdtw) results are computed (or completed) first.
 */
import type { Db } from '../store/db.js';
import { getTrack } from '../store/tracks.js';
import { badParameter } from '../errors.js';
import { checkMethodNames, normalizeParams, type MethodName } from './similarity/methods.js';
import { catalogueEntries, requiredFeatures } from './similarity/catalogue.js';
import { methodNamed } from './similarity/registry.js';
import type { Choice } from './similarity/method.js';
import { runSimilarity } from './similarity/run-similarity.js';
import { denseMatrix, type DenseMatrix } from './similarity/dense.js';
import { randomBaseline, bestPossible } from '../evaluate/precision.js';
import { heldOut, precisionWithin, splitByLabel, subMatrix, type Candidate, type HeldOutResult } from '../evaluate/held-out.js';

export { weightGrid } from './similarity/methods/hybrid.js';

export interface EvaluateOptions {
  label: 'album' | 'artist';
  k: number;
  methods: MethodName[];
  /** The filter of the headline `precision` figure (both are always reported). */
  artistFilter: boolean;
  workers: number;
  /** Held-out figures (default true). */
  heldOut?: boolean;
  /** Seed of the split into halves and of the bootstrap (default 1). */
  seed?: number;
  /** Bootstrap resamples for the intervals (default 2000). */
  resamples?: number;
}

export interface Figures {
  /** All tracks, leave-one-out, default parameters. */
  allTracks: number;
  queries: number;
  skipped: number;
  /** Parameters chosen on one half, scored on the other; absent with heldOut: false. */
  heldOut?: HeldOutResult;
}

export interface MethodEvaluation {
  method: string;
  /** All tracks, default parameters, with the filter of `artistFilter`. */
  precision: number;
  queries: number;
  skipped: number;
  /** The parameter choices the held-out protocol picks from (names), the first is the default. */
  choices: string[];
  unfiltered: Figures;
  artistFiltered: Figures;
}

export interface EvaluateResult {
  label: string;
  k: number;
  artistFilter: boolean;
  tracks: number;
  /**
   * How the held-out halves were made, and the random expectation within a half (mean of the
   * two halves; without / with the artist filter): a half holds fewer wrong candidates, so
   * held-out figures are read against this, not against `random`.
   */
  split: { seed: number; labels: [number, number]; tracks: [number, number]; random: [number, number] } | null;
  methods: MethodEvaluation[];
  random: ReturnType<typeof randomBaseline> | null;
  bestPossible: ReturnType<typeof bestPossible> | null;
}

export function checkEvaluateOptions(o: EvaluateOptions): void {
  if (o.label !== 'album' && o.label !== 'artist') throw badParameter('label', o.label, "'album' or 'artist'");
  checkMethodNames(o.methods);
  if (!Number.isInteger(o.k) || o.k < 1) throw badParameter('k', o.k, 'a positive integer');
  if (o.seed !== undefined && (!Number.isInteger(o.seed) || o.seed < 0)) throw badParameter('seed', o.seed, 'an integer >= 0');
  if (o.resamples !== undefined && (!Number.isInteger(o.resamples) || o.resamples < 100)) throw badParameter('resamples', o.resamples, 'an integer >= 100');
}

/** The grid each method's parameters are chosen from (its `choices()`); the default first. */
export function choicesFor(method: MethodName): Choice[] {
  return methodNamed(method).choices();
}

/** A dense matrix re-indexed onto `ids` (tracks it has), in that order. */
function aligned(m: DenseMatrix, ids: readonly number[]): Float32Array {
  const pos = new Map(m.trackIds.map((t, i) => [t, i]));
  return subMatrix(m.data, m.n, ids.map((t) => pos.get(t)!));
}

/** The tracks every one of the matrices has, in the first one's order. */
function sharedTracks(ms: readonly DenseMatrix[]): number[] {
  const sets = ms.slice(1).map((m) => new Set(m.trackIds));
  return ms[0].trackIds.filter((id) => sets.every((s) => s.has(id)));
}

/** Matrices re-indexed onto the tracks they all have (in the first one's order). */
function onSharedTracks(ms: readonly DenseMatrix[]): { trackIds: number[]; matrices: Float32Array[] } {
  const ids = sharedTracks(ms);
  return { trackIds: ids, matrices: ms.map((m) => aligned(m, ids)) };
}

/**
 * A method's choices that this catalogue can score: those whose features every track of the
 * default's catalogue has (timbre's supervector needs the supervector feature group; a choice
 * whose features are missing is left out rather than shrinking every choice's tracks).
 */
export function availableChoices(db: Db, method: MethodName): Choice[] {
  const all = methodNamed(method).choices();
  // choices that read the same features have the same catalogue: one query each
  const sizes = new Map<string, number>();
  const size = (ch: Choice) => {
    const params = normalizeParams(ch.params);
    const key = requiredFeatures(params).join('\0');
    if (!sizes.has(key)) sizes.set(key, catalogueEntries(db, params).length);
    return sizes.get(key)!;
  };
  const n = size(all[0]);
  return all.filter((ch, i) => i === 0 || size(ch) >= n);
}

/** The candidate matrices of a method's choices over the tracks they all have (exported for tests). */
export async function candidatesFor(db: Db, method: MethodName, workers: number, k: number): Promise<{ trackIds: number[]; candidates: Candidate[] }> {
  const def = methodNamed(method);
  const choices = availableChoices(db, method);
  // sequence methods' matrices are assembled from stored blocks: compute (or complete) them first
  // (all pairs whatever the catalogue's size: the matrix needs every pair)
  if (def.kind === 'sequence') await runSimilarity(db, { method, candidates: 'all' }, { k: Math.max(k, 50), workers });
  if (def.kind === 'vector' && def.evaluationCandidates) return def.evaluationCandidates(choices, (p) => denseMatrix(db, p), onSharedTracks);
  const ms = choices.map((ch) => denseMatrix(db, ch.params));
  const ids = sharedTracks(ms);
  return { trackIds: ids, candidates: ms.map((m, i) => ({ name: choices[i].name, orientation: m.orientation, matrix: () => aligned(m, ids) })) };
}

export async function evaluateMethods(db: Db, o: EvaluateOptions): Promise<EvaluateResult> {
  checkEvaluateOptions(o);
  const seed = o.seed ?? 1;
  const out: EvaluateResult = { label: o.label, k: o.k, artistFilter: o.artistFilter, tracks: 0, split: null, methods: [], random: null, bestPossible: null };
  for (const method of o.methods) {
    const { trackIds, candidates } = await candidatesFor(db, method, o.workers, o.k);
    const n = trackIds.length;
    const tracks = trackIds.map((id) => getTrack(db, id)!);
    const labels = tracks.map((t) => (o.label === 'album' ? t.album : t.artist) ?? `#${t.id}`);
    const artists = tracks.map((t) => t.artist ?? `#${t.id}`);
    const all = [...Array(n).keys()];
    const half = splitByLabel(labels, seed);
    const figures = (filter: boolean): Figures => {
      const a = filter ? artists : undefined;
      const whole = precisionWithin(candidates[0], n, all, labels, o.k, a);
      const skipped = n - whole.queries;
      const f: Figures = { allTracks: whole.precision, queries: whole.queries, skipped };
      if (o.heldOut !== false && n >= 4) f.heldOut = heldOut(candidates, n, half, labels, o.k, { artists: a, seed, resamples: o.resamples });
      return f;
    };
    const unfiltered = figures(false);
    const artistFiltered = figures(true);
    const headline = o.artistFilter ? artistFiltered : unfiltered;
    out.methods.push({
      method,
      precision: headline.allTracks,
      queries: headline.queries,
      skipped: headline.skipped,
      choices: candidates.map((c) => c.name),
      unfiltered,
      artistFiltered,
    });
    if (n >= out.tracks) {
      out.tracks = n;
      out.random = randomBaseline(labels, o.k, o.artistFilter ? artists : undefined);
      out.bestPossible = bestPossible(labels, o.k, o.artistFilter ? artists : undefined);
      if (o.heldOut !== false) {
        const labelsIn = [0, 1].map((h) => new Set(labels.filter((_, i) => half[i] === h)).size) as [number, number];
        const tracksIn = [0, 1].map((h) => half.filter((x) => x === h).length) as [number, number];
        const inHalf = (h: number, a?: readonly string[]) => {
          const idx = all.filter((i) => half[i] === h);
          return randomBaseline(idx.map((i) => labels[i]), o.k, a ? idx.map((i) => a[i]) : undefined).precision;
        };
        const random = [undefined, artists].map((a) => (inHalf(0, a) + inHalf(1, a)) / 2) as [number, number];
        out.split = { seed, labels: labelsIn, tracks: tracksIn, random };
      }
    }
  }
  return out;
}
