import { describe, expect, it } from 'vitest';
import { bandWidth, dtw } from '../../src/similarity/dtw.js';
import { fastdtw, fastdtwPath } from '../../src/similarity/fastdtw.js';
import { envelope, lbKeogh } from '../../src/similarity/lb-keogh.js';
import { poolFrames, toFrameMajor } from '../../src/similarity/pool.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Reference DTW: full matrix, obviously correct. */
function naiveDtw(x: ArrayLike<number>, y: ArrayLike<number>, dim: number, w = Infinity): number {
  const n = x.length / dim;
  const m = y.length / dim;
  const D: number[][] = Array.from({ length: n }, () => new Array<number>(m).fill(Infinity));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      if (Math.abs(i - j) > w) continue;
      let s = 0;
      for (let k = 0; k < dim; k++) s += (x[i * dim + k] - y[j * dim + k]) ** 2;
      const c = Math.sqrt(s);
      if (i === 0 && j === 0) D[i][j] = c;
      else {
        const up = i > 0 ? D[i - 1][j] : Infinity;
        const left = j > 0 ? D[i][j - 1] : Infinity;
        const corner = i > 0 && j > 0 ? D[i - 1][j - 1] : Infinity;
        D[i][j] = c + Math.min(up, left, corner);
      }
    }
  }
  return D[n - 1][m - 1];
}

function randomSeq(r: () => number, frames: number, dim: number): Float32Array {
  const out = new Float32Array(frames * dim);
  let walk = 0;
  for (let t = 0; t < frames; t++) {
    walk += r() - 0.5;
    for (let k = 0; k < dim; k++) out[t * dim + k] = walk + (r() - 0.5) * 2 + k * 0.1;
  }
  return out;
}

describe('exact DTW', () => {
  it('equals a naive full-matrix DTW, unconstrained and banded, any lengths', () => {
    const r = rng(11);
    for (let trial = 0; trial < 30; trial++) {
      const dim = 1 + Math.floor(r() * 5);
      const n = 1 + Math.floor(r() * 40);
      const m = 1 + Math.floor(r() * 40);
      const x = randomSeq(r, n, dim);
      const y = randomSeq(r, m, dim);
      expect(dtw(x, y, dim)).toBeCloseTo(naiveDtw(x, y, dim), 9);
      expect(dtw(y, x, dim)).toBeCloseTo(naiveDtw(x, y, dim), 9);
      const band = r() * 0.5;
      const w = bandWidth(n, m, band);
      expect(dtw(x, y, dim, { band })).toBeCloseTo(naiveDtw(x, y, dim, w), 9);
    }
  });

  it('a band always admits a path when lengths differ (widened to |n - m|)', () => {
    const r = rng(5);
    const x = randomSeq(r, 100, 3);
    const y = randomSeq(r, 10, 3);
    expect(bandWidth(100, 10, 0.01)).toBe(90);
    expect(bandWidth(100, 100, 0.1)).toBe(10);
    expect(bandWidth(100, 100, 0)).toBe(0);
    expect(bandWidth(50, 40)).toBe(50);
    const d = dtw(x, y, 3, { band: 0.01 });
    expect(Number.isFinite(d)).toBe(true);
    expect(d).toBeCloseTo(naiveDtw(x, y, 3, 90), 9);
    // band 0 with equal lengths: the diagonal
    const z = randomSeq(r, 100, 3);
    let diag = 0;
    for (let i = 0; i < 100; i++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += (x[i * 3 + k] - z[i * 3 + k]) ** 2;
      diag += Math.sqrt(s);
    }
    expect(dtw(x, z, 3, { band: 0 })).toBeCloseTo(diag, 9);
    expect(dtw(x, z, 3, { band: 1 })).toBe(dtw(x, z, 3));
  });

  it('early abandoning: Infinity above the bound, exact below it', () => {
    const r = rng(9);
    const x = randomSeq(r, 60, 4);
    const y = randomSeq(r, 50, 4);
    const d = dtw(x, y, 4);
    expect(dtw(x, y, 4, { upperBound: d * 0.5 })).toBe(Infinity);
    expect(dtw(x, y, 4, { upperBound: d * 1.0001 })).toBe(d);
  });

  it('rejects bad parameters with a typed error', () => {
    const x = new Float32Array(6);
    expect(() => dtw(x, x, 4)).toThrow(/multiple of dim=4/);
    expect(() => dtw(x, x, 2, { band: -0.5 })).toThrow(/band/);
    expect(() => dtw(new Float32Array(0), x, 2)).toThrow(/at least 1 frame/);
  });
});

describe('FastDTW (fastdtw 0.3.4 semantics)', () => {
  it("reproduces the package's docstring example, path included", () => {
    const r = fastdtwPath(new Float64Array([1, 2, 3, 4, 5]), new Float64Array([2, 3, 4]), 1);
    expect(r.distance).toBe(2);
    expect(Array.from(r.pathX)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(r.pathY)).toEqual([0, 0, 1, 2, 2]);
  });

  it('is exact DTW when the radius covers the sequences, and never below exact DTW', () => {
    const r = rng(21);
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + Math.floor(r() * 60);
      const m = 2 + Math.floor(r() * 60);
      const x = randomSeq(r, n, 3);
      const y = randomSeq(r, m, 3);
      const exact = dtw(x, y, 3);
      expect(fastdtw(x, y, 3, { radius: Math.max(n, m) })).toBeCloseTo(exact, 8);
      expect(fastdtw(x, y, 3, { radius: 1 })).toBeGreaterThanOrEqual(exact - 1e-9);
    }
  });

  it('rejects a bad radius', () => {
    const x = new Float32Array(8);
    expect(() => fastdtw(x, x, 2, { radius: 1.5 })).toThrow(/radius/);
    expect(() => fastdtw(x, x, 2, { radius: 0 })).toThrow(/radius/);
  });
});

describe('pooling', () => {
  it('averages groups, the last partial group over its own count', () => {
    // 5 frames, dim 2
    const seq = new Float32Array([0, 10, 2, 12, 4, 14, 6, 16, 9, 19]);
    expect(Array.from(poolFrames(seq, 2, 2))).toEqual([1, 11, 5, 15, 9, 19]);
    expect(Array.from(poolFrames(seq, 2, 3))).toEqual([2, 12, 7.5, 17.5]);
    expect(Array.from(poolFrames(seq, 2, 8))).toEqual([4.2, 14.2].map(Math.fround));
    expect(Array.from(poolFrames(seq, 2, 1))).toEqual(Array.from(seq));
    expect(() => poolFrames(seq, 2, 0)).toThrow(/pool/);
  });

  it('transposes librosa layout to frame-major', () => {
    // [2 features, 3 frames]
    expect(Array.from(toFrameMajor([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('LB_Keogh', () => {
  it('envelope is the running min/max over [i - w, i + w]', () => {
    const seq = new Float32Array([3, 1, 4, 1, 5, 9, 2, 6]);
    const e = envelope(seq, 1, 2);
    for (let i = 0; i < 8; i++) {
      const win = Array.from(seq.slice(Math.max(0, i - 2), Math.min(8, i + 3)));
      expect(e.upper[i]).toBe(Math.max(...win));
      expect(e.lower[i]).toBe(Math.min(...win));
    }
  });

  it('lb <= banded DTW <= ... on random data, equal and unequal lengths', () => {
    const r = rng(42);
    let checked = 0;
    for (let trial = 0; trial < 200; trial++) {
      const dim = 1 + Math.floor(r() * 6);
      const n = 1 + Math.floor(r() * 50);
      const m = trial % 2 === 0 ? n : 1 + Math.floor(r() * 50);
      const q = randomSeq(r, n, dim);
      const c = randomSeq(r, m, dim);
      const band = trial % 3 === 0 ? undefined : r() * 0.4;
      const w = bandWidth(n, m, band);
      const d = dtw(q, c, dim, { band });
      const lb = lbKeogh(q, envelope(c, dim, w));
      expect(lb).toBeLessThanOrEqual(d * (1 + 1e-12));
      // the other direction is a bound too
      expect(lbKeogh(c, envelope(q, dim, w))).toBeLessThanOrEqual(d * (1 + 1e-12));
      // early stop returns a value > the bound only if the full bound exceeds it
      const partial = lbKeogh(q, envelope(c, dim, w), lb / 2);
      if (lb > lb / 2) expect(partial).toBeGreaterThan(lb / 2);
      checked++;
    }
    expect(checked).toBe(200);
  });
});
