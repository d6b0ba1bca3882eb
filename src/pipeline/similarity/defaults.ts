import { badParameter } from '../../errors.js';
import { BLOCK_PATTERN_NAMES } from '../../dsp/block-layout.js';

/** Defaults of the similarity methods' parameters (each method reads its own). */
export const DEFAULTS = {
  vector: 'timbre_summary',
  // chosen with benchmarks/pipeline/preview-match.ts (benchmarks/RESULTS.md): a preview finds its full track
  windows: 'timbre_windows',
  standardize: 'zscore' as const,
  pool: 8,
  band: 0.1,
  radius: 1,
  // dtw/fastdtw: every pair ('all'), or each track's N nearest by cosine (shortlist-stage.ts)
  shortlist: 'all' as number | 'all',
  // chosen by `yasr evaluate` on the game-soundtrack corpus (benchmarks/RESULTS.md): a training score
  weights: [0.25, 0, 0, 0.75] as HybridWeights,
};

/**
 * The stored Gaussians the timbre method (and hybrid's timbre part) compare by default: of the
 * whole track's level-referenced MFCCs and their deltas (features version 10; src/dsp/delta.ts).
 * The timbre method's `deltas: false` compares 'timbre_gauss', of the MFCCs alone: Musly's idea.
 */
export const TIMBRE_GAUSS = 'timbre_gauss_delta';

/**
 * The stored GMM mean supervectors (src/dsp/gmm.ts, against the UBM of src/dsp/timbre-ubm.ts) of
 * the same frames as TIMBRE_GAUSS (the supervector feature group, not a default one): the timbre
 * method averages their distances with the Gaussians' when asked (`supervector`; not the default:
 * benchmarks/RESULTS.md, "the GMM mean supervector").
 */
export const TIMBRE_SV = 'timbre_sv';

/** The stored Gaussians of the timbre method with or without deltas. */
export function timbreGaussFeature(deltas: boolean): string {
  return deltas ? TIMBRE_GAUSS : 'timbre_gauss';
}

/** Hybrid's parts, in the order of its weights. */
export const HYBRID_PARTS = ['timbre', 'cosine', 'descriptors', 'blocks'] as const;

/** Hybrid weights, one per part (HYBRID_PARTS), summing to 1. */
export type HybridWeights = [number, number, number, number];

/** What hybrid weights must be: the one check that the CLI, nightly definitions and the method share. */
export const WEIGHTS_EXPECTED = 'three or four numbers >= 0, not all 0: timbre, cosine, descriptors[, blocks] (blocks 0 when left out)';

/** Whether `w` is a valid list of hybrid weights (see WEIGHTS_EXPECTED). */
export function validWeights(w: unknown): w is number[] {
  return Array.isArray(w) && (w.length === 3 || w.length === 4) && w.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0) && w.some((x) => x > 0);
}

/** Hybrid weights, scaled to sum to 1; three weights are timbre, cosine and descriptors with blocks 0. */
export function normalizeWeights(w: unknown): HybridWeights {
  if (!validWeights(w)) throw badParameter('weights', w, WEIGHTS_EXPECTED);
  const s = w.reduce((a, x) => a + x, 0);
  return [w[0] / s, w[1] / s, w[2] / s, (w[3] ?? 0) / s];
}

/** The blocks method's (and hybrid's blocks part's) pattern weights (BLOCK_PATTERN_NAMES order: SP, DSP, VDSP, LFP, CP, SCP) and normalisation. */
export const BLOCKS_DEFAULTS = { weights: [1, 1, 1, 1, 1, 1], norm: 'dsn' as 'dsn' | 'zscore' };

/** What pattern weights must be (the CLI, nightly definitions and the method share the check). */
export const BLOCK_WEIGHTS_EXPECTED = `${BLOCK_PATTERN_NAMES.length} numbers >= 0 (${BLOCK_PATTERN_NAMES.join(', ')}), not all 0`;

/** Whether `w` is a valid list of pattern weights (see BLOCK_WEIGHTS_EXPECTED). */
export function validBlockWeights(w: unknown): w is number[] {
  return Array.isArray(w) && w.length === BLOCK_PATTERN_NAMES.length && w.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0) && w.some((x) => x > 0);
}

/** Pattern weights scaled to sum to 1. */
export function normalizeBlockWeights(w: unknown): number[] {
  if (!validBlockWeights(w)) throw badParameter('block weights', w, BLOCK_WEIGHTS_EXPECTED);
  const s = w.reduce((a, x) => a + x, 0);
  return w.map((x) => x / s);
}

/**
 * dtw's default above `above` analysed tracks (YASR_DTW_ALL_PAIRS_MAX overrides it;
 * ./candidate-params.ts, withCatalogueDefaults): each track aligned with its 50 nearest by cosine
 * (and the tracks whose 50 nearest it is in), pool 3, band 25 %. On the synthetic benchmark
 * (benchmarks/similarity/dtw-topk.ts, 300 tracks against exact unpooled, unbanded DTW) it finds
 * 0.959 of the exact top 10 where every pair with pool 8 and a 10 % band finds 0.898; it aligns
 * about 28 pairs a track, each about 12 times the all-pairs defaults' cost, so it costs less than
 * every pair once a catalogue has more than about 850 tracks (whole runs, 2 workers: 20.3 s
 * against 16.1 s on 600 tracks, 38.9 s against 42.8 s on 1,000); up to `above` every pair stays
 * the default (about as cheap there, and a complete matrix for evaluate, export-matrix and
 * plot-matrix). benchmarks/RESULTS.md: "Similarity: DTW top-10 accuracy", "Nightly at scale".
 */
export const DTW_SHORTLIST = { above: 1000, shortlist: 50, pool: 3, band: 0.25 };

/** The summary vector whose z-scored cosine picks a sequence method's shortlist. */
export const SHORTLIST_VECTOR = 'mfcc_summary';

/**
 * dtw/fastdtw --shortlist: 'all' (or absent: the default) means every pair and gives undefined,
 * so that an all-pairs set keeps the parameters (and identity) it had before shortlists existed;
 * otherwise an integer >= 1.
 */
export function normalizeShortlist(v: unknown): number | undefined {
  const s = v ?? DEFAULTS.shortlist;
  if (s === 'all') return undefined;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 1) throw badParameter('shortlist', v, 'an integer >= 1, or "all" for every pair');
  return s;
}

/** The shortlist entry of a dtw/fastdtw parameter record: none for all pairs (see normalizeShortlist). */
export function shortlistParam(v: unknown): { shortlist?: number } {
  const s = normalizeShortlist(v);
  return s === undefined ? {} : { shortlist: s };
}
