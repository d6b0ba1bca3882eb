import { describe, expect, it } from 'vitest';
import {
  bestPossible,
  neighboursFromDistanceMatrix,
  precisionAtK,
  randomBaseline,
} from '../../src/evaluate/precision.js';
import { YasrError } from '../../src/errors.js';

/** Neighbour function from fixed lists. */
const lists = (l: number[][]) => (i: number) => l[i];

/** All permutations of xs (xs.length! of them). */
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const p of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...p]);
  });
  return out;
}

describe('precisionAtK', () => {
  const labels = ['a', 'a', 'b', 'b'];
  // Query 0 finds its pair first, 1 does not, 2 does, 3 does not. Query 0 lists itself.
  const nb = lists([
    [0, 1, 2, 3],
    [2, 0, 3],
    [3, 0, 1],
    [0, 1, 2],
  ]);

  it('scores leave-one-out precision@1 and @2 by hand', () => {
    const p1 = precisionAtK({ neighbours: nb, labels, k: 1 });
    expect(p1.precision).toBeCloseTo(0.5, 12);
    expect(p1.queries).toBe(4);
    expect(p1.skipped).toBe(0);
    expect(p1.truncated).toBe(0);
    expect(Array.from(p1.perQuery)).toEqual([1, 0, 1, 0]);
    // @2: 0 -> [1,2] 1/2, 1 -> [2,0] 1/2, 2 -> [3,0] 1/2, 3 -> [0,1] 0
    const p2 = precisionAtK({ neighbours: nb, labels, k: 2 });
    expect(p2.precision).toBeCloseTo(1.5 / 4, 12);
  });

  it('defaults k to 10', () => {
    expect(precisionAtK({ neighbours: nb, labels }).k).toBe(10);
  });

  it('skips and counts queries whose label has no other member', () => {
    const r = precisionAtK({ neighbours: lists([[1, 2], [0, 2], [0, 1]]), labels: ['a', 'a', 'b'], k: 1 });
    expect(r.queries).toBe(2);
    expect(r.skipped).toBe(1);
    expect(r.precision).toBe(1);
    expect(Number.isNaN(r.perQuery[2])).toBe(true);
  });

  it('returns NaN precision when every query is skipped', () => {
    const r = precisionAtK({ neighbours: lists([[1], [0]]), labels: ['a', 'b'], k: 1 });
    expect(r.queries).toBe(0);
    expect(r.skipped).toBe(2);
    expect(Number.isNaN(r.precision)).toBe(true);
  });

  it('removes same-artist candidates before taking the top k (artist filter)', () => {
    const albums = ['x', 'x', 'x', 'y', 'y'];
    const artists = ['p', 'p', 'q', 'r', 's'];
    const nb5 = lists([
      [1, 3, 2, 4], // 1 is by the query's artist: unfiltered @1 is a hit, filtered @1 is 3 (y)
      [0, 2, 3, 4],
      [0, 1, 3, 4],
      [4, 0, 1, 2],
      [0, 1, 2, 3],
    ]);
    const plain = precisionAtK({ neighbours: nb5, labels: albums, k: 1 });
    expect(plain.perQuery[0]).toBe(1);
    const filtered = precisionAtK({ neighbours: nb5, labels: albums, k: 1, excludeSameArtist: artists });
    expect(filtered.perQuery[0]).toBe(0); // [3, 2, 4] -> 3 is 'y'
    expect(filtered.perQuery[1]).toBe(1); // [2, 3, 4] -> 2 is 'x'
    expect(filtered.perQuery[2]).toBe(1); // q: [0, 1, 3, 4] -> 0
    expect(filtered.perQuery[3]).toBe(1); // r: 4 is 'y'
    expect(filtered.perQuery[4]).toBe(0); // s: 0 is 'x'
    expect(filtered.precision).toBeCloseTo(3 / 5, 12);
    const k2 = precisionAtK({ neighbours: nb5, labels: albums, k: 2, excludeSameArtist: artists });
    expect(k2.perQuery[0]).toBe(0.5); // [3, 2]
  });

  it('skips queries whose only same-label items are by the same artist', () => {
    const r = precisionAtK({
      neighbours: lists([[1, 2, 3], [0, 2, 3], [3, 0, 1], [2, 0, 1]]),
      labels: ['x', 'x', 'y', 'y'],
      excludeSameArtist: ['p', 'p', 'q', 'r'],
      k: 1,
    });
    expect(r.skipped).toBe(2);
    expect(r.queries).toBe(2);
    expect(r.precision).toBe(1);
  });

  it('counts a duplicated neighbour once and reports short lists as truncated', () => {
    const r = precisionAtK({ neighbours: lists([[1, 1, 2], [0, 2], [0]]), labels: ['a', 'a', 'b'], k: 2 });
    // query 0: [1, 2] -> 1 hit of 2; query 1: [0, 2] -> 1 of 2; query 2 skipped
    expect(r.precision).toBeCloseTo(0.5, 12);
    const short = precisionAtK({ neighbours: lists([[1], [], [0, 1]]), labels: ['a', 'a', 'b'], k: 2 });
    expect(short.truncated).toBe(2);
    expect(short.perQuery[0]).toBe(0.5); // still divided by k
  });

  it('rejects bad k, bad lengths and out-of-range neighbours', () => {
    expect(() => precisionAtK({ neighbours: nb, labels, k: 0 })).toThrow(YasrError);
    expect(() => precisionAtK({ neighbours: nb, labels, k: 1.5 })).toThrow(/invalid k: 1.5/);
    expect(() => precisionAtK({ neighbours: nb, labels, excludeSameArtist: ['p'] })).toThrow(YasrError);
    expect(() => precisionAtK({ neighbours: lists([[7], [0], [0], [0]]), labels, k: 1 })).toThrow(/\[0, 4\)/);
  });
});

describe('randomBaseline', () => {
  it('is (same-label candidates)/(candidates) per query, by hand', () => {
    // every query: 1 relevant of 3 candidates
    expect(randomBaseline(['a', 'a', 'b', 'b'], 1).precision).toBeCloseTo(1 / 3, 12);
    expect(randomBaseline(['a', 'a', 'b', 'b'], 2).precision).toBeCloseTo(1 / 3, 12);
    // k beyond the candidate count: all candidates are returned, precision s/k
    expect(randomBaseline(['a', 'a', 'b', 'b'], 5).precision).toBeCloseTo(1 / 5, 12);
    // a, a, a, b: queries 0-2 have 2 of 3, query 3 is skipped
    const r = randomBaseline(['a', 'a', 'a', 'b'], 1);
    expect(r.precision).toBeCloseTo(2 / 3, 12);
    expect(r.queries).toBe(3);
    expect(r.skipped).toBe(1);
  });

  it('applies the artist filter to both counts', () => {
    // s/c per query: 1/3, 1/3, 2/4, 1/4, 1/4
    const r = randomBaseline(['x', 'x', 'x', 'y', 'y'], 1, ['p', 'p', 'q', 'r', 's']);
    expect(r.precision).toBeCloseTo((1 / 3 + 1 / 3 + 2 / 4 + 1 / 4 + 1 / 4) / 5, 12);
    expect(r.skipped).toBe(0);
  });

  it('equals the exact mean of precisionAtK over every ordering of the candidates', () => {
    const labels = ['x', 'x', 'y', 'x', 'y', 'z'];
    const artists = ['p', 'q', 'q', 'r', 'r', 's'];
    for (const withArtists of [false, true]) {
      for (const k of [1, 2, 3, 5, 7]) {
        const others = (i: number) => labels.map((_, j) => j).filter((j) => j !== i);
        const perms = permutations([0, 1, 2, 3, 4]); // position patterns for the 5 others
        let sum = 0;
        let last = { queries: 0, skipped: 0 };
        for (const p of perms) {
          const r = precisionAtK({
            neighbours: (i) => p.map((pos) => others(i)[pos]),
            labels,
            k,
            excludeSameArtist: withArtists ? artists : undefined,
          });
          sum += r.precision;
          last = r;
        }
        const base = randomBaseline(labels, k, withArtists ? artists : undefined);
        expect(base.precision).toBeCloseTo(sum / perms.length, 12);
        expect(base.queries).toBe(last.queries);
        expect(base.skipped).toBe(last.skipped);
      }
    }
  });

  it('rejects bad k and artists length', () => {
    expect(() => randomBaseline(['a'], 0)).toThrow(YasrError);
    expect(() => randomBaseline(['a', 'b'], 1, ['p'])).toThrow(YasrError);
  });
});

describe('bestPossible', () => {
  it('is the mean of min(k, relevant)/k', () => {
    expect(bestPossible(['a', 'a', 'b', 'b'], 1).precision).toBe(1);
    expect(bestPossible(['a', 'a', 'b', 'b'], 2).precision).toBe(0.5);
    // a x3: 2 relevant each; b x2: 1 relevant each; c skipped. k = 2 -> (1+1+1+.5+.5)/5
    const r = bestPossible(['a', 'a', 'a', 'b', 'b', 'c'], 2);
    expect(r.precision).toBeCloseTo(4 / 5, 12);
    expect(r.skipped).toBe(1);
    // artist filter: relevant 1,1,2,1,1 at k = 2 -> (.5+.5+1+.5+.5)/5
    expect(bestPossible(['x', 'x', 'x', 'y', 'y'], 2, ['p', 'p', 'q', 'r', 's']).precision).toBeCloseTo(3 / 5, 12);
  });

  it('is reached by a ranking that puts every same-label candidate first', () => {
    const labels = ['x', 'x', 'y', 'x', 'y', 'z', 'y'];
    const artists = ['p', 'q', 'q', 'r', 'r', 's', 't'];
    for (const k of [1, 2, 3, 6]) {
      const perfect = (i: number) =>
        labels
          .map((_, j) => j)
          .filter((j) => j !== i)
          .sort((a, b) => Number(labels[b] === labels[i]) - Number(labels[a] === labels[i]));
      const r = precisionAtK({ neighbours: perfect, labels, k, excludeSameArtist: artists });
      expect(r.precision).toBeCloseTo(bestPossible(labels, k, artists).precision, 12);
    }
  });
});

describe('neighboursFromDistanceMatrix', () => {
  const matrix = (xs: number[]) => {
    const n = xs.length;
    const D = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) D[i * n + j] = Math.abs(xs[i] - xs[j]);
    return D;
  };

  it('orders by ascending distance without the query', () => {
    const nb = neighboursFromDistanceMatrix(matrix([0, 1, 5, 6]), 4);
    expect(nb(0)).toEqual([1, 2, 3]);
    expect(nb(2)).toEqual([3, 1, 0]);
    expect(precisionAtK({ neighbours: nb, labels: ['a', 'a', 'b', 'b'], k: 1 }).precision).toBe(1);
  });

  it('breaks ties by index, puts NaN last, and can include the query', () => {
    expect(neighboursFromDistanceMatrix(matrix([0, 1, -1]), 3)(0)).toEqual([1, 2]);
    const D = new Float32Array([0, NaN, 2, 1, 0, 3, 5, 4, 0]);
    expect(neighboursFromDistanceMatrix(D, 3)(0)).toEqual([2, 1]);
    expect(neighboursFromDistanceMatrix(D, 3, { includeSelf: true })(0)).toEqual([0, 2, 1]);
  });

  it('orders similarities descending', () => {
    const S = new Float32Array([1, 0.2, 0.9, 0.2, 1, 0.5, 0.9, 0.5, 1]);
    expect(neighboursFromDistanceMatrix(S, 3, { order: 'descending' })(0)).toEqual([2, 1]);
    expect(neighboursFromDistanceMatrix(S, 3, { order: 'descending' })(1)).toEqual([2, 0]);
  });

  it('rejects a wrong size and a bad query', () => {
    expect(() => neighboursFromDistanceMatrix(new Float32Array(5), 2)).toThrow(/D.length: 5/);
    expect(() => neighboursFromDistanceMatrix(new Float32Array(4), 2)(2)).toThrow(YasrError);
  });
});
