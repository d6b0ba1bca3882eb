import { describe, expect, it } from 'vitest';
import { allFinite } from '../../src/dsp/finite.js';

describe('allFinite', () => {
  it('finds a NaN or an infinity wherever it is (odd and even positions, the last sample)', () => {
    expect(allFinite(new Float32Array(0))).toBe(true);
    expect(allFinite(Float32Array.of(0, -0, 3.4e38, -3.4e38, 1e-45))).toBe(true);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const n of [1, 2, 7, 8]) {
        for (let i = 0; i < n; i++) {
          const y = new Float32Array(n).fill(0.25);
          y[i] = bad;
          expect(allFinite(y), `${bad} at ${i} of ${n}`).toBe(false);
        }
      }
    }
  });
});
