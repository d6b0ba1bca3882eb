/**
 * The power kernels against their closed forms: pow = fround(fround(re^2) + fround(im^2)),
 * mag = fround(sqrt(pow)) (f32x4.sqrt is correctly rounded, as Math.sqrt then fround is), and
 * the lane sums.
 */
import { describe, expect, it } from 'vitest';
import { kernelArena } from '../../src/dsp/wasm-kernels.js';

const f = Math.fround;

describe('power and powerMag kernels', () => {
  const arena = kernelArena();
  it.skipIf(!arena)('write |X|^2, and |X| as Math.fround(Math.sqrt(|X|^2)), for values across float32\'s range', () => {
    const a = arena!;
    const nQuads = 64;
    const bins = 4 * nQuads;
    const spec = a.alloc(2 * bins);
    const pow = a.alloc(bins);
    const pow2 = a.alloc(bins);
    const mag = a.alloc(bins);
    const sums = a.alloc(12);
    const sums2 = a.alloc(12);
    let s = 11;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
    const x = new Float32Array(2 * bins);
    for (let i = 0; i < x.length; i++) x[i] = (rnd() < 0.5 ? -1 : 1) * Math.exp(60 * rnd() - 45); // ~1e-20 .. ~1e6
    x[0] = 0;
    x[1] = 0;
    x[2] = 1e-30; // bin 1: a square that underflows to 0, and one that is subnormal in float32
    x[3] = 3e-20;
    x[4] = -2; // bin 2: a perfect square
    x[5] = 0;
    let m = a.f32();
    m.set(x, spec >> 2);
    a.k.power(spec, pow, nQuads, sums);
    a.k.powerMag(spec, pow2, nQuads, sums2, mag);
    m = a.f32();
    const want = { p: 0, m: 0, w: 0 };
    for (let k = 0; k < bins; k++) {
      const p = f(f(x[2 * k] * x[2 * k]) + f(x[2 * k + 1] * x[2 * k + 1]));
      expect(m[(pow >> 2) + k], `pow ${k}`).toBe(p);
      expect(m[(pow2 >> 2) + k], `pow ${k}`).toBe(p);
      expect(m[(mag >> 2) + k], `mag ${k}`).toBe(f(Math.sqrt(p)));
      want.p += p;
      want.m += f(Math.sqrt(p));
      want.w += k * f(Math.sqrt(p));
    }
    expect(m[(pow >> 2) + 1]).toBe(f(9e-40)); // subnormal, not flushed to zero
    expect(m[(mag >> 2) + 1]).toBeCloseTo(3e-20, 25);
    expect(m[(mag >> 2) + 2]).toBe(2);
    expect(Array.from(m.subarray(sums2 >> 2, (sums2 >> 2) + 12))).toEqual(Array.from(m.subarray(sums >> 2, (sums >> 2) + 12)));
    const lanes = (o: number) => m[o] + m[o + 1] + m[o + 2] + m[o + 3];
    const rel = (got: number, w: number) => Math.abs(got - w) / w;
    expect(rel(lanes(sums >> 2), want.p)).toBeLessThan(1e-5); // float32 lane sums
    expect(rel(lanes((sums >> 2) + 4), want.m)).toBeLessThan(1e-5);
    expect(rel(lanes((sums >> 2) + 8), want.w)).toBeLessThan(1e-5);
  });
});
