import { describe, expect, it } from 'vitest';
import { summaryVector, windowSummaries } from '../../src/dsp/summary.js';
import type { Matrix } from '../../src/dsp/matrix.js';

/** rows x cols with value r * 100 + c. */
function ramp(rows: number, cols: number): Matrix {
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = r * 100 + c;
  return { rows, cols, data };
}

function cols(m: Matrix, a: number, b: number): Matrix {
  const data = new Float32Array(m.rows * (b - a));
  for (let r = 0; r < m.rows; r++) data.set(m.data.subarray(r * m.cols + a, r * m.cols + b), r * (b - a));
  return { rows: m.rows, cols: b - a, data };
}

describe('windowSummaries', () => {
  it('gives one window, the whole summary, when the matrix is not longer than a window', () => {
    const m = ramp(3, 7);
    for (const len of [7, 10]) {
      const w = windowSummaries(m, len, 2);
      expect(w.rows).toBe(1);
      expect(w.cols).toBe(6);
      expect(Array.from(w.data)).toEqual(Array.from(summaryVector(m)));
    }
  });

  it('steps by the hop and adds a last window ending on the last frame', () => {
    const m = ramp(2, 11);
    const w = windowSummaries(m, 4, 3); // starts 0, 3, 6, then 7 (ends at 11)
    expect(w.rows).toBe(4);
    expect(w.cols).toBe(4);
    [0, 3, 6, 7].forEach((s, i) => {
      expect(Array.from(w.data.subarray(i * 4, i * 4 + 4))).toEqual(Array.from(summaryVector(cols(m, s, s + 4))));
    });
  });

  it('adds no extra window when the hops end exactly on the last frame', () => {
    const w = windowSummaries(ramp(1, 10), 4, 3); // 0, 3, 6 (ends at 10)
    expect(w.rows).toBe(3);
  });

  it('rejects non-positive or fractional lengths', () => {
    expect(() => windowSummaries(ramp(1, 5), 0, 1)).toThrow(RangeError);
    expect(() => windowSummaries(ramp(1, 5), 2, 1.5)).toThrow(RangeError);
  });
});
