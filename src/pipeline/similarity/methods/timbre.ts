import { candidatesParam, withAnnVector } from '../candidate-params.js';
import { DEFAULTS } from '../defaults.js';
import type { VectorMethod } from '../method.js';
import { timbreModel } from '../vector-model.js';

/** A single Gaussian per track, symmetrised KL divergence, normalised by mutual proximity. */
export const timbre: VectorMethod<'timbre'> = {
  name: 'timbre',
  kind: 'vector',
  orientation: 'distance',
  help: [
    'a single Gaussian per track over its MFCC frames, symmetrised KL divergence,',
    "normalised by mutual proximity (Musly's idea); distances in [0, 1]",
  ],
  // mutual proximity needs all n^2 divergences: a stored track reads the stored lists
  listsForStoredTrack: true,
  normalize: (p) => ({ method: p.method, feature: 'timbre_gauss', mp: p.mp ?? true, ...candidatesParam(p.candidates) }),
  reads: (params) => withAnnVector(params, [params.feature as string]),
  // the Gaussian's mean is the summary's first half
  candidateVectors: () => [DEFAULTS.vector],
  model: (db, params, entries, cache, stats, options) => timbreModel(db, entries, params.mp !== false, cache, stats, options),
  queryInputs: (_params, f) => [f.vectors.timbre_gauss],
  choices: () => [
    { name: 'mutual proximity', params: { method: 'timbre', mp: true } },
    { name: 'raw divergence', params: { method: 'timbre', mp: false } },
  ],
};
