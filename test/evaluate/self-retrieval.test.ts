import { describe, expect, it } from 'vitest';
import { neighboursFromDistanceMatrix, selfRetrieval } from '../../src/evaluate/precision.js';
import { YasrError } from '../../src/errors.js';

// Items 0-3 are originals at positions 0, 10, 20, 30 on a line; 4 and 5 are variants of 0,
// 6 is a variant of 1 that landed nearer to 2, 7 is a variant of 3.
const pos = [0, 10, 20, 30, 1, 2, 16, 29];
const n = pos.length;
const D = new Float32Array(n * n);
for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) D[i * n + j] = Math.abs(pos[i] - pos[j]);
const nb = neighboursFromDistanceMatrix(D, n);
const isVariant = [false, false, false, false, true, true, true, true];

describe('selfRetrieval', () => {
  it('counts queries whose nearest neighbour is the original', () => {
    const r = selfRetrieval({
      neighbours: nb,
      queries: [4, 5, 6, 7],
      originals: [0, 0, 1, 3],
      isCandidate: (j) => !isVariant[j],
    });
    // 4 -> 0 (rank 1); 5 -> 0 (rank 1); 6 -> 2 first, then 1 (rank 2); 7 -> 3 (rank 1)
    expect(Array.from(r.ranks)).toEqual([1, 1, 2, 1]);
    expect(r.hits).toBe(3);
    expect(r.queries).toBe(4);
    expect(r.rate).toBe(0.75);
    expect(r.meanReciprocalRank).toBeCloseTo((1 + 1 + 0.5 + 1) / 4, 12);
    expect(r.k).toBe(1);
  });

  it('lets other variants compete when isCandidate is not given', () => {
    // 5's nearest item is the other variant 4 (distance 1), the original 0 comes second
    const r = selfRetrieval({ neighbours: nb, queries: [5], originals: [0] });
    expect(Array.from(r.ranks)).toEqual([2]);
    expect(r.rate).toBe(0);
  });

  it('accepts the original within the first k and breaks down by kind', () => {
    const r = selfRetrieval({
      neighbours: nb,
      queries: [4, 5, 6, 7],
      originals: [0, 0, 1, 3],
      kinds: ['reencode', 'trim5s', 'reencode', 'trim5s'],
      isCandidate: (j) => !isVariant[j],
      k: 2,
    });
    expect(r.rate).toBe(1);
    const one = selfRetrieval({
      neighbours: nb,
      queries: [4, 5, 6, 7],
      originals: [0, 0, 1, 3],
      kinds: ['reencode', 'trim5s', 'reencode', 'trim5s'],
      isCandidate: (j) => !isVariant[j],
    });
    expect(one.byKind?.reencode).toMatchObject({ queries: 2, hits: 1, rate: 0.5 });
    expect(one.byKind?.trim5s).toMatchObject({ queries: 2, hits: 2, rate: 1 });
  });

  it('gives rank 0 when the original is missing from a truncated list', () => {
    const r = selfRetrieval({ neighbours: () => [2, 3], queries: [4], originals: [0] });
    expect(r.ranks[0]).toBe(0);
    expect(r.meanReciprocalRank).toBe(0);
  });

  it('rejects mismatched lengths, bad k and a query that is its own original', () => {
    expect(() => selfRetrieval({ neighbours: nb, queries: [4], originals: [] })).toThrow(YasrError);
    expect(() => selfRetrieval({ neighbours: nb, queries: [4], originals: [0], kinds: [] })).toThrow(YasrError);
    expect(() => selfRetrieval({ neighbours: nb, queries: [4], originals: [0], k: 0 })).toThrow(YasrError);
    expect(() => selfRetrieval({ neighbours: nb, queries: [0], originals: [0] })).toThrow(YasrError);
  });

  it('returns NaN rates for no query', () => {
    expect(Number.isNaN(selfRetrieval({ neighbours: nb, queries: [], originals: [] }).rate)).toBe(true);
  });
});
