/**
 * l1Triangle hands over every pair's L1 distances over each segment, band by band in row order,
 * and the values are dsn.ts's `l1` to the bit, whether one thread computes them or several (the
 * worker threads run dist/, built by `npm test`), with one band or many, with either kernel.
 */
import { describe, expect, it } from 'vitest';
import { l1Space } from '../../src/similarity/l1-kernel.js';
import { l1Triangle, type Segment } from '../../src/similarity/l1-triangle.js';
import { l1 } from '../../src/similarity/dsn.js';
import { rng } from '../../src/demo/synth.js';

const D = 203;
const SEGMENTS: Segment[] = [{ offset: 0, length: 50 }, { offset: 50, length: 3 }, { offset: 53, length: 150 }];

function space(n: number, kernel: 'auto' | 'js') {
  const s = l1Space(n, D, { kernel });
  const rand = rng(11);
  for (let k = 0; k < s.X.length; k++) s.X[k] = (rand() - 0.3) * 10 ** Math.floor(rand() * 6 - 2);
  return s;
}

/** Every value handed over, as "i j s" -> value, and the bands' order. */
function collect(n: number, kernel: 'auto' | 'js', o: { threads?: number; threadsFrom?: number; bandRows?: number }) {
  const s = space(n, kernel);
  const values = new Map<string, number>();
  const bands: [number, number][] = [];
  l1Triangle(s, n, D, SEGMENTS, (i0, i1, band) => {
    bands.push([i0, i1]);
    for (let i = i0; i < i1; i++) {
      for (let g = 0; g < SEGMENTS.length; g++) {
        for (let j = i + 1; j < n; j++) values.set(`${i} ${j} ${g}`, band[((i - i0) * SEGMENTS.length + g) * n + j]);
      }
    }
  }, o);
  return { s, values, bands };
}

describe.each(['auto', 'js'] as const)('l1Triangle (kernel %s)', (kernel) => {
  it('hands over l1 of every pair and segment once, in bands of rows in order', () => {
    const n = 23;
    for (const bandRows of [undefined, 1, 4, 22, 50]) {
      const { s, values, bands } = collect(n, kernel, { bandRows });
      expect(values.size).toBe(((n * (n - 1)) / 2) * SEGMENTS.length);
      for (const [key, v] of values) {
        const [i, j, g] = key.split(' ').map(Number);
        expect(v, key).toBe(l1(s.X, i * D + SEGMENTS[g].offset, s.X, j * D + SEGMENTS[g].offset, SEGMENTS[g].length));
      }
      // contiguous bands from row 0 to row n - 2 (the last row has no pair after it)
      expect(bands[0][0]).toBe(0);
      expect(bands[bands.length - 1][1]).toBe(n - 1);
      for (let b = 1; b < bands.length; b++) expect(bands[b][0]).toBe(bands[b - 1][1]);
      if (bandRows === 4) expect(bands).toHaveLength(6);
    }
  });

  it('gives the same values on three threads, in the same bands', () => {
    const n = 41;
    const one = collect(n, kernel, { bandRows: 5 });
    for (const bandRows of [5, 1, 40]) {
      const three = collect(n, kernel, { threads: 3, threadsFrom: 0, bandRows });
      expect(three.values).toEqual(one.values);
      if (bandRows === 5) expect(three.bands).toEqual(one.bands);
    }
  });

  it('does nothing for fewer than two rows or no segment', () => {
    const s = space(1, kernel);
    let called = 0;
    l1Triangle(s, 1, D, SEGMENTS, () => called++, { threads: 2, threadsFrom: 0 });
    l1Triangle(space(4, kernel), 4, D, [], () => called++);
    expect(called).toBe(0);
  });
});
