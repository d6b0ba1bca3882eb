import { describe, expect, it } from 'vitest';
import { gaussianLength, prepareGaussians, skl } from '../../src/similarity/gaussian.js';
import { SKL_THREADS_FROM, sklMatrix } from '../../src/similarity/skl-matrix.js';
import { sklRowKernel } from '../../src/similarity/skl-kernel.js';

/** n random models of dimension d (packed: mean, then the upper triangle of an SPD covariance). */
function models(n: number, d: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  return Array.from({ length: n }, () => {
    const m = new Float32Array(gaussianLength(d));
    for (let k = 0; k < d; k++) m[k] = 4 * rand();
    // A A' + I: symmetric positive definite
    const a = Array.from({ length: d * d }, rand);
    let p = d;
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        let v = i === j ? 1 : 0;
        for (let k = 0; k < d; k++) v += a[i * d + k] * a[j * d + k];
        m[p++] = v;
      }
    }
    return m;
  });
}

describe('sklMatrix', () => {
  it('holds log(1 + skl) of every pair, symmetric, 0 on the diagonal', () => {
    const g = prepareGaussians(models(40, 3, 1), 3);
    const full = sklMatrix(g);
    for (let i = 0; i < 40; i++) {
      expect(full[i * 40 + i]).toBe(0);
      for (let j = 0; j < 40; j++) if (i !== j) expect(full[i * 40 + j]).toBe(Math.fround(Math.log1p(skl(g, Math.min(i, j), Math.max(i, j)))));
    }
  });

  it('is the same matrix, value for value, with threads (worker threads and this one taking chunks of rows)', () => {
    const n = SKL_THREADS_FROM + 37;
    const g = prepareGaussians(models(n, 3, 2), 3);
    const one = sklMatrix(g, 1);
    const three = sklMatrix(g, 3);
    expect(three.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.compare(Buffer.from(one.buffer), Buffer.from(three.buffer, three.byteOffset, three.byteLength))).toBe(0);
  });

  it('is the same matrix, value for value, from the WebAssembly kernel and the JavaScript loop (padding, dimensions, threads)', () => {
    const same = (a: Float32Array, b: Float32Array) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
    for (const [n, d] of [[1, 3], [2, 1], [3, 2], [5, 3], [8, 20], [9, 20], [42, 7]]) {
      const g = prepareGaussians(models(n, d, 10 * n + d), d);
      expect(same(sklMatrix(g, 1, 'js'), sklMatrix(g, 1)), `n ${n}, d ${d}`).toBe(true);
    }
    const n = SKL_THREADS_FROM + 5;
    const g = prepareGaussians(models(n, 4, 3), 4);
    expect(same(sklMatrix(g, 1, 'js'), sklMatrix(g, 2))).toBe(true);
  });

  it("the row kernel gives log1p(skl) of model i with each later model, to the bit, NaN where skl's is", () => {
    const m = models(11, 5, 4);
    m[6][2] = NaN; // a mean that is not a number: every divergence of model 6 is NaN
    const g = prepareGaussians(m, 5);
    const k = sklRowKernel(g);
    expect(k).not.toBeNull();
    const out = new Float64Array(11);
    for (let i = 0; i < 11; i++) {
      k!.after(i, out);
      for (let j = i + 1; j < 11; j++) expect(Object.is(out[j - i - 1], Math.log1p(skl(g, i, j))), `${i}, ${j}`).toBe(true);
    }
    expect(Number.isNaN(out[0])).toBe(false);
    k!.after(5, out);
    expect(Number.isNaN(out[0])).toBe(true);
  });
});
