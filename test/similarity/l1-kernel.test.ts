/**
 * The L1 kernel in WebAssembly gives the very bits of dsn.ts's `l1` (the same float64 terms in
 * the same two accumulators, in the same order), for every length (multiples of 4, of 2, odd, 1,
 * 0) and offset, from a row or an outside vector; the JavaScript fallback too.
 */
import { describe, expect, it } from 'vitest';
import { l1Space } from '../../src/similarity/l1-kernel.js';
import { l1 } from '../../src/similarity/dsn.js';
import { rng } from '../../src/demo/synth.js';

const n = 9;
const D = 1031;
const SLICES: [number, number][] = [[0, D], [0, 0], [0, 1], [3, 2], [5, 3], [1, 4], [7, 5], [2, 6], [11, 7], [100, 513], [D - 8, 8]];

describe.each(['auto', 'js'] as const)('l1Space (kernel %s)', (kernel) => {
  const s = l1Space(n, D, { kernel });
  const rand = rng(3);
  // values of very different sizes, so that the order of the additions shows in the bits
  for (let k = 0; k < s.X.length; k++) s.X[k] = (rand() - 0.3) * 10 ** Math.floor(rand() * 6 - 2);

  it('runs where it should', () => {
    expect(s.kernel).toBe(kernel === 'js' ? 'js' : 'wasm');
  });

  it('gives l1 of a row against rows, bit for bit, for every slice', () => {
    const out = new Float64Array(n);
    for (const [off, len] of SLICES) {
      for (let i = 0; i < n; i++) {
        s.fromRow(i, off, len, 0, n, out);
        for (let j = 0; j < n; j++) {
          const want = l1(s.X, i * D + off, s.X, j * D + off, len);
          expect(out[j], `${off}+${len} ${i}-${j}`).toBe(want);
          expect(s.pair(i, j, off, len)).toBe(want);
        }
      }
      // a run of rows that does not start at 0
      s.fromRow(2, off, len, 4, 3, out);
      for (let r = 0; r < 3; r++) expect(out[r]).toBe(l1(s.X, 2 * D + off, s.X, (4 + r) * D + off, len));
    }
  });

  it('gives l1 of an outside vector against rows, bit for bit', () => {
    const q = Float32Array.from({ length: D }, () => rand() * 100 - 50);
    const out = new Float64Array(n);
    for (const [off, len] of SLICES) {
      s.fromVector(q, off, len, 0, n, out);
      for (let j = 0; j < n; j++) expect(out[j]).toBe(l1(q, off, s.X, j * D + off, len));
    }
    // exactly: |1 - 4| + |-2 - 0| + |0.5 - 0.5| = 5 on the first three values of a row set by hand
    s.X.set([4, 0, 0.5], 0);
    expect(s.fromVector(Float32Array.from([1, -2, 0.5]), 0, 3, 0, 1, out)[0]).toBe(5);
  });

  it('takes any number of rows of any length (its float64 distances stay aligned)', () => {
    for (const [rows, dim] of [[4, 3], [1, 1], [2, 5], [6, 7]]) {
      const t = l1Space(rows, dim, { kernel });
      t.X.set(Array.from({ length: rows * dim }, (_, k) => (k * 7) % 5 - 2));
      const out = new Float64Array(rows);
      t.fromRow(0, 0, dim, 0, rows, out);
      for (let j = 0; j < rows; j++) expect(out[j], `${rows}x${dim} ${j}`).toBe(l1(t.X, 0, t.X, j * dim, dim));
    }
  });
});
