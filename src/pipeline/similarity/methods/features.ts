import { DEFAULTS } from '../defaults.js';
import { candidatesParam, withAnnVector } from '../candidate-params.js';
import type { VectorMethod } from '../method.js';
import { featuresModel, featuresOfSpace } from '../vector-model.js';
import { DESCRIPTOR_VIEW } from '../descriptor-view.js';

/** Euclidean distance of standardised musical descriptors. */
export const features: VectorMethod<'features'> = {
  name: 'features',
  kind: 'vector',
  orientation: 'distance',
  // 2: tempo on a circle of octaves, mode weighted by the key's confidence; 3: the flatness left out (../descriptor-view.ts)
  revision: 3,
  help: ['Euclidean distance of standardised musical descriptors (tempo, key, loudness, ...)'],
  listsForStoredTrack: false,
  normalize: (p) => ({ method: p.method, standardize: p.standardize ?? DEFAULTS.standardize, ...candidatesParam(p.candidates) }),
  reads: (params) => withAnnVector(params, ['descriptors'], ['descriptors']),
  // descriptor space: the cosine of z-scored descriptors ranks much as their distance does
  candidateVectors: () => ['descriptors'],
  model: (db, params, entries, cache) => featuresModel(db, entries, params.standardize !== 'none', cache),
  oneSpace: (params) => ({ feature: 'descriptors', standardize: params.standardize !== 'none', unit: false, view: DESCRIPTOR_VIEW, model: featuresOfSpace }),
  queryInputs: (_params, f) => [f.vectors.descriptors],
  choices: () => [
    { name: 'zscore', params: { method: 'features', standardize: 'zscore' } },
    { name: 'no standardisation', params: { method: 'features', standardize: 'none' } },
  ],
};
