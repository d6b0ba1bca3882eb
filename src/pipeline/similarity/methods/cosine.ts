import type { NeighbourEntry } from '../../../store/similarity.js';
import { unitRowsTopK, windowMatchTopK, type TopKResult } from '../../../similarity/exact-topk.js';
import { DEFAULTS } from '../defaults.js';
import { candidatesParam, withAnnVector } from '../candidate-params.js';
import type { VectorMethod } from '../method.js';
import { cosineModel, cosineOfSpace, cosineRows, windowedRows } from '../vector-model.js';

const usesWindows = (params: Record<string, unknown>): boolean => Boolean(params.windows && params.windows !== 'none');

/** Cosine similarity of per-track summary vectors, matched against the other track's windows. */
export const cosine: VectorMethod<'cosine'> = {
  name: 'cosine',
  kind: 'vector',
  orientation: 'similarity',
  help: [
    'cosine similarity of per-track summary vectors (level-referenced MFCC mean+std of',
    "the central excerpt), z-scored across the catalogue, each matched against the other",
    "track's 30 s windows (the best match counts: a preview finds its full track);",
    '--vector mfcc_summary --standardize none: plain librosa cosine',
  ],
  listsForStoredTrack: false,
  normalize(p) {
    const vector = p.vector ?? DEFAULTS.vector;
    const windows = p.windows ?? (vector === DEFAULTS.vector ? DEFAULTS.windows : 'none');
    return { method: p.method, vector, standardize: p.standardize ?? DEFAULTS.standardize, windows, ...candidatesParam(p.candidates) };
  },
  reads: (params) => withAnnVector(params, usesWindows(params) ? [params.vector as string, params.windows as string] : [params.vector as string], cosine.candidateVectors(params)),
  // its own summary vector (the windows' best match is often, not always, near it)
  candidateVectors: (params) => [params.vector as string],
  model: (db, params, entries, cache) => cosineModel(db, entries, params.vector as string, params.standardize !== 'none', cache, params.windows as string | undefined),
  // without windows: cosines in the unit-length space of the summaries (cosineModel's own)
  oneSpace: (params) => (usesWindows(params) ? undefined : { feature: params.vector as string, standardize: params.standardize !== 'none', unit: true, model: cosineOfSpace }),
  queryInputs(params, f) {
    const windows = usesWindows(params) ? f.windows?.[params.windows as string] : undefined;
    return windows ? [f.vectors[params.vector as string], windows] : [f.vectors[params.vector as string]];
  },
  /**
   * Each track's k nearest and k farthest without the n x n matrix: an exact blocked top-k over a
   * tensor backend (src/similarity/exact-topk.ts; YASR_TENSOR_BACKEND), on the model's own rows,
   * so the lists and their scores are the ones the model's rows give.
   */
  topK(db, params, entries, keep, threads = 1) {
    if (entries.length <= 1) return undefined;
    const kk = Math.min(keep, entries.length - 1);
    const standardize = params.standardize !== 'none';
    let r: TopKResult;
    if (usesWindows(params)) {
      const w = windowedRows(db, entries, params.vector as string, params.windows as string, standardize);
      r = windowMatchTopK(w.C, w.W, w.start, w.dim, { k: kk, least: kk, threads: Math.max(1, threads) });
    } else {
      const c = cosineRows(db, entries, params.vector as string, standardize);
      r = unitRowsTopK(c.rows, c.dim, { k: kk, least: kk });
    }
    const list = (index: Int32Array, score: Float64Array, i: number): NeighbourEntry[] => {
      const out: NeighbourEntry[] = [];
      for (let q = 0; q < kk; q++) {
        const j = index[i * kk + q];
        if (j >= 0) out.push({ trackId: entries[j].trackId, score: score[i * kk + q] });
      }
      return out;
    };
    const byTrack = new Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>();
    entries.forEach((e, i) => byTrack.set(e.trackId, { nearest: list(r.index, r.score, i), farthest: list(r.farthest!.index, r.farthest!.score, i) }));
    return byTrack;
  },
  choices: () => [
    { name: `windows ${DEFAULTS.windows}, zscore`, params: { method: 'cosine', windows: DEFAULTS.windows, standardize: 'zscore' } },
    { name: 'windows none, zscore', params: { method: 'cosine', windows: 'none', standardize: 'zscore' } },
    { name: `windows ${DEFAULTS.windows}, no standardisation`, params: { method: 'cosine', windows: DEFAULTS.windows, standardize: 'none' } },
    { name: 'windows none, no standardisation', params: { method: 'cosine', windows: 'none', standardize: 'none' } },
  ],
};
