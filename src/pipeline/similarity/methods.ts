import { paramsHash } from '../../util/hash.js';
import { METHOD_NAMES, methodNamed, type MethodName } from './registry.js';

export { DEFAULTS, normalizeWeights, normalizeShortlist } from './defaults.js';
export { METHOD_NAMES, methodNamed, type MethodName } from './registry.js';

/** The registered methods' names (./registry.ts), in order. */
export const METHODS = METHOD_NAMES;

export interface SimilarityParams {
  method: MethodName;
  /** cosine/hybrid: which stored summary vector (default timbre_summary: level-referenced MFCC mean and std; mfcc_summary is librosa's). */
  vector?: string;
  /**
   * cosine: stored window vectors matched against the other track's summary (default
   * timbre_windows with the default vector, else none); 'none' compares the summaries only.
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
  /**
   * dtw/fastdtw: align each track only with its N nearest by z-scored mfcc_summary cosine (and
   * the tracks whose N nearest it is in); 'all' (the default) aligns every pair.
   */
  shortlist?: number | 'all';
  /**
   * Every method: compute exact scores only on each track's C nearest by the catalogue's ANN index
   * (and the tracks whose C nearest it is in); 'all' every pair. Default: all pairs up to
   * allPairsMax() analysed tracks, DEFAULT_CANDIDATES above (./candidates.ts). dtw/fastdtw: the
   * shortlist's other source (not with --shortlist).
   */
  candidates?: number | 'all';
  /** hybrid: weights of [timbre (Gaussian, mutual proximity), cosine timbre, descriptors, blocks]; three: blocks 0. */
  weights?: number[];
  /** timbre: normalise distances by mutual proximity (default true). */
  mp?: boolean;
  /** timbre: Gaussians of the MFCCs and their deltas (default true); false: of the MFCCs alone (Musly's idea). */
  deltas?: boolean;
  /** timbre: average the Gaussians' distances with the GMM mean supervectors' (default false; the supervector feature group). */
  supervector?: boolean;
  /** blocks: weights of the block-level patterns [SP, DSP, VDSP, LFP, CP, SCP] (default all equal). */
  blockWeights?: number[];
  /** blocks: 'dsn' (distance space normalisation, default) or 'zscore' (one z-score per pattern). */
  blockNorm?: 'dsn' | 'zscore';
}

/** How a method's scores read: similarities (higher = closer) or distances (lower = closer). */
export function orientation(method: MethodName): 'similarity' | 'distance' {
  return methodNamed(method).orientation;
}

/** Method names given by a user (evaluate's --method list): each must be a method. */
export function checkMethodNames(names: readonly string[]): void {
  for (const m of names) methodNamed(m);
}

/** The parameters that define a result set (k is not one: neighbours are derived for any k; the method's revision is one). */
export { normalizedParams as normalizeParams } from './registry.js';

export function hashOf(params: Record<string, unknown>): string {
  return paramsHash(params);
}
