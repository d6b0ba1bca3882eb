import { describe, expect, it } from 'vitest';
import { windowMatchScores } from '../../src/similarity/cosine.js';
import { YasrError } from '../../src/errors.js';

const unit = (...v: number[]) => {
  const s = Math.hypot(...v);
  return v.map((x) => x / s);
};

describe('windowMatchScores', () => {
  // catalogue of 2 items in 2 dims: item 0 summary (1,0), windows (1,0), (0,1);
  // item 1 summary (0,1), one window (0,1)
  const C = Float64Array.from([1, 0, 0, 1]);
  const W = Float64Array.from([1, 0, 0, 1, 0, 1]);
  const owner = Int32Array.from([0, 0, 1]);

  it('takes the best of summary-vs-windows in both directions', () => {
    // a query that sounds like item 0's second window, with no windows of its own
    const q = Float64Array.from([0, 1]);
    expect(Array.from(windowMatchScores(q, q, C, W, owner, 2))).toEqual([1, 1]);
    // a query between the two: its own window matches item 0's summary exactly
    const q2 = Float64Array.from(unit(1, 1));
    const w2 = Float64Array.from([...unit(1, 1), 1, 0]);
    const s = windowMatchScores(q2, w2, C, W, owner, 2);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('equals plain cosine when every item has one window, its summary', () => {
    const Cs = Float64Array.from([...unit(1, 2), ...unit(-1, 0.5), ...unit(0.3, -1)]);
    const own = Int32Array.from([0, 1, 2]);
    const q = Float64Array.from(unit(2, 1));
    const s = windowMatchScores(q, q, Cs, Cs, own, 2);
    for (let j = 0; j < 3; j++) expect(s[j]).toBeCloseTo(q[0] * Cs[2 * j] + q[1] * Cs[2 * j + 1], 12);
  });

  it('rejects mismatched shapes', () => {
    expect(() => windowMatchScores(Float64Array.from([1]), Float64Array.from([1]), C, W, owner, 2)).toThrow(YasrError);
    expect(() => windowMatchScores(Float64Array.from([1, 0]), Float64Array.from([1, 0]), C, W, Int32Array.from([0]), 2)).toThrow(YasrError);
  });
});
