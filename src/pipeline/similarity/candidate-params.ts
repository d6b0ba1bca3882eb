/**
 * The parameter side of candidates (./candidates.ts): when a run uses them, how they are named in
 * a result set's parameters, which vectors they add to what a method reads. Apart from the
 * candidate search itself so that the methods (and every command that names one) load no index
 * code.
 */
import { badParameter } from '../../errors.js';
import { DEFAULTS, DTW_SHORTLIST, shortlistParam } from './defaults.js';
import type { SimilarityParams } from './methods.js';

/**
 * Above this many analysed tracks, a method run without --candidates (or --shortlist) uses
 * DEFAULT_CANDIDATES candidates; YASR_ALL_PAIRS_MAX overrides it. Measured on yasr's 2-core
 * machine, shared and loaded (one process; benchmarks/similarity/ann.ts --pipeline 2000 and
 * repeats): all pairs of 2,000 synthetic tracks took cosine (with windows) 3-7 s, timbre 15-19 s,
 * hybrid 17-39 s, growing as n^2: roughly 5-10 min, 30 min and up to an hour at 20,000 tracks, 25
 * times that at 100,000. Candidates grow about linearly (2,000 tracks, C = 200: cosine 7.5 s,
 * timbre 25 s, hybrid 22 s; at that size all pairs are still as cheap). Up to 20,000 tracks an
 * all-pairs run still fits a nightly window and the results stay exact (the 13,517-track corpus
 * of benchmarks/RESULTS.md among them); beyond it the quadratic cost takes over.
 */
export const ALL_PAIRS_MAX = 20_000;

/**
 * Candidates per track when the default switches to candidates: 200. On the synthetic 2,000-track
 * catalogue recall@10 against all pairs was, at C = 100 / 200 / 300: cosine with windows 0.83 /
 * 0.90 / 0.93, hybrid 0.87 / 0.96 / -, timbre 0.83 / 0.89 / 0.92 (with every pair a candidate the
 * sampled mutual proximity alone gives 0.98), features and cosine without windows 1.0 (synthetic
 * windows and within-artist differences are noise, a hard case; real catalogues are measured with
 * yasr evaluate --candidates). The re-ranking's cost grows linearly with C.
 */
export const DEFAULT_CANDIDATES = 200;

/** Tracks sampled for a track's mutual-proximity statistics with candidates (timbre, hybrid). */
export const MP_SAMPLE = 1000;

/** A catalogue-size threshold from the environment variable `name`, else `dflt`. */
function sizeFromEnv(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v.trim() === '') return dflt;
  const n = /^[0-9]+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badParameter(name, v, 'a number of tracks (an integer >= 0)');
  return n;
}

/** The catalogue size above which the default is candidates (YASR_ALL_PAIRS_MAX, else ALL_PAIRS_MAX). */
export function allPairsMax(): number {
  return sizeFromEnv('YASR_ALL_PAIRS_MAX', ALL_PAIRS_MAX);
}

/** The catalogue size above which dtw's default is DTW_SHORTLIST (YASR_DTW_ALL_PAIRS_MAX, else DTW_SHORTLIST.above). */
export function dtwAllPairsMax(): number {
  return sizeFromEnv('YASR_DTW_ALL_PAIRS_MAX', DTW_SHORTLIST.above);
}

/** --candidates: 'all' or absent gives undefined (all pairs); otherwise an integer >= 1. */
export function normalizeCandidates(v: unknown): number | undefined {
  if (v === undefined || v === 'all') return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw badParameter('candidates', v, 'an integer >= 1, or "all" for every pair');
  return v;
}

/** The candidates entry of a parameter record: none for all pairs (the identity stays as before). */
export function candidatesParam(v: unknown): { candidates?: number } {
  const c = normalizeCandidates(v);
  return c === undefined ? {} : { candidates: c };
}

/**
 * The parameters a run over `n` analysed tracks uses: as given, except when neither candidates
 * nor (dtw/fastdtw) a shortlist is named:
 * - dtw above dtwAllPairsMax() tracks: DTW_SHORTLIST (a shortlist of 50, and pool 3 and a 25 %
 *   band unless --pool or --band is named), at any size: cheaper there than every pair with the
 *   all-pairs defaults, and nearer exact DTW (./defaults.ts);
 * - any other method above allPairsMax() tracks: DEFAULT_CANDIDATES candidates.
 * `candidates: 'all'` (or, for dtw/fastdtw, `shortlist: 'all'`) keeps all pairs at any size.
 */
export function withCatalogueDefaults(p: SimilarityParams, n: number): SimilarityParams {
  if (p.candidates !== undefined || p.shortlist !== undefined) return p;
  if (p.method === 'dtw') {
    return n > dtwAllPairsMax() ? { ...p, shortlist: DTW_SHORTLIST.shortlist, pool: p.pool ?? DTW_SHORTLIST.pool, band: p.band ?? DTW_SHORTLIST.band } : p;
  }
  return n > allPairsMax() ? { ...p, candidates: DEFAULT_CANDIDATES } : p;
}

/** A method's features plus its candidate vectors when it uses candidates. */
export function withAnnVector(params: Record<string, unknown>, features: string[], vectors: string[] = [DEFAULTS.vector]): string[] {
  return params.candidates !== undefined ? [...new Set([...features, ...vectors])] : features;
}

/**
 * dtw/fastdtw: the entries of a parameter record that choose the pairs: a shortlist (exact cosine
 * source), candidates (ANN source) or neither (all pairs); both named is refused.
 */
export function sequencePairsParam(p: SimilarityParams): { shortlist?: number; candidates?: number } {
  const s = shortlistParam(p.shortlist);
  const c = candidatesParam(p.candidates);
  if (s.shortlist !== undefined && c.candidates !== undefined) {
    throw badParameter('shortlist and candidates', { shortlist: p.shortlist, candidates: p.candidates }, 'one of them: both choose which pairs dtw/fastdtw align (--shortlist from exact cosine, --candidates from the ANN index)');
  }
  return { ...s, ...c };
}
