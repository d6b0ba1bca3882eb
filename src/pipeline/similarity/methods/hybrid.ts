import { DEFAULTS, TIMBRE_GAUSS, normalizeWeights, type HybridWeights } from '../defaults.js';
import { candidatesParam, withAnnVector } from '../candidate-params.js';
import type { VectorMethod } from '../method.js';
import { hybridModel, mixHybrid } from '../vector-model.js';

/**
 * Hybrid weights tried by the held-out protocol: every weighting of the four parts (HYBRID_PARTS)
 * in steps of `step` (default 0.25: 35 choices; 15 of them give blocks 0).
 */
export function weightGrid(step = 0.25): HybridWeights[] {
  const out: HybridWeights[] = [];
  const m = Math.round(1 / step);
  for (let a = 0; a <= m; a++) for (let b = 0; a + b <= m; b++) for (let c = 0; a + b + c <= m; c++) out.push([a / m, b / m, c / m, (m - a - b - c) / m]);
  return out;
}

const f2 = (w: number[]) => w.map((x) => x.toFixed(2)).join(',');

/** Whether normalised hybrid parameters give the blocks part a weight (then it reads block_patterns). */
const hasBlocks = (params: Record<string, unknown>) => (params.weights as number[])[3] > 0;

/** Timbre (Gaussian with mutual proximity), cosine timbre, descriptors and block-level patterns, weighted. */
export const hybrid: VectorMethod<'hybrid'> = {
  name: 'hybrid',
  kind: 'vector',
  orientation: 'distance',
  // 2: its descriptor part compares tempo on a circle of octaves, mode weighted by the key's
  // confidence; 3: without the flatness (../descriptor-view.ts); 4: a fourth part, blocks;
  // 5: the timbre part's Gaussians have deltas (TIMBRE_GAUSS, features version 10)
  revision: 5,
  help: [
    'timbre (Gaussian with mutual proximity), cosine timbre, descriptors and block-level',
    `patterns, weighted (--weights, default ${DEFAULTS.weights.join(',')}: the best on the evaluation corpus)`,
  ],
  // its timbre part's mutual proximity and its blocks part's normalisation need all n^2 distances (see timbre, blocks)
  listsForStoredTrack: true,
  normalize: (p) => ({
    method: p.method,
    vector: p.vector ?? DEFAULTS.vector,
    standardize: p.standardize ?? DEFAULTS.standardize,
    weights: normalizeWeights(p.weights ?? DEFAULTS.weights),
    ...candidatesParam(p.candidates),
  }),
  reads: (params) =>
    withAnnVector(params, [params.vector as string, 'descriptors', TIMBRE_GAUSS, ...(hasBlocks(params) ? ['block_patterns'] : [])], hybrid.candidateVectors(params)),
  // both of its spaces: timbre (its timbre and cosine parts) and descriptors
  candidateVectors: (params) => [params.vector as string, 'descriptors'],
  model: (db, params, entries, cache, stats, options) =>
    hybridModel(db, entries, params.vector as string, params.standardize !== 'none', params.weights as HybridWeights, cache, stats, options),
  queryInputs: (params, f) => [
    f.vectors[params.vector as string],
    f.vectors.descriptors,
    f.vectors[TIMBRE_GAUSS],
    ...(hasBlocks(params) ? [f.vectors.block_patterns] : []),
  ],
  choices() {
    const d = DEFAULTS.weights;
    const rest = weightGrid().filter((w) => f2(w) !== f2(d));
    return [d, ...rest].map((w) => ({ name: `weights ${f2(w)}`, params: { method: 'hybrid', weights: w } }));
  },
  /** The components once (its own cosine compares the summaries, without windows); each weighting their weighted sum, made when asked for. */
  evaluationCandidates(choices, dense, onSharedTracks) {
    const { trackIds, matrices } = onSharedTracks([dense({ method: 'timbre', mp: true }), dense({ method: 'cosine', windows: 'none' }), dense({ method: 'features' }), dense({ method: 'blocks' })]);
    const [T, C, F, B] = matrices;
    return {
      trackIds,
      candidates: choices.map((ch) => {
        const w = hybrid.normalize(ch.params).weights as HybridWeights;
        return { name: ch.name, orientation: 'distance' as const, matrix: () => mixHybrid(w, T, C, F, B) };
      }),
    };
  },
};

