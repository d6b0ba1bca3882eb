/**
 * The WebAssembly float64 kernels give, to the bit, what the JavaScript loops give (the same
 * operations in the same order), for small hand-checked cases and random rows of every scale.
 */
import { describe, expect, it } from 'vitest';
import { distancesF64, dotsF64 } from '../../src/similarity/f64-kernels.js';
import { rng } from '../../src/demo/synth.js';

function jsDots(q: ArrayLike<number>, data: Float64Array, dim: number): Float64Array {
  const out = new Float64Array(data.length / dim);
  for (let j = 0; j < out.length; j++) {
    let acc = 0;
    for (let k = 0; k < dim; k++) acc += q[k] * data[j * dim + k];
    out[j] = acc;
  }
  return out;
}

function jsDistances(q: ArrayLike<number>, data: Float64Array, dim: number, scale = 1): Float64Array {
  const out = new Float64Array(data.length / dim);
  for (let j = 0; j < out.length; j++) {
    let acc = 0;
    for (let k = 0; k < dim; k++) acc += (q[k] - data[j * dim + k]) ** 2;
    out[j] = Math.sqrt(acc) * scale;
  }
  return out;
}

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('float64 kernels', () => {
  it('small cases worked out by hand', () => {
    const data = Float64Array.from([1, 2, 3, 4, 5, 6]);
    expect([...dotsF64([1, 1, 1], data, 3)]).toEqual([6, 15]);
    expect([...dotsF64([2, 0, -1], data, 3)]).toEqual([-1, 2]);
    expect([...distancesF64([1, 2, 3], data, 3)]).toEqual([0, Math.sqrt(27)]);
    expect([...distancesF64([0, 0], Float64Array.from([3, 4, -6, 8]), 2)]).toEqual([5, 10]);
    expect([...distancesF64([0, 0], Float64Array.from([3, 4, -6, 8]), 2, 0.5)]).toEqual([2.5, 5]);
    // -0: 0 + (-1 * 0) is 0, as in JavaScript
    expect(Object.is(dotsF64([-1], Float64Array.from([0]), 1)[0], 0)).toBe(true);
    expect(Number.isNaN(dotsF64([Number.NaN, 1], Float64Array.from([1, 1]), 2)[0])).toBe(true);
  });

  it('random rows of every scale: the same bits as the JavaScript loops, for matrices kept and grown', () => {
    const rand = rng(5);
    const value = () => (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20);
    const matrices = [[1, 1], [9, 3], [6, 5], [7, 2], [5000, 40], [300, 14], [3, 257], [40_000, 40]].map(([n, dim]) => ({ dim, data: Float64Array.from({ length: n * dim }, value) }));
    // each matrix twice, interleaved with the others (their copies in WebAssembly memory are kept)
    for (let round = 0; round < 2; round++) {
      for (const { dim, data } of matrices) {
        const q = Float64Array.from({ length: dim }, value);
        expect(sameBits(dotsF64(q, data, dim), jsDots(q, data, dim))).toBe(true);
        expect(sameBits(distancesF64(q, data, dim), jsDistances(q, data, dim))).toBe(true);
        const scale = 1 / Math.sqrt(dim);
        expect(sameBits(distancesF64(q, data, dim, scale), jsDistances(q, data, dim, scale))).toBe(true);
      }
    }
  });
});
