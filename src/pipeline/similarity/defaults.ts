import { badParameter } from '../../errors.js';

/** Defaults of the similarity methods' parameters (each method reads its own). */
export const DEFAULTS = {
  vector: 'timbre_summary',
  // chosen with benchmarks/pipeline/preview-match.ts (benchmarks/RESULTS.md): a preview finds its full track
  windows: 'timbre_windows',
  standardize: 'zscore' as const,
  pool: 8,
  band: 0.1,
  radius: 1,
  // chosen by `yasr evaluate` on the game-soundtrack corpus (benchmarks/RESULTS.md)
  weights: [0.5, 0.25, 0.25] as [number, number, number],
};

/** Hybrid weights, scaled to sum to 1. */
export function normalizeWeights(w: number[]): [number, number, number] {
  if (w.length !== 3 || w.some((x) => !(x >= 0) || !Number.isFinite(x)) || w[0] + w[1] + w[2] <= 0) {
    throw badParameter('weights', w, 'three numbers >= 0 (timbre, cosine, descriptors), not all 0');
  }
  const s = w[0] + w[1] + w[2];
  return [w[0] / s, w[1] / s, w[2] / s];
}
