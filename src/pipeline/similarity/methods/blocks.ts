import { BLOCKS_DEFAULTS, DEFAULTS, normalizeBlockWeights } from '../defaults.js';
import { badParameter } from '../../../errors.js';
import type { VectorMethod } from '../method.js';
import { blocksModel, type BlocksNorm } from '../blocks-model.js';

function checkNorm(v: unknown): BlocksNorm {
  if (v !== 'dsn' && v !== 'zscore') throw badParameter('block norm', v, "'dsn' or 'zscore'");
  return v;
}

/** Block-level patterns (rhythm, onsets, band correlation, contrast), L1 per pattern, DSN, weighted. */
export const blocks: VectorMethod<'blocks'> = {
  name: 'blocks',
  kind: 'vector',
  orientation: 'distance',
  help: [
    'block-level patterns (Seyerlehner et al. 2010) of spectrum, onsets, rhythm (log',
    'fluctuation), band correlation and contrast over blocks of frames: L1 per pattern,',
    'distance space normalisation, weighted (--block-weights, --block-norm); in (0, 1)',
  ],
  // distance space normalisation needs every track's distances to all others (like mutual proximity)
  // candidates (--candidates) come from the ANN index of the timbre summary, as timbre's do
  candidateVectors: () => [DEFAULTS.vector],
  listsForStoredTrack: true,
  normalize: (p) => ({
    method: p.method,
    feature: 'block_patterns',
    weights: normalizeBlockWeights(p.blockWeights ?? BLOCKS_DEFAULTS.weights),
    norm: checkNorm(p.blockNorm ?? BLOCKS_DEFAULTS.norm),
  }),
  reads: (params) => [params.feature as string],
  model: (db, params, entries, cache, stats, options) => blocksModel(db, entries, params.weights as number[], params.norm as BlocksNorm, cache, stats, options),
  queryInputs: (_params, f) => [f.vectors.block_patterns],
  choices: () => [
    { name: 'equal weights, dsn', params: { method: 'blocks' } },
    { name: 'rhythm-heavy (dsp, vdsp, lfp x2), dsn', params: { method: 'blocks', blockWeights: [1, 2, 2, 2, 1, 1] } },
    { name: 'spectrum-heavy (sp, scp x2), dsn', params: { method: 'blocks', blockWeights: [2, 1, 1, 1, 1, 2] } },
    { name: 'equal weights, global z-score', params: { method: 'blocks', blockNorm: 'zscore' } },
  ],
};
