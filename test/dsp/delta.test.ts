import { describe, expect, it } from 'vitest';
import { delta, withDeltas, DELTA_WIDTH } from '../../src/dsp/delta.js';
import { YasrError } from '../../src/errors.js';

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
