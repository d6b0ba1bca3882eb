/** The SIMD candidate scan: the quads it returns are exactly those a plain loop finds. */
import { describe, expect, it } from 'vitest';
import { f32Above, f32Below, TileScanner } from '../../src/similarity/tile-scan.js';
import { seededRandom } from '../../src/util/random.js';

describe('f32Below / f32Above', () => {
  it('round to the nearest float32 at or below / above', () => {
    const r = seededRandom(1);
    for (let p = 0; p < 2000; p++) {
      const x = (r() - 0.5) * 10 ** Math.floor(r() * 8 - 4);
      const lo = f32Below(x);
      const hi = f32Above(x);
      expect(Math.fround(lo)).toBe(lo);
      expect(Math.fround(hi)).toBe(hi);
      expect(lo).toBeLessThanOrEqual(x);
      expect(hi).toBeGreaterThanOrEqual(x);
      // adjacent: nothing representable in between (one step apart, or equal when x is a float32)
      if (Math.fround(x) === x) expect([lo, hi]).toEqual([x, x]);
      else expect(Math.fround((lo + hi) / 2) === lo || Math.fround((lo + hi) / 2) === hi).toBe(true);
    }
    expect(f32Below(1e-50)).toBe(0);
    expect(f32Below(-1e-50)).toBeLessThan(0);
    expect(f32Below(-Infinity)).toBe(-Infinity);
    expect(f32Above(Infinity)).toBe(Infinity);
    expect(Number.isNaN(f32Below(NaN))).toBe(true);
  });
});

describe('TileScanner', () => {
  it('returns the (row, quad) pairs holding a value >= a row or column hi, or <= a lo', () => {
    const n = 50;
    const sc = TileScanner.create(n);
    expect(sc).not.toBeNull();
    const r = seededRandom(2);
    const hi = Array.from({ length: n }, () => 0.6 + 0.4 * r());
    const lo = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : -0.6 - 0.4 * r()));
    hi.forEach((v, i) => sc!.setHi(i, v));
    lo.forEach((v, i) => sc!.setLo(i, v));
    const [rows, cols, r0, c0] = [9, 23, 4, 17];
    const stride = 24;
    const area = sc!.area(rows, stride);
    for (let i = 0; i < rows * stride; i++) area.data[area.offset + i] = (i % stride) >= cols ? NaN : (r() * 2 - 1) ** 3 * 1.2;
    area.data[area.offset + 5 * stride + 7] = NaN; // never a candidate
    const want: [number, number][] = [];
    for (let row = 0; row < rows; row++) {
      for (let q = 0; q < 6; q++) {
        let hit = false;
        for (let c = 4 * q; c < 4 * q + 4 && c < cols; c++) {
          const v = area.data[area.offset + row * stride + c];
          const [i, j] = [r0 + row, c0 + c];
          if (v >= f32Below(hi[i]) || v <= f32Above(lo[i]) || v >= f32Below(hi[j]) || v <= f32Above(lo[j])) hit = true;
        }
        if (hit) want.push([row, q]);
      }
    }
    const got = sc!.scan(rows, cols, stride, r0, c0);
    const pairs = Array.from({ length: got.count }, (_, p) => [got.cand[got.at + 2 * p], got.cand[got.at + 2 * p + 1]]);
    expect(want.length).toBeGreaterThan(3);
    expect(want.length).toBeLessThan(rows * 6);
    expect(pairs).toEqual(want);
  });
});
