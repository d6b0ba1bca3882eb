/**
 * Leave-one-out precision@k of each method over the analysed catalogue, beside a random
 * baseline and the best a method could do: a neighbour counts when it shares the query's label
 * (album or artist). dtw/fastdtw results are computed (or completed) first.
 */
import type { Db } from '../store/db.js';
import { getTrack } from '../store/tracks.js';
import { badParameter } from '../errors.js';
import { METHODS, type MethodName } from './similarity/methods.js';
import { runSimilarity } from './similarity/run-similarity.js';
import { denseMatrix } from './similarity/dense.js';
import { precisionAtK, randomBaseline, bestPossible, neighboursFromDistanceMatrix } from '../evaluate/precision.js';

export interface EvaluateOptions {
  label: 'album' | 'artist';
  k: number;
  methods: MethodName[];
  /** Leave the query's own artist out of its neighbours (MIREX practice). */
  artistFilter: boolean;
  workers: number;
}

export interface EvaluateResult {
  label: string;
  k: number;
  artistFilter: boolean;
  tracks: number;
  methods: { method: string; precision: number; queries: number; skipped: number }[];
  random: ReturnType<typeof randomBaseline> | null;
  bestPossible: ReturnType<typeof bestPossible> | null;
}

export function checkEvaluateOptions(o: EvaluateOptions): void {
  if (o.label !== 'album' && o.label !== 'artist') throw badParameter('label', o.label, "'album' or 'artist'");
  for (const m of o.methods) if (!(METHODS as readonly string[]).includes(m)) throw badParameter('method', m, METHODS.join(', '));
  if (!Number.isInteger(o.k) || o.k < 1) throw badParameter('k', o.k, 'a positive integer');
}

export async function evaluateMethods(db: Db, o: EvaluateOptions): Promise<EvaluateResult> {
  checkEvaluateOptions(o);
  const out: EvaluateResult = { label: o.label, k: o.k, artistFilter: o.artistFilter, tracks: 0, methods: [], random: null, bestPossible: null };
  for (const method of o.methods) {
    if (method === 'dtw' || method === 'fastdtw') await runSimilarity(db, { method }, { k: Math.max(o.k, 50), workers: o.workers });
    const m = denseMatrix(db, { method });
    const tracks = m.trackIds.map((id) => getTrack(db, id)!);
    const labels = tracks.map((t) => (o.label === 'album' ? t.album : t.artist) ?? `#${t.id}`);
    const artists = tracks.map((t) => t.artist ?? `#${t.id}`);
    const r = precisionAtK({
      neighbours: neighboursFromDistanceMatrix(m.data, m.n, { order: m.orientation === 'similarity' ? 'descending' : 'ascending' }),
      labels,
      k: o.k,
      excludeSameArtist: o.artistFilter ? artists : undefined,
    });
    out.methods.push({ method, precision: r.precision, queries: r.queries, skipped: r.skipped });
    if (m.n >= out.tracks) {
      out.tracks = m.n;
      out.random = randomBaseline(labels, o.k, o.artistFilter ? artists : undefined);
      out.bestPossible = bestPossible(labels, o.k, o.artistFilter ? artists : undefined);
    }
  }
  return out;
}
