/**
 * Diagonal GMMs and mean supervectors (src/dsp/gmm.ts) against values worked out by hand: EM on
 * two well-separated clusters, MAP adaptation of a two-component UBM in closed form.
 */
import { describe, expect, it } from 'vitest';
import { meanSupervector, trainDiagonalGmm, type DiagonalGmm } from '../../src/dsp/gmm.js';
import { packGmm, timbreUbm, unpackGmm } from '../../src/dsp/timbre-ubm.js';

const f32 = (xs: number[]) => Float32Array.from(xs);

describe('trainDiagonalGmm', () => {
  it('finds two separated clusters: their means, variances and shares', () => {
    // 1-d: 30 frames at -5 +- 1 and 10 frames at 7 +- 0.5 (exactly those values)
    const xs = [...Array.from({ length: 30 }, (_, i) => -5 + (i % 2 ? 1 : -1)), ...Array.from({ length: 10 }, (_, i) => 7 + (i % 2 ? 0.5 : -0.5))];
    const g = trainDiagonalGmm(f32(xs), 1, 2, { iterations: 30 });
    const order = g.means[0] < g.means[1] ? [0, 1] : [1, 0];
    expect(g.means[order[0]]).toBeCloseTo(-5, 6);
    expect(g.means[order[1]]).toBeCloseTo(7, 6);
    expect(g.variances[order[0]]).toBeCloseTo(1, 6);
    expect(g.variances[order[1]]).toBeCloseTo(0.25, 6);
    expect(g.weights[order[0]]).toBeCloseTo(0.75, 6);
    expect(g.weights[order[1]]).toBeCloseTo(0.25, 6);
  });

  it('is deterministic for a seed, and refuses bad shapes', () => {
    const xs = f32(Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) * 3 + (i % 3)));
    const a = trainDiagonalGmm(xs, 2, 3, { iterations: 5, seed: 4 });
    const b = trainDiagonalGmm(xs, 2, 3, { iterations: 5, seed: 4 });
    expect(Array.from(a.means)).toEqual(Array.from(b.means));
    expect(a.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
    expect(() => trainDiagonalGmm(xs, 3, 2)).toThrow(/frames length/);
    expect(() => trainDiagonalGmm(xs, 2, 0)).toThrow(/k/);
    expect(() => trainDiagonalGmm(xs, 2, 101)).toThrow(/k/);
  });
});

describe('meanSupervector', () => {
  // components far apart: a frame near one has posterior 1 for it (to double precision)
  const ubm: DiagonalGmm = { k: 2, d: 2, weights: Float64Array.from([0.25, 0.75]), means: Float64Array.from([0, 0, 100, 100]), variances: Float64Array.from([1, 4, 1, 1]) };

  it('MAP-adapts each mean by n / (n + r) towards its frames, scaled by sqrt(w) / sigma', () => {
    // 3 frames [d = 2, T = 3] (librosa layout: one row per dimension): (1, 2), (2, 4), (3, 0)
    const x = { rows: 2, cols: 3, data: f32([1, 2, 3, 2, 4, 0]) };
    const sv = meanSupervector(ubm, x, 4);
    // component 0: n = 3, sums (6, 6): shift (6 - 0) / (3 + 4) in each dimension
    expect(sv[0]).toBeCloseTo((0.5 * (6 / 7)) / 1, 6);
    expect(sv[1]).toBeCloseTo((0.5 * (6 / 7)) / 2, 6);
    // component 1 sees no frame: its mean stays (0)
    expect(Math.abs(sv[2])).toBeLessThan(1e-12);
    expect(Math.abs(sv[3])).toBeLessThan(1e-12);
    // a larger relevance keeps the means nearer the UBM's
    expect(meanSupervector(ubm, x, 16)[0]).toBeCloseTo(0.5 * (6 / 19), 6);
  });

  it('frames between two components share them by their posteriors', () => {
    const u: DiagonalGmm = { k: 2, d: 1, weights: Float64Array.from([0.5, 0.5]), means: Float64Array.from([-1, 1]), variances: Float64Array.from([1, 1]) };
    // x = 0 is equally likely under both: posterior 1/2 each; x = 1: p0 / p1 = exp(-2)
    const p0 = 1 / (1 + Math.exp(2));
    const sv = meanSupervector(u, { rows: 1, cols: 2, data: f32([0, 1]) }, 1);
    const n0 = 0.5 + p0;
    const n1 = 0.5 + (1 - p0);
    expect(sv[0]).toBeCloseTo((Math.SQRT1_2 * (0 + p0 * 1 - n0 * -1)) / (n0 + 1), 7);
    expect(sv[1]).toBeCloseTo((Math.SQRT1_2 * (0 + (1 - p0) * 1 - n1 * 1)) / (n1 + 1), 7);
  });

  it('no frames: the zero supervector; frames far from every component: finite', () => {
    expect(Array.from(meanSupervector(ubm, { rows: 2, cols: 0, data: f32([]) }, 4))).toEqual([0, 0, 0, 0]);
    const far = meanSupervector(ubm, { rows: 2, cols: 2, data: f32([1e4, -1e4, 1e4, 5e3]) }, 4);
    expect(far.every(Number.isFinite)).toBe(true);
    expect(() => meanSupervector(ubm, { rows: 3, cols: 1, data: f32([0, 0, 0]) }, 4)).toThrow(/rows/);
    expect(() => meanSupervector(ubm, { rows: 2, cols: 1, data: f32([0, 0]) }, 0)).toThrow(/relevance/);
  });
});

describe('the shipped timbre UBM', () => {
  it('64 components over 40 dimensions: weights summing to 1, positive variances, finite means', () => {
    const u = timbreUbm();
    expect([u.k, u.d]).toEqual([64, 40]);
    expect(u.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 9);
    expect(u.variances.every((v) => v > 0)).toBe(true);
    expect(u.means.every(Number.isFinite)).toBe(true);
  });

  it('packs and unpacks to the same float32 values', () => {
    const g: DiagonalGmm = { k: 2, d: 1, weights: Float64Array.from([0.25, 0.75]), means: Float64Array.from([-1.5, 2]), variances: Float64Array.from([0.5, 3]) };
    const back = unpackGmm(2, 1, packGmm(g));
    expect(Array.from(back.weights)).toEqual([0.25, 0.75]);
    expect(Array.from(back.means)).toEqual([-1.5, 2]);
    expect(Array.from(back.variances)).toEqual([0.5, 3]);
    expect(() => unpackGmm(3, 1, packGmm(g))).toThrow(/values/);
  });
});
