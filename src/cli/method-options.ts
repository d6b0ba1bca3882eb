import type { Command } from 'commander';
import { thousands } from '../util/format.js';
import { intOption, numberOption } from './context.js';
import { DEFAULTS, METHODS, type MethodName, type SimilarityParams } from '../pipeline/similarity/methods.js';
import { BLOCK_WEIGHTS_EXPECTED, DTW_SHORTLIST, WEIGHTS_EXPECTED, validBlockWeights, validWeights } from '../pipeline/similarity/defaults.js';
import { allMethods, methodNamed } from '../pipeline/similarity/registry.js';
import { badParameter } from '../errors.js';
import { ALL_PAIRS_MAX, DEFAULT_CANDIDATES } from '../pipeline/similarity/candidate-params.js';

/** The method options shared by the commands that name a result set (light: no similarity run). */
export type MethodCliOptions = SimilarityParams;

function parseMethod(v: string): MethodName {
  return methodNamed(v).name as MethodName;
}

/** A comma list of numbers (an empty item is NaN, which the checks refuse). */
function numberList(v: string): number[] {
  return v.split(',').map((x) => (x.trim() === '' ? NaN : Number(x.trim())));
}

function parseWeights(v: string): number[] {
  const w = numberList(v);
  if (!validWeights(w)) throw badParameter('--weights', v, WEIGHTS_EXPECTED);
  return w;
}

function parseBlockWeights(v: string): number[] {
  const w = numberList(v);
  if (!validBlockWeights(w)) throw badParameter('--block-weights', v, BLOCK_WEIGHTS_EXPECTED);
  return w;
}

function parseBlockNorm(v: string): 'dsn' | 'zscore' {
  if (v !== 'dsn' && v !== 'zscore') throw badParameter('--block-norm', v, "'dsn' or 'zscore'");
  return v;
}

function parseShortlist(v: string): number | 'all' {
  if (v === 'all') return v;
  const n = /^[0-9]+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw badParameter('--shortlist', v, 'an integer >= 1, or "all" for every pair');
  return n;
}

function parseCandidates(v: string): number | 'all' {
  if (v === 'all') return v;
  const n = /^[0-9]+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw badParameter('--candidates', v, 'an integer >= 1, or "all" for every pair');
  return n;
}

function parseStandardize(v: string): 'zscore' | 'none' {
  if (v !== 'zscore' && v !== 'none') throw badParameter('--standardize', v, "'zscore' or 'none'");
  return v;
}

/** The options every command that names a result set shares. */
export function addMethodOptions(c: Command, defaultMethod: MethodName = 'cosine'): Command {
  return c
    .option('--method <name>', `${METHODS.join(' | ')}`, parseMethod, defaultMethod)
    .option('--vector <feature>', `cosine/hybrid: stored summary vector (default ${DEFAULTS.vector}: level-referenced MFCC mean and std; mfcc_summary: librosa's)`)
    .option('--windows <feature>', `cosine: stored window vectors matched against the other track's summary (default ${DEFAULTS.windows} with the default vector; none = summaries only)`)
    .option('--standardize <mode>', 'cosine/features/hybrid: zscore (default) or none', parseStandardize)
    .option('--pool <n>', `dtw/fastdtw: average n frames first (dtw default ${DEFAULTS.pool}, ${DTW_SHORTLIST.pool} with its default shortlist; fastdtw 1)`, intOption('--pool', 1, 1000))
    .option('--band <fraction>', `dtw: Sakoe-Chiba band, fraction of the longer sequence, 0 = none (default ${DEFAULTS.band}, ${DTW_SHORTLIST.band} with its default shortlist)`, numberOption('--band', 0, 1))
    .option('--shortlist <n|all>', `dtw/fastdtw: align each track only with its n nearest by z-scored MFCC-summary cosine (and the tracks whose n nearest it is in); all = every pair (default: fastdtw all; dtw all up to ${thousands(DTW_SHORTLIST.above)} analysed tracks or YASR_DTW_ALL_PAIRS_MAX, ${DTW_SHORTLIST.shortlist} above)`, parseShortlist)
    .option('--candidates <n|all>', `every method: exact scores only on each track's n nearest by the ANN index of ${DEFAULTS.vector} (and the tracks whose n nearest it is in); all = every pair (default: all up to ${thousands(ALL_PAIRS_MAX)} analysed tracks or YASR_ALL_PAIRS_MAX, ${DEFAULT_CANDIDATES} above)`, parseCandidates)
    .option('--radius <r>', `fastdtw: radius (default ${DEFAULTS.radius})`, intOption('--radius', 0, 10000))
    .option('--weights <t,c,f,b>', `hybrid: weights of timbre, cosine timbre, descriptors and blocks (default ${DEFAULTS.weights.join(',')}; three numbers: blocks 0)`, parseWeights)
    .option('--no-mp', 'timbre: raw log(1 + KL) distances, without mutual proximity')
    .option('--no-deltas', "timbre: Gaussians of the MFCCs alone, without their deltas (Musly's idea)")
    .option('--supervector', "timbre: average the Gaussians' distances with the GMM mean supervectors' (after yasr features --supervector)")
    .option('--block-weights <w,...>', 'blocks: weights of the patterns sp,dsp,vdsp,lfp,cp,scp (default 1,1,1,1,1,1)', parseBlockWeights)
    .option('--block-norm <mode>', 'blocks: dsn (distance space normalisation, default) or zscore (one z-score per pattern)', parseBlockNorm);
}

export function methodParams(o: MethodCliOptions): SimilarityParams {
  return {
    method: o.method, vector: o.vector, windows: o.windows, standardize: o.standardize, pool: o.pool, band: o.band, shortlist: o.shortlist, candidates: o.candidates, radius: o.radius, weights: o.weights, mp: o.mp, deltas: o.deltas, supervector: o.supervector,
    blockWeights: o.blockWeights, blockNorm: o.blockNorm,
  };
}

/** The methods section of the help: each registered method's own help text. */
export const METHOD_HELP = `
Methods (scores: cosine is a similarity in [-1, 1], higher = closer; the others are distances,
lower = closer):
${allMethods()
  .map((m) => `  ${m.name.padEnd(10)}${m.help.join(`\n${' '.repeat(12)}`)}`)
  .join('\n')}`;
