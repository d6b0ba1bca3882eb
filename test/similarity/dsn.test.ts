/**
 * Manhattan distance and distance space normalisation on a matrix small enough to work out by
 * hand (row statistics without the diagonal, population standard deviations).
 */
import { describe, expect, it } from 'vitest';
import { dsn, dsnMatrix, l1, meanSd, rowStats, safeSd } from '../../src/similarity/dsn.js';

describe('l1', () => {
  it('sums absolute differences over the given stretch of each array', () => {
    const a = Float32Array.from([9, 1, -2, 4, 9]);
    const b = Float32Array.from([0, 0, 3, 2, 1, 5]);
    // a[1..4] = 1 -2 4 9 against b[2..5] = 3 2 1 5: 2 + 4 + 3 + 4
    expect(l1(a, 1, b, 2, 4)).toBe(13);
    expect(l1(a, 1, b, 2, 3)).toBe(9); // odd length
    expect(l1(a, 0, a, 0, 5)).toBe(0);
  });
});

describe('distance space normalisation', () => {
  // d(0,1) = 1, d(0,2) = 2, d(1,2) = 3
  const D = [0, 1, 2, 1, 0, 3, 2, 3, 0];

  it('takes each row statistics over the other items only', () => {
    const { mu, sd } = rowStats(D, 3);
    // row 0: {1, 2}; row 1: {1, 3}; row 2: {2, 3}
    expect(Array.from(mu)).toEqual([1.5, 2, 2.5]);
    expect(Array.from(sd)).toEqual([0.5, 1, 0.5]);
  });

  it('averages the z-scores of a distance in both rows', () => {
    const N = dsnMatrix(D, 3);
    // (0,1): ((1 - 1.5) / 0.5 + (1 - 2) / 1) / 2 = -1
    // (0,2): ((2 - 1.5) / 0.5 + (2 - 2.5) / 0.5) / 2 = 0
    // (1,2): ((3 - 2) / 1 + (3 - 2.5) / 0.5) / 2 = 1
    expect(Array.from(N)).toEqual([0, -1, 0, -1, 0, 1, 0, 1, 0]);
    expect(dsn(1, 1.5, 0.5, 2, 1)).toBe(-1);
  });

  it('divides by 1 where a row has no spread, so constant rows stay finite', () => {
    expect(safeSd(0)).toBe(1);
    expect(safeSd(Number.NaN)).toBe(1);
    expect(dsnMatrix([0, 2, 2, 0], 2)).toEqual(Float64Array.from([0, 0, 0, 0]));
    expect(meanSd(4, 10, 30)).toEqual({ mu: 2.5, sd: Math.sqrt(30 / 4 - 6.25) });
    expect(meanSd(0, 0, 0)).toEqual({ mu: 0, sd: 0 });
  });
});
