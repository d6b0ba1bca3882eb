import { badParameter } from '../../errors.js';
import { paramsHash } from '../../util/hash.js';

export const METHODS = ['cosine', 'timbre', 'dtw', 'fastdtw', 'features', 'hybrid'] as const;
export type MethodName = (typeof METHODS)[number];

export interface SimilarityParams {
  method: MethodName;
  /** cosine/hybrid: which stored summary vector (default mfcc_summary: MFCC mean and std). */
  vector?: string;
  /** cosine/features/hybrid: 'zscore' across the catalogue (default) or 'none'. */
  standardize?: 'zscore' | 'none';
  /** dtw/fastdtw: frames averaged before alignment. */
  pool?: number;
  /** dtw: Sakoe-Chiba band as a fraction of the longer sequence (0 = none). */
  band?: number;
  /** fastdtw: radius. */
  radius?: number;
  /** hybrid: weight of timbre (the rest goes to descriptors). */
  timbreWeight?: number;
  /** timbre: normalise distances by mutual proximity (default true). */
  mp?: boolean;
}

/** How a method's scores read: similarities (higher = closer) or distances (lower = closer). */
export function orientation(method: MethodName): 'similarity' | 'distance' {
  return method === 'cosine' ? 'similarity' : 'distance';
}

export const DEFAULTS = {
  vector: 'mfcc_summary',
  standardize: 'zscore' as const,
  pool: 8,
  band: 0.1,
  radius: 1,
  timbreWeight: 0.5,
};

/** The parameters that define a result set (k is not one: neighbours are derived for any k). */
export function normalizeParams(p: SimilarityParams): Record<string, unknown> {
  if (!(METHODS as readonly string[]).includes(p.method)) throw badParameter('--method', p.method, METHODS.join(', '));
  switch (p.method) {
    case 'cosine':
      return { method: p.method, vector: p.vector ?? DEFAULTS.vector, standardize: p.standardize ?? DEFAULTS.standardize };
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
        timbreWeight: p.timbreWeight ?? DEFAULTS.timbreWeight,
      };
  }
}

export function hashOf(params: Record<string, unknown>): string {
  return paramsHash(params);
}
