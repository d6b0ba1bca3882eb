import { badParameter } from '../../errors.js';
import { paramsHash } from '../../util/hash.js';

export const METHODS = ['cosine', 'timbre', 'dtw', 'fastdtw', 'features', 'hybrid'] as const;
export type MethodName = (typeof METHODS)[number];

export interface SimilarityParams {
  method: MethodName;
  /** cosine/hybrid: which stored summary vector (default mfcc_summary: MFCC mean and std). */
  vector?: string;
  /**
   * cosine: stored window vectors matched against the other track's summary (default
   * mfcc_windows with the default vector, else none); 'none' compares the summaries only.
   */
  windows?: string;
  /** cosine/features/hybrid: 'zscore' across the catalogue (default) or 'none'. */
  standardize?: 'zscore' | 'none';
  /** dtw/fastdtw: frames averaged before alignment. */
  pool?: number;
  /** dtw: Sakoe-Chiba band as a fraction of the longer sequence (0 = none). */
  band?: number;
  /** fastdtw: radius. */
  radius?: number;
  /** hybrid: weights of [timbre (Gaussian, mutual proximity), cosine timbre, descriptors]. */
  weights?: [number, number, number];
  /** timbre: normalise distances by mutual proximity (default true). */
  mp?: boolean;
}

/** How a method's scores read: similarities (higher = closer) or distances (lower = closer). */
export function orientation(method: MethodName): 'similarity' | 'distance' {
  return method === 'cosine' ? 'similarity' : 'distance';
}

export const DEFAULTS = {
  vector: 'mfcc_summary',
  // chosen with benchmarks/pipeline/preview-match.ts (benchmarks/RESULTS.md): a preview finds its full track
  windows: 'mfcc_windows',
  standardize: 'zscore' as const,
  pool: 8,
  band: 0.1,
  radius: 1,
  // chosen by `yasr evaluate` on the game-soundtrack corpus (benchmarks/RESULTS.md)
  weights: [0.5, 0.25, 0.25] as [number, number, number],
};

/** Method names given by a user (evaluate's --method list): each must be a method. */
export function checkMethodNames(names: readonly string[]): void {
  for (const m of names) if (!(METHODS as readonly string[]).includes(m)) throw badParameter('method', m, METHODS.join(', '));
}

/** The parameters that define a result set (k is not one: neighbours are derived for any k). */
export function normalizeParams(p: SimilarityParams): Record<string, unknown> {
  if (!(METHODS as readonly string[]).includes(p.method)) throw badParameter('--method', p.method, METHODS.join(', '));
  switch (p.method) {
    case 'cosine': {
      const vector = p.vector ?? DEFAULTS.vector;
      const windows = p.windows ?? (vector === DEFAULTS.vector ? DEFAULTS.windows : 'none');
      return { method: p.method, vector, standardize: p.standardize ?? DEFAULTS.standardize, windows };
    }
    case 'dtw':
      return { method: p.method, feature: 'mfcc', pool: p.pool ?? DEFAULTS.pool, band: p.band ?? DEFAULTS.band };
    case 'fastdtw':
      return { method: p.method, feature: 'mfcc', pool: p.pool ?? 1, radius: p.radius ?? DEFAULTS.radius };
    case 'timbre':
      return { method: p.method, feature: 'mfcc_gauss', mp: p.mp ?? true };
    case 'features':
      return { method: p.method, standardize: p.standardize ?? DEFAULTS.standardize };
    case 'hybrid':
      return {
        method: p.method,
        vector: p.vector ?? DEFAULTS.vector,
        standardize: p.standardize ?? DEFAULTS.standardize,
        weights: normalizeWeights(p.weights ?? DEFAULTS.weights),
      };
  }
}

export function hashOf(params: Record<string, unknown>): string {
  return paramsHash(params);
}

/** Hybrid weights, scaled to sum to 1. */
export function normalizeWeights(w: number[]): [number, number, number] {
  if (w.length !== 3 || w.some((x) => !(x >= 0) || !Number.isFinite(x)) || w[0] + w[1] + w[2] <= 0) {
    throw badParameter('weights', w, 'three numbers >= 0 (timbre, cosine, descriptors), not all 0');
  }
  const s = w[0] + w[1] + w[2];
  return [w[0] / s, w[1] / s, w[2] / s];
}
