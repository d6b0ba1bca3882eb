import { describe, expect, it } from 'vitest';
import { COSINE_THREADS_FROM, cosineDistanceMatrix } from '../../src/similarity/cosine-matrix.js';
import { unitRows } from '../../src/similarity/cosine.js';
import { lcgRandom } from '../../src/util/random.js';

/** n random rows of dim values scaled to unit length; row `zero` (when given) left at 0. */
function rows(n: number, dim: number, seed: number, zero = -1): Float64Array {
  const rand = lcgRandom(seed);
  const x = Float64Array.from({ length: n * dim }, (_, i) => (Math.floor(i / dim) === zero ? 0 : rand() - 0.5));
  return unitRows(x, dim);
}

describe('cosineDistanceMatrix', () => {
  it('holds 1 - cosine of every pair (worked out here), symmetric, 0 on the diagonal; a zero row is at distance 1 from every other', () => {
    const n = 30;
    const dim = 7;
    const u = rows(n, dim, 3, 4);
    const full = cosineDistanceMatrix(u, dim);
    expect(full).toHaveLength(n * n);
    for (let i = 0; i < n; i++) {
      expect(full[i * n + i]).toBe(0);
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        let dot = 0;
        let na = 0;
        let nb = 0;
        for (let k = 0; k < dim; k++) {
          dot += u[i * dim + k] * u[j * dim + k];
          na += u[i * dim + k] ** 2;
          nb += u[j * dim + k] ** 2;
        }
        const cos = i === 4 || j === 4 ? 0 : dot / Math.sqrt(na * nb);
        expect(full[i * n + j]).toBeCloseTo(1 - cos, 6);
        expect(full[i * n + j]).toBe(full[j * n + i]);
      }
    }
    expect(full[4 * n + 9]).toBe(1);
  });

  it('is the same matrix, value for value, with threads (worker threads and this one taking chunks of rows)', () => {
    const n = COSINE_THREADS_FROM + 21;
    const u = rows(n, 5, 8);
    const one = cosineDistanceMatrix(u, 5, 1);
    const three = cosineDistanceMatrix(u, 5, 3);
    expect(three.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.compare(Buffer.from(one.buffer), Buffer.from(three.buffer, three.byteOffset, three.byteLength))).toBe(0);
  });

  it('has no rows for no tracks, and a single 0 for one', () => {
    expect(cosineDistanceMatrix(new Float64Array(0), 4)).toHaveLength(0);
    expect(Array.from(cosineDistanceMatrix(rows(1, 4, 1), 4))).toEqual([0]);
  });
});
