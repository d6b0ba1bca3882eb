import type { Command } from 'commander';
import { intOption, numberOption } from './context.js';
import { DEFAULTS, METHODS, type MethodName, type SimilarityParams } from '../pipeline/similarity/methods.js';
import { badParameter } from '../errors.js';

/** The method options shared by the commands that name a result set (light: no similarity run). */
export type MethodCliOptions = SimilarityParams;

function parseMethod(v: string): MethodName {
  if (!(METHODS as readonly string[]).includes(v)) throw badParameter('--method', v, METHODS.join(', '));
  return v as MethodName;
}

function parseWeights(v: string): [number, number, number] {
  const w = v.split(',').map((x) => Number(x.trim()));
  if (w.length !== 3 || w.some((x) => !Number.isFinite(x) || x < 0)) throw badParameter('--weights', v, 'three numbers >= 0: timbre,cosine,descriptors');
  return w as [number, number, number];
}

function parseStandardize(v: string): 'zscore' | 'none' {
  if (v !== 'zscore' && v !== 'none') throw badParameter('--standardize', v, "'zscore' or 'none'");
  return v;
}

/** The options every command that names a result set shares. */
export function addMethodOptions(c: Command, defaultMethod: MethodName = 'cosine'): Command {
  return c
    .option('--method <name>', `${METHODS.join(' | ')}`, parseMethod, defaultMethod)
    .option('--vector <feature>', `cosine/hybrid: stored summary vector (default ${DEFAULTS.vector}: MFCC mean and std)`)
    .option('--windows <feature>', `cosine: stored window vectors matched against the other track's summary (default ${DEFAULTS.windows} with the default vector; none = summaries only)`)
    .option('--standardize <mode>', 'cosine/features/hybrid: zscore (default) or none', parseStandardize)
    .option('--pool <n>', `dtw/fastdtw: average n frames first (dtw default ${DEFAULTS.pool}, fastdtw 1)`, intOption('--pool', 1, 1000))
    .option('--band <fraction>', `dtw: Sakoe-Chiba band, fraction of the longer sequence, 0 = none (default ${DEFAULTS.band})`, numberOption('--band', 0, 1))
    .option('--radius <r>', `fastdtw: radius (default ${DEFAULTS.radius})`, intOption('--radius', 0, 10000))
    .option('--weights <t,c,f>', `hybrid: weights of timbre, cosine timbre and descriptors (default ${DEFAULTS.weights.join(',')})`, parseWeights)
    .option('--no-mp', 'timbre: raw log(1 + KL) distances, without mutual proximity');
}

export function methodParams(o: MethodCliOptions): SimilarityParams {
  return { method: o.method, vector: o.vector, windows: o.windows, standardize: o.standardize, pool: o.pool, band: o.band, radius: o.radius, weights: o.weights, mp: o.mp };
}

export const METHOD_HELP = `
Methods (scores: cosine is a similarity in [-1, 1], higher = closer; the others are distances,
lower = closer):
  cosine    cosine similarity of per-track summary vectors (MFCC mean+std of the central
            excerpt), z-scored across the catalogue, each matched against the other track's
            30 s windows (the best match counts: a preview finds its full track); --windows
            none --standardize none reproduces plain librosa cosine
  timbre    a single Gaussian per track over its MFCC frames, symmetrised KL divergence,
            normalised by mutual proximity (Musly's idea); distances in [0, 1]
  dtw       exact dynamic time warping on MFCC frame sequences (Euclidean frame cost, steps
            (1,1), (1,0), (0,1)); by default frames are pooled by ${DEFAULTS.pool} and a ${DEFAULTS.band * 100}% Sakoe-Chiba
            band is used (--pool 1 --band 0: exact unconstrained DTW)
  fastdtw   FastDTW (Salvador & Chan) as the Python fastdtw 0.3.4 package computes it
  features  Euclidean distance of standardised musical descriptors (tempo, key, loudness, ...)
  hybrid    timbre (Gaussian with mutual proximity), cosine timbre and descriptors, weighted
            (--weights, default ${DEFAULTS.weights.join(',')}: the best on the evaluation corpus)`;

