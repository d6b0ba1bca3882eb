/**
 * A pipeline file's similarity entries accept `shortlist` (dtw/fastdtw) and `candidates` (any
 * method): an integer >= 1 or "all"; hybrid `weights` and blocks `blockWeights` as the CLI does;
 * anything else is one error naming the file, the entry and the value.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../../src/pipeline/nightly/definition.js';
import { normalizeParams } from '../../../src/pipeline/similarity/methods.js';
import { BLOCK_WEIGHTS_EXPECTED, WEIGHTS_EXPECTED } from '../../../src/pipeline/similarity/defaults.js';
import { tempDir } from '../../helpers/cli.js';

const dir = tempDir();

function file(name: string, similarity: unknown[], features?: unknown): string {
  const f = path.join(dir, `${name}.json`);
  writeFileSync(f, JSON.stringify({ sources: [], similarity, ...(features ? { features } : {}) }));
  return f;
}

describe('pipeline definition: similarity shortlist', () => {
  it('takes an integer >= 1 or "all" into the result set parameters', () => {
    const def = loadPipeline(file('ok', [{ method: 'dtw', shortlist: 50, pool: 4 }, { method: 'fastdtw', shortlist: 'all' }]));
    expect(normalizeParams(def.similarity[0])).toEqual({ method: 'dtw', feature: 'timbre_mfcc', pool: 4, band: 0.1, shortlist: 50 });
    expect(normalizeParams(def.similarity[1])).toEqual({ method: 'fastdtw', feature: 'timbre_mfcc', pool: 1, radius: 1 });
  });

  it('refuses 0, -3, "abc" and 2.5, naming the entry', () => {
    for (const v of [0, -3, 'abc', 2.5]) {
      const f = file('bad', [{ method: 'cosine' }, { method: 'dtw', shortlist: v }]);
      expect(() => loadPipeline(f)).toThrow(`${f}: similarity[1].shortlist: ${JSON.stringify(v)}: an integer >= 1, or "all" for every pair`);
    }
  });
});

describe('pipeline definition: similarity candidates', () => {
  it('takes an integer >= 1 or "all" into the result set parameters of any method', () => {
    const def = loadPipeline(file('cand', [{ method: 'hybrid', candidates: 200 }, { method: 'cosine', candidates: 'all' }]));
    expect(normalizeParams(def.similarity[0]).candidates).toBe(200);
    expect(normalizeParams(def.similarity[1])).not.toHaveProperty('candidates');
  });

  it('refuses 0, -3, "abc" and 2.5, naming the entry', () => {
    for (const v of [0, -3, 'abc', 2.5]) {
      const f = file('badc', [{ method: 'timbre', candidates: v }]);
      expect(() => loadPipeline(f)).toThrow(`${f}: similarity[0].candidates: ${JSON.stringify(v)}: an integer >= 1, or "all" for every pair`);
    }
  });
});

describe('pipeline definition: hybrid and blocks weights', () => {
  it('takes three or four hybrid weights (three: blocks 0) and six pattern weights', () => {
    const def = loadPipeline(file('w', [{ method: 'hybrid', weights: [2, 1, 1] }, { method: 'hybrid', weights: [1, 0, 1, 2] }, { method: 'blocks', blockWeights: [1, 2, 1, 1, 1, 2] }]));
    expect(normalizeParams(def.similarity[0]).weights).toEqual([0.5, 0.25, 0.25, 0]);
    expect(normalizeParams(def.similarity[1]).weights).toEqual([0.25, 0, 0.25, 0.5]);
    expect(normalizeParams(def.similarity[2]).weights).toEqual([1, 2, 1, 1, 1, 2].map((w) => w / 8));
  });

  it('refuses other weights with the check the method and the CLI share, naming the entry', () => {
    for (const v of [[1, 1], [1, 1, 1, 1, 1], [1, -1, 1], [0, 0, 0, 0], 'abc']) {
      const f = file('badw', [{ method: 'hybrid', weights: v }]);
      expect(() => loadPipeline(f)).toThrow(`${f}: similarity[0].weights: ${JSON.stringify(v)}: ${WEIGHTS_EXPECTED}`);
    }
    for (const v of [[1, 1, 1], [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, -1]]) {
      const f = file('badb', [{ method: 'blocks', blockWeights: v }]);
      expect(() => loadPipeline(f)).toThrow(`${f}: similarity[0].blockWeights: ${JSON.stringify(v)}: ${BLOCK_WEIGHTS_EXPECTED}`);
    }
  });

  it("takes timbre's deltas as true or false (false: Musly's Gaussians of the MFCCs alone)", () => {
    const def = loadPipeline(file('deltas', [{ method: 'timbre', deltas: false }, { method: 'timbre' }]));
    expect(def.similarity.map((s) => normalizeParams(s).feature)).toEqual(['timbre_gauss', 'timbre_gauss_delta']);
    const f = file('badd', [{ method: 'timbre', deltas: 'no' }]);
    expect(() => loadPipeline(f)).toThrow(`${f}: similarity[0].deltas: "no": true or false`);
  });

  it('takes the supervector feature group with the mfcc group only', () => {
    const def = loadPipeline(file('gsv', [{ method: 'timbre', supervector: true }], { groups: ['mfcc', 'supervector'] }));
    expect(def.features.groups).toEqual(['mfcc', 'supervector']);
    const f = file('gbad', [{ method: 'timbre' }], { groups: ['chroma', 'supervector'] });
    expect(() => loadPipeline(f)).toThrow(`${f}: features.groups: ["chroma","supervector"]: each one of mfcc, mel, chroma, spectral, descriptors, supervector; supervector only with mfcc`);
  });

  it("takes timbre's supervector as true or false (default false)", () => {
    const def = loadPipeline(file('sv', [{ method: 'timbre', supervector: false }, { method: 'timbre' }, { method: 'timbre', deltas: false, supervector: true }]));
    expect(def.similarity.map((s) => normalizeParams(s).supervector === true)).toEqual([false, false, true]);
    const f = file('badsv', [{ method: 'timbre', supervector: 1 }]);
    expect(() => loadPipeline(f)).toThrow(`${f}: similarity[0].supervector: 1: true or false`);
  });
});
