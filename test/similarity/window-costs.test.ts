import { afterEach, describe, expect, it } from 'vitest';
import { fastdtw, fastdtwPath } from '../../src/similarity/fastdtw.js';
import { dtw } from '../../src/similarity/dtw.js';
import { rowCostKernel } from '../../src/similarity/local-cost.js';
import { arena, windowCostKernel, windowCostsSupport } from '../../src/similarity/window-costs.js';

/** A deterministic pseudo-random sequence of n frames of dim values (a random walk, like MFCCs). */
function walk(n: number, dim: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  const out = new Float32Array(n * dim);
  const state = new Float64Array(dim);
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < dim; k++) {
      state[k] = 0.9 * state[k] + rand() * (k === 0 ? 30 : 5);
      out[t * dim + k] = state[k];
    }
  }
  return out;
}

// the kernel choice (YASR_DTW_KERNEL) as it was before each test
const env = process.env.YASR_DTW_KERNEL;
afterEach(() => {
  if (env === undefined) delete process.env.YASR_DTW_KERNEL;
  else process.env.YASR_DTW_KERNEL = env;
});

/**
 * `f()` with the WebAssembly kernel, then with YASR_DTW_KERNEL=js (frames of 20 values switch;
 * dimensions that are not a multiple of 4 are JavaScript either way).
 */
function bothKernels<T>(f: () => T): [T, T] {
  delete process.env.YASR_DTW_KERNEL;
  expect(windowCostsSupport(20)).toBe(true);
  const wasm = f();
  process.env.YASR_DTW_KERNEL = 'js';
  expect(windowCostsSupport(20)).toBe(false);
  return [wasm, f()];
}

describe('window-costs (WebAssembly local costs of a DTW window)', () => {
  it('is generated for dimensions 4, 8, ... 64 only', () => {
    expect([4, 8, 20, 64].map(windowCostsSupport)).toEqual([true, true, true, true]);
    expect([0, 2, 3, 6, 13, 68, 2.5].map(windowCostsSupport)).toEqual([false, false, false, false, false, false, false]);
  });

  it('gives every cell of a ragged window exactly the JavaScript kernel value, row by row', () => {
    for (const dim of [4, 8, 12, 20, 64]) {
      const nx = 7;
      const ny = 11;
      const x = Float64Array.from(walk(nx, dim, dim), Number);
      const y = Float64Array.from(walk(ny, dim, 100 + dim), Number);
      const lo = Int32Array.from([0, 0, 1, 3, 3, 6, 10]);
      const hi = Int32Array.from([2, 4, 4, 8, 5, 10, 10]);
      const cells = hi.reduce((s, h, r) => s + h - lo[r] + 1, 0);
      const k = windowCostKernel(dim);
      const xAt = 0;
      const yAt = 8 * nx * dim;
      const loAt = yAt + 8 * ny * dim;
      const hiAt = loAt + 4 * nx;
      const dAt = 8 * Math.ceil((hiAt + 4 * nx) / 8);
      const v = arena(k, dAt + 8 * cells);
      v.f64.set(x, xAt / 8);
      v.f64.set(y, yAt / 8);
      v.i32.set(lo, loAt / 4);
      v.i32.set(hi, hiAt / 4);
      k.cells(xAt, yAt, loAt, hiAt, nx, dAt);
      const want: number[] = [];
      const row = new Float64Array(ny);
      const js = rowCostKernel(dim);
      for (let r = 0; r < nx; r++) {
        js(x, r * dim, y, 0, lo[r], hi[r], row, 0);
        for (let c = lo[r]; c <= hi[r]; c++) want.push(row[c - lo[r]]);
      }
      const got = Array.from(arena(k, 0).f64.subarray(dAt / 8, dAt / 8 + cells));
      expect(got).toEqual(want);
      // and against the definition, by hand: sqrt of the sum of squared differences
      let ss = 0;
      for (let q = 0; q < dim; q++) ss += (x[3 * dim + q] - y[5 * dim + q]) ** 2;
      expect(got[3 + 5 + 4 + (5 - 3)]).toBeCloseTo(Math.sqrt(ss), 9);
    }
  });

  it('keeps its values when the memory grows between calls (views renewed)', () => {
    const k = windowCostKernel(8);
    const v1 = arena(k, 64);
    v1.f64[3] = 42.5;
    const v2 = arena(k, k.memory.buffer.byteLength + 3 * 65536, v1);
    expect(v2 === v1).toBe(false);
    expect(v2.f64[3]).toBe(42.5);
    expect(arena(k, 64, v2) === v2).toBe(true);
  });
});

describe('fastdtw with the WebAssembly kernel', () => {
  it('gives the JavaScript kernel distances and paths to the bit (YASR_DTW_KERNEL=js)', () => {
    const cases: [number, number, number, number][] = [
      [300, 260, 20, 1],
      [257, 301, 20, 3],
      [64, 64, 8, 1],
      [129, 97, 12, 2],
      [50, 40, 6, 1], // not a multiple of 4: the JavaScript kernel either way
    ];
    const all = () =>
      cases.map(([nx, ny, dim, radius], i) => {
        const a = walk(nx, dim, 7 + i);
        const b = walk(ny, dim, 70 + i);
        const p = fastdtwPath(a, b, dim, { radius });
        return [fastdtw(a, b, dim, { radius }), p.distance, Array.from(p.pathX).join(','), Array.from(p.pathY).join(',')];
      });
    const [wasm, js] = bothKernels(all);
    expect(wasm).toEqual(js);
  });
});

describe('exact dtw with the WebAssembly kernel', () => {
  it('gives the JavaScript DP distances to the bit (YASR_DTW_KERNEL=js): odd and even lengths, bands, early abandoning, frames that are not numbers', () => {
    const cases: [number, number, number, number | undefined][] = [
      [431, 430, 20, 0.25],
      [430, 437, 20, 0.25],
      [129, 129, 20, 0.1],
      [200, 150, 20, undefined],
      [65, 64, 8, 0],
      [1, 5, 4, 0.5],
      [7, 1, 64, undefined],
      [50, 40, 6, 0.2], // not a multiple of 4: the JavaScript kernel either way
    ];
    const all = () =>
      cases.flatMap(([nx, ny, dim, band], i) => {
        const a = walk(nx, dim, 11 + i);
        const b = walk(ny, dim, 110 + i);
        const d = dtw(a, b, dim, { band });
        // abandoned past a bound below the distance, exact at or above it
        return [d, dtw(b, a, dim, { band }), dtw(a, b, dim, { band, upperBound: d * 0.5 }), dtw(a, b, dim, { band, upperBound: d })];
      });
    const [wasm, js] = bothKernels(all);
    expect(wasm).toEqual(js);
    expect(js.some((v) => v === Infinity)).toBe(true);
    // frames that are not numbers: the minima's ternaries pass NaN over as JavaScript's do
    const nan = () =>
      [3, 40, 77].map((at) => {
        const a = walk(80, 8, at);
        const b = walk(70, 8, at + 1);
        a.fill(NaN, at * 8, at * 8 + 8);
        return [dtw(a, b, 8, { band: 0.3 }), dtw(b, a, 8), dtw(a, b, 8, { band: 0.3, upperBound: 1 })];
      });
    const [wasmNan, jsNan] = bothKernels(nan);
    expect(wasmNan).toEqual(jsNan);
  });
});
