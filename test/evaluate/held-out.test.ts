import { describe, expect, it } from 'vitest';
import { heldOut, labelBootstrap, labelBootstrapRatio, precisionWithin, splitByLabel, subMatrix, type Candidate } from '../../src/evaluate/held-out.js';

/** A distance matrix from 1-D positions: |x_i - x_j|. */
function lineMatrix(xs: number[]): Float32Array {
  const n = xs.length;
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = Math.abs(xs[i] - xs[j]);
  return m;
}
const cand = (name: string, data: Float32Array): Candidate => ({ name, orientation: 'distance', matrix: () => data });

describe('held-out evaluation', () => {
  it('splitByLabel keeps each label on one side, balances items, and is seeded', () => {
    const labels = ['a', 'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c', 'd', 'e', 'e'];
    const h = splitByLabel(labels, 1);
    for (const l of new Set(labels)) expect(new Set(labels.map((x, i) => (x === l ? h[i] : -1)).filter((x) => x >= 0)).size).toBe(1);
    const sizes = [0, 1].map((s) => h.filter((x) => x === s).length);
    expect(Math.abs(sizes[0] - sizes[1])).toBeLessThanOrEqual(4); // the largest label holds 4
    expect(Array.from(splitByLabel(labels, 1))).toEqual(Array.from(h));
    const seeds = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => Array.from(splitByLabel(labels, s)).join('')));
    expect(seeds.size).toBeGreaterThan(1);
  });

  it('subMatrix picks rows and columns', () => {
    const m = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(subMatrix(m, 3, [2, 0]))).toEqual([8, 6, 2, 0]);
  });

  it('precisionWithin: leave-one-out inside the subset only (hand-checked)', () => {
    // items 0..5 on a line; labels x x y y x y; subset {0, 1, 2, 3}
    const m = lineMatrix([0, 1, 2, 3, 1.1, 2.9]);
    const labels = ['x', 'x', 'y', 'y', 'x', 'y'];
    const r = precisionWithin(cand('line', m), 6, [0, 1, 2, 3], labels, 1);
    // within the subset: 0 -> 1 (x, hit), 1 -> 0 or 2 at distance 1: tie broken by index -> 0 (hit), 2 -> 1 or 3: -> 1 (miss), 3 -> 2 (hit)
    expect(Array.from(r.perQuery)).toEqual([1, 1, 0, 1]);
    expect(r.precision).toBe(0.75);
  });

  it('chooses on one half and reports on the other, both ways', () => {
    // two candidates: "good" places items by label, "bad" interleaves them
    const labels = ['a', 'a', 'b', 'b', 'c', 'c', 'd', 'd'];
    const good = lineMatrix([0, 0.1, 5, 5.1, 10, 10.1, 15, 15.1]);
    const bad = lineMatrix([0, 5, 0.1, 5.1, 10, 15, 10.1, 15.1]);
    const half = Uint8Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
    const r = heldOut([cand('bad', bad), cand('good', good)], 8, half, labels, 1, { resamples: 200 });
    expect(r.halves.map((h) => h.chosen)).toEqual(['good', 'good']);
    expect(r.halves.map((h) => h.tunedOn)).toEqual([0, 1]);
    expect(r.halves.map((h) => h.heldOut)).toEqual([1, 1]);
    expect(r.mean).toBe(1);
    expect(r.spread).toBe(0);
    // a choice good on half 0 only: chosen there, scored on half 1 where it is bad
    const mixed = lineMatrix([0, 0.1, 5, 5.1, 10, 15, 10.1, 15.1]);
    const r2 = heldOut([cand('bad', bad), cand('mixed', mixed)], 8, half, labels, 1, { resamples: 200 });
    expect(r2.halves[0]).toMatchObject({ tunedOn: 0, chosen: 'mixed', training: 1, heldOut: 0 });
    expect(r2.halves[1].chosen).toBe('bad'); // ties on half 1 (both 0): the first listed
    expect(r2.mean).toBe(0);
  });

  it('labelBootstrap: a constant gives a point interval; groups are resampled whole', () => {
    expect(labelBootstrap([0.5, 0.5, 0.5], ['a', 'b', 'c'])).toEqual([0.5, 0.5]);
    // two albums: one all 1 (4 queries), one all 0 (4 queries): the mean of a resample is 0, 0.5 or 1
    const [lo, hi] = labelBootstrap([1, 1, 1, 1, 0, 0, 0, 0], ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'], { resamples: 500 });
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    expect(labelBootstrap([], [])).toEqual([Number.NaN, Number.NaN]);
  });

  it('labelBootstrapRatio: the ratio of the two means within each resample of whole albums', () => {
    // b is a times 2 query by query: every resample's ratio is 0.5
    expect(labelBootstrapRatio([0.1, 0.2, 0.3], [0.2, 0.4, 0.6], ['a', 'b', 'c'])).toEqual([0.5, 0.5]);
    // album a (2 queries): sums 1 and 1; album b (2 queries): sums 1 and 4. A resample of two
    // albums is aa (ratio 1), ab or ba (2 / 5 = 0.4) or bb (0.25): the 2.5th percentile is bb's,
    // the 97.5th aa's. Resampling queries one by one could give other ratios (e.g. 0.5 / 0.5).
    const a = [0.5, 0.5, 0.5, 0.5];
    const b = [0.5, 0.5, 2, 2];
    const labels = ['a', 'a', 'b', 'b'];
    expect(labelBootstrapRatio(a, b, labels, { resamples: 1000 })).toEqual([0.25, 1]);
    // a narrower level stays inside the three possible values
    const [lo, hi] = labelBootstrapRatio(a, b, labels, { resamples: 1000, level: 0.2 });
    expect(lo).toBeCloseTo(0.4, 12);
    expect(hi).toBeCloseTo(0.4, 12);
    // the same resampling stream as labelBootstrap: its interval of a is the interval of a / 1
    expect(labelBootstrapRatio([1, 0, 1, 1, 0], [1, 1, 1, 1, 1], ['x', 'x', 'y', 'z', 'z'], { seed: 3 })).toEqual(
      labelBootstrap([1, 0, 1, 1, 0], ['x', 'x', 'y', 'z', 'z'], { seed: 3 }),
    );
    expect(() => labelBootstrapRatio([1], [1, 2], ['a'])).toThrow(/b\.length/);
    expect(labelBootstrapRatio([], [], [])).toEqual([Number.NaN, Number.NaN]);
  });
});
