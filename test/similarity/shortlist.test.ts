/**
 * The cosine shortlist of a sequence method (src/similarity/shortlist.ts) against its definition:
 * z-score in float64, cosine, each item's `size` best (ties to the smaller index), then the
 * symmetric union of pairs, worked out here by brute force.
 */
import { describe, expect, it } from 'vitest';
import { shortlistPairs } from '../../src/similarity/shortlist.js';
import { seededRandom } from '../../src/util/random.js';
import { bruteForceShortlist as bruteForce } from '../helpers/shortlist.js';

function asList(p: Int32Array): string[] {
  const out: string[] = [];
  for (let q = 0; q < p.length; q += 2) out.push(`${p[q]},${p[q + 1]}`);
  return out;
}

describe('shortlistPairs', () => {
  it('a hand-checked case: A=(3,1), B=(1,3), -A, -B (z-scoring only rescales; cos(A,B) = 0.6)', () => {
    const v = [3, 1, 1, 3, -3, -1, -1, -3];
    // size 1: A <-> B and -A <-> -B
    expect(asList(shortlistPairs(v, 2, 1))).toEqual(['0,1', '2,3']);
    // size 2: each also takes the one at -0.6 (A: -B, B: -A, -A: B, -B: A)
    expect(asList(shortlistPairs(v, 2, 2))).toEqual(['0,1', '0,3', '1,2', '2,3']);
    // size >= n - 1: every pair
    expect(asList(shortlistPairs(v, 2, 3))).toEqual(['0,1', '0,2', '0,3', '1,2', '1,3', '2,3']);
    expect(asList(shortlistPairs(v, 2, 100))).toEqual(['0,1', '0,2', '0,3', '1,2', '1,3', '2,3']);
  });

  it('equals the brute-force definition on random catalogues (duplicates and a constant dimension included)', () => {
    const u = seededRandom(11);
    let oneSidedSeen = 0;
    for (const [n, dim] of [[30, 6], [57, 10], [12, 3]]) {
      const rows = Array.from({ length: n }, () => Array.from({ length: dim }, () => u() * 4 - 2));
      for (const r of rows) r[dim - 1] = 0.5; // std 0: z-scores to 0
      rows[5] = [...rows[2]]; // exact ties
      rows[9] = [...rows[2]];
      const flat = Float32Array.from(rows.flat());
      // the brute force reads the same float32 values
      const f32 = rows.map((_, i) => Array.from(flat.subarray(i * dim, (i + 1) * dim)));
      for (const size of [1, 2, 5, 10, n - 2, n - 1, n + 3]) {
        const want = bruteForce(f32, size);
        const got = shortlistPairs(flat, dim, size);
        const list = asList(got);
        // sorted by a, then b; a < b; no duplicates
        const sorted = [...want.pairs].map((s) => s.split(',').map(Number)).sort((x, y) => x[0] - y[0] || x[1] - y[1]).map((p) => p.join(','));
        expect(list, `n=${n} size=${size}`).toEqual(sorted);
        oneSidedSeen += want.oneSided;
        if (size >= n - 1) expect(list.length).toBe((n * (n - 1)) / 2);
      }
    }
    // the symmetric union mattered: some j was in i's list without i in j's
    expect(oneSidedSeen).toBeGreaterThan(0);
  });

  it('fewer than two items: no pairs; a size below 1 is refused', () => {
    expect(shortlistPairs([1, 2], 2, 5).length).toBe(0);
    expect(shortlistPairs([], 2, 5).length).toBe(0);
    expect(() => shortlistPairs([1, 2, 3, 4], 2, 0)).toThrow(/invalid shortlist: 0/);
    expect(() => shortlistPairs([1, 2, 3, 4], 2, 1.5)).toThrow(/invalid shortlist/);
  });
});
