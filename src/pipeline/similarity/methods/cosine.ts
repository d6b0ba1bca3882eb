import type { NeighbourEntry } from '../../../store/similarity.js';
import { cosineTopK } from '../../../similarity/cosine.js';
import { vectorOf } from '../catalogue.js';
import { DEFAULTS } from '../defaults.js';
import type { VectorMethod } from '../method.js';
import { cosineModel, cosineOfSpace } from '../vector-model.js';

const usesWindows = (params: Record<string, unknown>): boolean => Boolean(params.windows && params.windows !== 'none');

/** Cosine similarity of per-track summary vectors, matched against the other track's windows. */
export const cosine: VectorMethod<'cosine'> = {
  name: 'cosine',
  kind: 'vector',
  orientation: 'similarity',
  help: [
    'cosine similarity of per-track summary vectors (MFCC mean+std of the central',
    "excerpt), z-scored across the catalogue, each matched against the other track's",
    '30 s windows (the best match counts: a preview finds its full track); --windows',
    'none --standardize none reproduces plain librosa cosine',
  ],
  listsForStoredTrack: false,
  normalize(p) {
    const vector = p.vector ?? DEFAULTS.vector;
    const windows = p.windows ?? (vector === DEFAULTS.vector ? DEFAULTS.windows : 'none');
    return { method: p.method, vector, standardize: p.standardize ?? DEFAULTS.standardize, windows };
  },
  reads: (params) => (usesWindows(params) ? [params.vector as string, params.windows as string] : [params.vector as string]),
  model: (db, params, entries, cache) => cosineModel(db, entries, params.vector as string, params.standardize !== 'none', cache, params.windows as string | undefined),
  // without windows: cosines in the unit-length space of the summaries (cosineModel's own)
  oneSpace: (params) => (usesWindows(params) ? undefined : { feature: params.vector as string, standardize: params.standardize !== 'none', unit: true, model: cosineOfSpace }),
  queryInputs(params, f) {
    const windows = usesWindows(params) ? f.windows?.[params.windows as string] : undefined;
    return windows ? [f.vectors[params.vector as string], windows] : [f.vectors[params.vector as string]];
  },
  /** Summaries only (no windows): a blocked top-k without the n x n matrix. */
  topK(db, params, entries, keep) {
    if (usesWindows(params) || entries.length <= 1) return undefined;
    const dim = vectorOf(db, entries[0].trackId, params.vector as string).length;
    const data = new Float32Array(entries.length * dim);
    entries.forEach((e, i) => data.set(vectorOf(db, e.trackId, params.vector as string), i * dim));
    const kk = Math.min(keep, entries.length - 1);
    const r = cosineTopK(data, dim, { k: kk, standardize: params.standardize !== 'none' });
    const byTrack = new Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>();
    entries.forEach((e, i) => {
      const nearest: NeighbourEntry[] = [];
      for (let q = 0; q < kk; q++) {
        const j = r.index[i * kk + q];
        if (j >= 0) nearest.push({ trackId: entries[j].trackId, score: r.score[i * kk + q] });
      }
      byTrack.set(e.trackId, { nearest, farthest: [] });
    });
    return byTrack;
  },
  choices: () => [
    { name: `windows ${DEFAULTS.windows}, zscore`, params: { method: 'cosine', windows: DEFAULTS.windows, standardize: 'zscore' } },
    { name: 'windows none, zscore', params: { method: 'cosine', windows: 'none', standardize: 'zscore' } },
    { name: `windows ${DEFAULTS.windows}, no standardisation`, params: { method: 'cosine', windows: DEFAULTS.windows, standardize: 'none' } },
    { name: 'windows none, no standardisation', params: { method: 'cosine', windows: 'none', standardize: 'none' } },
  ],
};
