import { dtw as dtwDistance } from '../../../similarity/dtw.js';
import { DEFAULTS, DTW_SHORTLIST, SHORTLIST_VECTOR } from '../defaults.js';
import { sequencePairsParam, withAnnVector } from '../candidate-params.js';
import type { SequenceMethod } from '../method.js';
import { LEVEL_REFERENCED_SEQUENCE, storedFeaturesOf } from '../catalogue.js';
import { thousands } from '../../../util/format.js';

/** Exact dynamic time warping on MFCC frame sequences. */
export const dtw: SequenceMethod<'dtw'> = {
  name: 'dtw',
  kind: 'sequence',
  orientation: 'distance',
  help: [
    'exact dynamic time warping on MFCC frame sequences (Euclidean frame cost, steps',
    `(1,1), (1,0), (0,1)); by default frames are pooled by ${DEFAULTS.pool} and a ${DEFAULTS.band * 100}% Sakoe-Chiba`,
    `band is used (--pool 1 --band 0: exact unconstrained DTW); above ${thousands(DTW_SHORTLIST.above)} analysed`,
    `tracks each track is aligned only with its ${DTW_SHORTLIST.shortlist} nearest by cosine (--shortlist ${DTW_SHORTLIST.shortlist}),`,
    `pooled by ${DTW_SHORTLIST.pool} with a ${DTW_SHORTLIST.band * 100}% band: nearer exact DTW, and cheaper at that size`,
  ],
  listsForStoredTrack: true,
  normalize: (p) => ({ method: p.method, feature: LEVEL_REFERENCED_SEQUENCE, pool: p.pool ?? DEFAULTS.pool, band: p.band ?? DEFAULTS.band, ...sequencePairsParam(p) }),
  reads: (params) => withAnnVector(params, [...storedFeaturesOf(params.feature as string), ...(params.shortlist ? [SHORTLIST_VECTOR] : [])]),
  sequence: (params) => params.feature as string,
  candidateVectors: () => [DEFAULTS.vector],
  spec(params) {
    const band = params.band as number;
    return { method: 'dtw', pool: params.pool as number, band: band > 0 ? band : undefined };
  },
  distance: (spec, a, b, dim) => dtwDistance(a, b, dim, { band: spec.band }),
  // each choice is an all-pairs alignment: only the default is evaluated
  choices: () => [{ name: 'default', params: { method: 'dtw' } }],
};
