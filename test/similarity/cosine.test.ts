import { describe, expect, it } from 'vitest';
import {
  cosineSimilarity,
  cosineTopK,
  fitStandardizer,
  meanStdVector,
  normalizeRows,
  standardize,
} from '../../src/similarity/cosine.js';
import { loadManifest, loadMfcc } from './reference-data.js';
import { referenceSuite } from '../helpers/reference.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

referenceSuite('cosine_mfcc_mean_std reference', () => {
  it('reproduces the matrix to 1e-5 absolute', () => {
    const { order, matrix } = loadManifest().cosine_mfcc_mean_std;
    const vecs = order.map((name) => {
      const m = loadMfcc(name);
      return meanStdVector(m.data, m.rows, m.cols);
    });
    let worst = 0;
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        worst = Math.max(worst, Math.abs(cosineSimilarity(vecs[i], vecs[j]) - matrix[i][j]));
      }
    }
    // float64 throughout from the same float32 MFCCs; the manifest rounds to 7 decimals (5e-8),
    // the brief asks 1e-5.
    expect(worst).toBeLessThan(1e-5);
    expect(order.length).toBeGreaterThan(1);
    expect(matrix.length).toBe(order.length);
    console.log(`[yasr tests] cosine_mfcc_mean_std reference: compared the ${order.length} x ${order.length} matrix (${order.length} clips); worst error ${worst.toExponential(2)} (absolute)`);
  });
});

describe('cosine similarity', () => {
  it('handles zero vectors without NaN: 0 with others, 1 with a zero vector', () => {
    const z = new Float64Array(4);
    expect(cosineSimilarity(z, [1, 2, 3, 4])).toBe(0);
    expect(cosineSimilarity([1, 2, 3, 4], z)).toBe(0);
    expect(cosineSimilarity(z, z)).toBe(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1, 12);
  });

  it('rejects vectors of different lengths', () => {
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(/vector lengths/);
  });

  it('standardises with population std, a zero-std dimension gives 0', () => {
    // 3 vectors x 3 dims; dim 1 is constant
    const v = [1, 5, 10, 2, 5, 20, 3, 5, 30];
    const st = fitStandardizer(v, 3);
    expect(Array.from(st.mean)).toEqual([2, 5, 20]);
    expect(st.std[0]).toBeCloseTo(Math.sqrt(2 / 3), 14);
    expect(st.std[1]).toBe(0);
    const z = standardize(v, 3);
    expect(z.every((x) => Number.isFinite(x))).toBe(true);
    expect([z[1], z[4], z[7]]).toEqual([0, 0, 0]);
    expect(z[0]).toBeCloseTo(-1 / Math.sqrt(2 / 3), 12);
  });

  it('normalizeRows leaves zero rows zero', () => {
    const r = normalizeRows([0, 0, 3, 4], 2);
    expect(Array.from(r)).toEqual([0, 0, 0.6000000238418579, 0.800000011920929]);
  });
});

describe('cosineTopK', () => {
  function bruteTopK(v: Float64Array, dim: number, k: number): { index: number[][]; score: number[][] } {
    const n = v.length / dim;
    const index: number[][] = [];
    const score: number[][] = [];
    const R = normalizeRows(v, dim);
    for (let i = 0; i < n; i++) {
      const row: [number, number][] = [];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        let s = 0;
        for (let t = 0; t < dim; t++) s += R[i * dim + t] * R[j * dim + t];
        row.push([s, j]);
      }
      row.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
      index.push(row.slice(0, k).map((x) => x[1]));
      score.push(row.slice(0, k).map((x) => x[0]));
    }
    return { index, score };
  }

  it('matches a brute-force ranking (blocks smaller than n, odd sizes)', () => {
    const r = rng(7);
    const n = 157;
    const dim = 40;
    const v = new Float64Array(n * dim).map(() => r() - 0.4);
    const k = 7;
    const got = cosineTopK(v, dim, { k, blockSize: 32 });
    const want = bruteTopK(v, dim, k);
    for (let i = 0; i < n; i++) {
      expect(Array.from(got.index.subarray(i * k, i * k + k))).toEqual(want.index[i]);
      for (let q = 0; q < k; q++) expect(got.score[i * k + q]).toBeCloseTo(want.score[i][q], 6);
    }
  });

  it('excludes self, pads with -1 when n - 1 < k, and copes with zero rows and duplicates', () => {
    const v = new Float64Array([1, 0, 0, 0, 1, 0, 2, 0]); // rows: (1,0) (0,0) (1,0) (2,0)
    const got = cosineTopK(v, 2, { k: 4 });
    // row 0: rows 2 and 3 score 1 (ties by index), zero row scores 0, then padding
    expect(Array.from(got.index.subarray(0, 4))).toEqual([2, 3, 1, -1]);
    expect(got.score[0]).toBeCloseTo(1, 6);
    expect(got.score[2]).toBe(0);
    expect(Number.isNaN(got.score[3])).toBe(true);
    expect(got.score.every((s, p) => got.index[p] === -1 || Number.isFinite(s))).toBe(true);
  });

  it('standardize option ranks on z-scores', () => {
    const r = rng(3);
    const n = 50;
    const dim = 6;
    const v = new Float64Array(n * dim).map(() => r() * 10 + 100);
    const a = cosineTopK(v, dim, { k: 3, standardize: true });
    const b = cosineTopK(standardize(v, dim), dim, { k: 3 });
    expect(Array.from(a.index)).toEqual(Array.from(b.index));
  });
});
