import { badParameter } from '../../../errors.js';
import { candidatesParam, withAnnVector } from '../candidate-params.js';
import { DEFAULTS, timbreGaussFeature } from '../defaults.js';
import type { VectorMethod } from '../method.js';
import { timbreModel } from '../vector-model.js';

/** A single Gaussian per track, symmetrised KL divergence, normalised by mutual proximity. */
export const timbre: VectorMethod<'timbre'> = {
  name: 'timbre',
  kind: 'vector',
  orientation: 'distance',
  help: [
    'a single Gaussian per track over its MFCC frames and their deltas, symmetrised KL',
    "divergence, normalised by mutual proximity; distances in [0, 1] (--no-deltas: Musly's idea)",
  ],
  // mutual proximity needs all n^2 divergences: a stored track reads the stored lists
  listsForStoredTrack: true,
  // feature: the stored Gaussians (with deltas by default; features version 10)
  normalize: (p) => {
    for (const key of ['mp', 'deltas'] as const) if (p[key] !== undefined && typeof p[key] !== 'boolean') throw badParameter(key, p[key], 'true or false');
    return { method: p.method, feature: timbreGaussFeature(p.deltas ?? true), mp: p.mp ?? true, ...candidatesParam(p.candidates) };
  },
  reads: (params) => withAnnVector(params, [params.feature as string]),
  // the Gaussian's mean is the summary's first half
  candidateVectors: () => [DEFAULTS.vector],
  model: (db, params, entries, cache, stats, options) => timbreModel(db, entries, params.mp !== false, cache, stats, options, params.feature as string),
  queryInputs: (params, f) => [f.vectors[params.feature as string]],
  choices: () => [
    { name: 'mutual proximity', params: { method: 'timbre', mp: true } },
    { name: 'raw divergence', params: { method: 'timbre', mp: false } },
    { name: 'mutual proximity, no deltas', params: { method: 'timbre', mp: true, deltas: false } },
    { name: 'raw divergence, no deltas', params: { method: 'timbre', mp: false, deltas: false } },
  ],
};
