import { fastdtw as fastdtwDistance } from '../../../similarity/fastdtw.js';
import { DEFAULTS, SHORTLIST_VECTOR } from '../defaults.js';
import { sequencePairsParam, withAnnVector } from '../candidate-params.js';
import type { SequenceMethod } from '../method.js';
import { LEVEL_REFERENCED_SEQUENCE, storedFeaturesOf } from '../catalogue.js';

/** FastDTW (Salvador & Chan) as the Python fastdtw 0.3.4 package computes it. */
export const fastdtw: SequenceMethod<'fastdtw'> = {
  name: 'fastdtw',
  kind: 'sequence',
  orientation: 'distance',
  help: ['FastDTW (Salvador & Chan) as the Python fastdtw 0.3.4 package computes it'],
  listsForStoredTrack: true,
  normalize: (p) => ({ method: p.method, feature: LEVEL_REFERENCED_SEQUENCE, pool: p.pool ?? 1, radius: p.radius ?? DEFAULTS.radius, ...sequencePairsParam(p) }),
  reads: (params) => withAnnVector(params, [...storedFeaturesOf(params.feature as string), ...(params.shortlist ? [SHORTLIST_VECTOR] : [])]),
  sequence: (params) => params.feature as string,
  candidateVectors: () => [DEFAULTS.vector],
  spec: (params) => ({ method: 'fastdtw', pool: params.pool as number, radius: params.radius as number }),
  distance: (spec, a, b, dim) => fastdtwDistance(a, b, dim, { radius: spec.radius }),
  // each choice is an all-pairs alignment: only the default is evaluated
  choices: () => [{ name: 'default', params: { method: 'fastdtw' } }],
};
