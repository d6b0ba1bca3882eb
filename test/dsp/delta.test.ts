import { describe, expect, it } from 'vitest';
import { delta, withDeltas, DELTA_WIDTH } from '../../src/dsp/delta.js';
import { YasrError } from '../../src/errors.js';
import { fitGaussian, prepareGaussians, skl } from '../../src/similarity/gaussian.js';

const m = (rows: number[][]) => ({ rows: rows.length, cols: rows[0].length, data: Float32Array.from(rows.flat()) });

describe('delta', () => {
  it('is the slope of a linear ramp away from the edges, and 0 for a constant row', () => {
    const ramp = Array.from({ length: 12 }, (_, t) => 3 * t - 5);
    const d = delta(m([ramp, Array(12).fill(7)]), 2);
    for (let t = 2; t < 10; t++) expect(d.data[t]).toBeCloseTo(3, 6);
    for (let t = 0; t < 12; t++) expect(d.data[12 + t]).toBe(0);
  });

  it('repeats the edge frames: worked out by hand for width 2 (denominator 2 (1 + 4) = 10)', () => {
    // x = [0, 1, 4, 9]; d[0] = (1 (1 - 0) + 2 (4 - 0)) / 10 = 0.9; d[1] = (1 (4 - 0) + 2 (9 - 0)) / 10 = 2.2
    // d[2] = (1 (9 - 1) + 2 (9 - 0)) / 10 = 2.6; d[3] = (1 (9 - 4) + 2 (9 - 1)) / 10 = 2.1
    const d = delta(m([[0, 1, 4, 9]]), 2);
    expect(Array.from(d.data)).toEqual([0.9, 2.2, 2.6, 2.1].map(Math.fround));
    // width 1: (x[t + 1] - x[t - 1]) / 2
    expect(Array.from(delta(m([[0, 1, 4, 9]]), 1).data)).toEqual([0.5, 2, 4, 2.5]);
    // one frame: no change
    expect(Array.from(delta(m([[5]]), 2).data)).toEqual([0]);
  });

  it('withDeltas stacks the rows and then their deltas', () => {
    const x = m([[0, 1, 4, 9], [2, 2, 2, 2]]);
    const w = withDeltas(x);
    expect([w.rows, w.cols]).toEqual([4, 4]);
    expect(Array.from(w.data.subarray(0, 8))).toEqual(Array.from(x.data));
    expect(Array.from(w.data.subarray(8))).toEqual(Array.from(delta(x, DELTA_WIDTH).data));
  });

  it('refuses a width that is not a positive integer, quoting it', () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      expect(() => delta(m([[1, 2]]), bad)).toThrow(YasrError);
      expect(() => delta(m([[1, 2]]), bad)).toThrow(`invalid width: ${JSON.stringify(bad)}`);
    }
  });
});

describe('what the deltas add to a Gaussian of the frames', () => {
  it('tells frames in their order from the same frames shuffled, which the frames alone cannot', () => {
    // a smooth trajectory of 2 coefficients over 400 frames, and the same frames in a shuffled order
    const T = 400;
    const smooth = m([Array.from({ length: T }, (_, t) => Math.sin(t / 15)), Array.from({ length: T }, (_, t) => Math.cos(t / 23))]);
    const order = Array.from({ length: T }, (_, t) => t);
    let s = 7;
    for (let t = T - 1; t > 0; t--) {
      s = (s * 16807) % 2147483647;
      const u = s % (t + 1);
      [order[t], order[u]] = [order[u], order[t]];
    }
    const shuffled = { rows: 2, cols: T, data: Float32Array.from({ length: 2 * T }, (_, q) => smooth.data[Math.floor(q / T) * T + order[q % T]]) };
    const frames = prepareGaussians([fitGaussian(smooth.data, 2, T), fitGaussian(shuffled.data, 2, T)], 2);
    // the same frames: the same mean and covariance up to rounding
    expect(skl(frames, 0, 1)).toBeLessThan(1e-9);
    const a = withDeltas(smooth);
    const b = withDeltas(shuffled);
    const withD = prepareGaussians([fitGaussian(a.data, 4, T), fitGaussian(b.data, 4, T)], 4);
    // shuffled frames jump: their deltas spread far wider than a smooth track's (15.0 here)
    expect(skl(withD, 0, 1)).toBeGreaterThan(5);
  });
});
