import { badParameter } from '../../../errors.js';
import { candidatesParam, withAnnVector } from '../candidate-params.js';
import { DEFAULTS, TIMBRE_SV, timbreGaussFeature } from '../defaults.js';
import type { VectorMethod } from '../method.js';
import { timbreMethodModel } from '../timbre-model.js';

/**
 * A single Gaussian per track, symmetrised KL divergence, normalised by mutual proximity; with
 * `supervector`, averaged with a GMM mean supervector's cosine distance (also normalised).
 */
export const timbre: VectorMethod<'timbre'> = {
  name: 'timbre',
  kind: 'vector',
  orientation: 'distance',
  help: [
    'a single Gaussian per track over its MFCC frames and their deltas, symmetrised KL',
    "divergence, normalised by mutual proximity; distances in [0, 1] (--no-deltas: Musly's idea;",
    '--supervector, after yasr features --supervector: averaged with the GMM mean supervector',
    'of the same frames, cosine distance)',
  ],
  // mutual proximity needs all n^2 divergences: a stored track reads the stored lists
  listsForStoredTrack: true,
  // feature: the stored Gaussians (with deltas by default; features version 10); supervector (the
  // supervector feature group's timbre_sv): not the default, so named only when true (the
  // default's identity stays what it was)
  normalize: (p) => {
    for (const key of ['mp', 'deltas', 'supervector'] as const) if (p[key] !== undefined && typeof p[key] !== 'boolean') throw badParameter(key, p[key], 'true or false');
    return { method: p.method, feature: timbreGaussFeature(p.deltas ?? true), mp: p.mp ?? true, ...(p.supervector ? { supervector: true } : {}), ...candidatesParam(p.candidates) };
  },
  reads: (params) => withAnnVector(params, [params.feature as string, ...(params.supervector ? [TIMBRE_SV] : [])]),
  // the Gaussian's mean is the summary's first half
  candidateVectors: () => [DEFAULTS.vector],
  model: (db, params, entries, cache, stats, options) =>
    timbreMethodModel(db, entries, { feature: params.feature as string, mp: params.mp !== false, supervector: params.supervector === true }, cache, stats, options),
  queryInputs: (params, f) => [f.vectors[params.feature as string], ...(params.supervector ? [f.vectors[TIMBRE_SV]] : [])],
  choices: () => [
    { name: 'mutual proximity', params: { method: 'timbre', mp: true } },
    { name: 'raw divergence', params: { method: 'timbre', mp: false } },
    { name: 'mutual proximity, with the supervector', params: { method: 'timbre', mp: true, supervector: true } },
    { name: 'mutual proximity, no deltas', params: { method: 'timbre', mp: true, deltas: false } },
    { name: 'raw divergence, no deltas', params: { method: 'timbre', mp: false, deltas: false } },
  ],
};
