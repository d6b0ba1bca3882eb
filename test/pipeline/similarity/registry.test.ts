import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, allMethods, isMethodName, methodNamed } from '../../../src/pipeline/similarity/registry.js';
import { METHODS, normalizeParams, orientation, type MethodName } from '../../../src/pipeline/similarity/methods.js';
import { SEQUENCE_METHODS, specFor } from '../../../src/pipeline/similarity/run-similarity.js';
import { requiredFeatures } from '../../../src/pipeline/similarity/catalogue.js';
import { choicesFor } from '../../../src/pipeline/evaluate.js';
import { METHOD_HELP } from '../../../src/cli/method-options.js';
import { YasrError } from '../../../src/errors.js';
import { DEFAULTS, WEIGHTS_EXPECTED } from '../../../src/pipeline/similarity/defaults.js';

// what normalizeParams returned for each method's defaults before the registry (written out:
// a changed default changes every stored result set's hash)
const DEFAULT_PARAMS: Record<MethodName, Record<string, unknown>> = {
  cosine: { method: 'cosine', vector: 'timbre_summary', standardize: 'zscore', windows: 'timbre_windows' },
  timbre: { method: 'timbre', feature: 'timbre_gauss_delta', mp: true },
  dtw: { method: 'dtw', feature: 'timbre_mfcc', pool: 8, band: 0.1 },
  fastdtw: { method: 'fastdtw', feature: 'timbre_mfcc', pool: 1, radius: 1 },
  // revision 3: the descriptors compared through src/pipeline/similarity/descriptor-view.ts (2: before the flatness was left out)
  features: { method: 'features', standardize: 'zscore', revision: 3 },
  // revision 4: a fourth part, blocks (3: the descriptors without the flatness)
  hybrid: { method: 'hybrid', vector: 'timbre_summary', standardize: 'zscore', weights: DEFAULTS.weights, revision: 5 },
  blocks: { method: 'blocks', feature: 'block_patterns', weights: [1, 1, 1, 1, 1, 1].map((w) => w / 6), norm: 'dsn' },
};

const READS: Record<MethodName, string[]> = {
  cosine: ['timbre_summary', 'timbre_windows'],
  timbre: ['timbre_gauss_delta'],
  dtw: ['mfcc', 'mfcc_summary', 'timbre_summary'],
  fastdtw: ['mfcc', 'mfcc_summary', 'timbre_summary'],
  features: ['descriptors'],
  hybrid: ['timbre_summary', 'descriptors', 'timbre_gauss_delta', 'block_patterns'],
  blocks: ['block_patterns'],
};

describe('similarity method registry', () => {
  it('lists the methods in the order the CLI and reports always listed them', () => {
    expect([...METHOD_NAMES]).toEqual(['cosine', 'timbre', 'dtw', 'fastdtw', 'features', 'hybrid', 'blocks']);
    expect(METHODS).toBe(METHOD_NAMES);
    expect(allMethods().map((m) => m.name)).toEqual([...METHOD_NAMES]);
  });

  it('normalizes every method to exactly the defaults it had, key order included', () => {
    for (const name of METHOD_NAMES) {
      // the method's own normalize, then its revision (normalizeParams) when it has one
      const m = methodNamed(name);
      const got = { ...m.normalize({ method: name }), ...(m.revision === undefined ? {} : { revision: m.revision }) };
      expect(got).toEqual(DEFAULT_PARAMS[name]);
      expect(Object.keys(got)).toEqual(Object.keys(DEFAULT_PARAMS[name]));
      expect(JSON.stringify(normalizeParams({ method: name }))).toBe(JSON.stringify(DEFAULT_PARAMS[name]));
    }
  });

  it('keeps the parameter rules: cosine windows follow the vector, hybrid and blocks weights are scaled, dtw band 0 is none', () => {
    expect(normalizeParams({ method: 'cosine', vector: 'other' })).toEqual({ method: 'cosine', vector: 'other', standardize: 'zscore', windows: 'none' });
    expect(normalizeParams({ method: 'hybrid', weights: [2, 1, 1] }).weights).toEqual([0.5, 0.25, 0.25, 0]);
    expect(normalizeParams({ method: 'hybrid', weights: [1, 0, 1, 2] }).weights).toEqual([0.25, 0, 0.25, 0.5]);
    expect(() => normalizeParams({ method: 'hybrid', weights: [0, 0, 0] })).toThrow(/weights/);
    for (const bad of [[1, 1], [1, 1, 1, 1, 1], [1, -1, 1], [1, NaN, 1, 1], [0, 0, 0, 0]]) {
      expect(() => normalizeParams({ method: 'hybrid', weights: bad })).toThrow(`invalid weights: ${JSON.stringify(bad)} (expected ${WEIGHTS_EXPECTED})`);
    }
    // a three-part weighting reads no block patterns; a blocks weight does
    expect(methodNamed('hybrid').reads(normalizeParams({ method: 'hybrid', weights: [2, 1, 1] }))).not.toContain('block_patterns');
    expect(methodNamed('hybrid').reads(normalizeParams({ method: 'hybrid', weights: [2, 1, 1, 1] }))).toContain('block_patterns');
    // timbre: the Gaussians with deltas by default, of the MFCCs alone (Musly's idea) with deltas: false
    expect(normalizeParams({ method: 'timbre', deltas: false })).toEqual({ method: 'timbre', feature: 'timbre_gauss', mp: true });
    expect(methodNamed('timbre').reads(normalizeParams({ method: 'timbre', deltas: false, mp: false }))).toEqual(['timbre_gauss']);
    // the supervector: named in the identity only when asked for (false is the default's identity)
    expect(normalizeParams({ method: 'timbre', supervector: false })).toEqual(normalizeParams({ method: 'timbre' }));
    expect(methodNamed('timbre').reads(normalizeParams({ method: 'timbre', supervector: true }))).toEqual(['timbre_gauss_delta', 'timbre_sv']);
    expect(() => normalizeParams({ method: 'timbre', supervector: 'yes' as unknown as boolean })).toThrow(`invalid supervector: "yes" (expected true or false)`);
    expect(() => normalizeParams({ method: 'timbre', deltas: 'no' as unknown as boolean })).toThrow(`invalid deltas: "no" (expected true or false)`);
    expect(() => normalizeParams({ method: 'timbre', mp: 1 as unknown as boolean })).toThrow(`invalid mp: 1 (expected true or false)`);
    expect(normalizeParams({ method: 'blocks', blockWeights: [2, 0, 0, 4, 2, 0], blockNorm: 'zscore' })).toEqual({ method: 'blocks', feature: 'block_patterns', weights: [0.25, 0, 0, 0.5, 0.25, 0], norm: 'zscore' });
    expect(() => normalizeParams({ method: 'blocks', blockWeights: [1, 1, 1] })).toThrow('invalid block weights: [1,1,1] (expected 6 numbers >= 0 (sp, dsp, vdsp, lfp, cp, scp), not all 0)');
    expect(() => normalizeParams({ method: 'blocks', blockNorm: 'mp' as 'dsn' })).toThrow(`invalid block norm: "mp" (expected 'dsn' or 'zscore')`);
    expect(specFor(normalizeParams({ method: 'dtw', band: 0 }))).toEqual({ method: 'dtw', pool: 8, band: undefined });
    expect(specFor(normalizeParams({ method: 'fastdtw' }))).toEqual({ method: 'fastdtw', pool: 1, radius: 1 });
  });

  it('says what each method reads, with its default parameters', () => {
    for (const name of METHOD_NAMES) {
      const params = normalizeParams({ method: name });
      expect(methodNamed(name).reads(params)).toEqual(READS[name]);
      expect(requiredFeatures(params)).toEqual(READS[name]);
    }
    expect(requiredFeatures(normalizeParams({ method: 'cosine', windows: 'none' }))).toEqual(['timbre_summary']);
  });

  it('gives each method its orientation, kind and stored-list use', () => {
    expect(METHOD_NAMES.map((n) => orientation(n))).toEqual(['similarity', 'distance', 'distance', 'distance', 'distance', 'distance', 'distance']);
    expect([...SEQUENCE_METHODS]).toEqual(['dtw', 'fastdtw']);
    expect(METHOD_NAMES.filter((n) => methodNamed(n).listsForStoredTrack)).toEqual(['timbre', 'dtw', 'fastdtw', 'hybrid', 'blocks']);
  });

  it('gives each method its held-out grid, the default first', () => {
    expect(METHOD_NAMES.map((n) => choicesFor(n).length)).toEqual([4, 5, 1, 1, 2, 35, 4]);
    for (const name of METHOD_NAMES) {
      const first = normalizeParams(choicesFor(name)[0].params);
      expect(first).toEqual(DEFAULT_PARAMS[name]);
    }
  });

  it('refuses an unknown name as a bad --method', () => {
    expect(isMethodName('cosine')).toBe(true);
    expect(isMethodName('nope')).toBe(false);
    let err: unknown;
    try {
      methodNamed('nope');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(YasrError);
    expect((err as YasrError).message).toBe('invalid --method: "nope" (expected cosine, timbre, dtw, fastdtw, features, hybrid, blocks)');
    expect(() => normalizeParams({ method: 'nope' as MethodName })).toThrow(/invalid --method/);
  });

  it('has one file per method under methods/, named after it (a new method: a file and a registry line)', () => {
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../src/pipeline/similarity/methods');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
    expect(files).toEqual([...METHOD_NAMES].sort());
  });

  it('builds the help from each method, with the text it always had', () => {
    expect(METHOD_HELP).toBe(`
Methods (scores: cosine is a similarity in [-1, 1], higher = closer; the others are distances,
lower = closer):
  cosine    cosine similarity of per-track summary vectors (level-referenced MFCC mean+std of
            the central excerpt), z-scored across the catalogue, each matched against the other
            track's 30 s windows (the best match counts: a preview finds its full track);
            --vector mfcc_summary --standardize none: plain librosa cosine
  timbre    a single Gaussian per track over its MFCC frames and their deltas, symmetrised KL
            divergence, normalised by mutual proximity; distances in [0, 1] (--no-deltas: Musly's idea;
            --supervector, after yasr features --supervector: averaged with the GMM mean supervector
            of the same frames, cosine distance)
  dtw       exact dynamic time warping on MFCC frame sequences (Euclidean frame cost, steps
            (1,1), (1,0), (0,1)); by default frames are pooled by 8 and a 10% Sakoe-Chiba
            band is used (--pool 1 --band 0: exact unconstrained DTW); above 1,000 analysed
            tracks each track is aligned only with its 50 nearest by cosine (--shortlist 50),
            pooled by 3 with a 25% band: nearer exact DTW, and cheaper at that size
  fastdtw   FastDTW (Salvador & Chan) as the Python fastdtw 0.3.4 package computes it
  features  Euclidean distance of standardised musical descriptors (tempo, key, loudness, ...)
  hybrid    timbre (Gaussian with mutual proximity), cosine timbre, descriptors and block-level
            patterns, weighted (--weights, default 0.25,0,0,0.75: the best on the evaluation corpus)
  blocks    block-level patterns (Seyerlehner et al. 2010) of spectrum, onsets, rhythm (log
            fluctuation), band correlation and contrast over blocks of frames: L1 per pattern,
            distance space normalisation, weighted (--block-weights, --block-norm); in (0, 1)`);
  });
});
