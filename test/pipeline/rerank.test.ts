import { describe, expect, it } from 'vitest';
import { OTHER_QUERY, RERANK_WEIGHT, ratingWeights, rerank } from '../../src/pipeline/rerank.js';

const r = (id: number, q: number | null, sha: string | null, trackId: number, value: number) => ({ id, queryTrackId: q, querySha256: sha, trackId, value });

describe('ratingWeights', () => {
  it('this query: the latest per track, a dislike hides; other queries: 0.3 each, summed', () => {
    const rows = [r(9, 1, 'a', 5, -1), r(8, 2, 'b', 5, 1), r(7, 3, 'c', 5, 1), r(6, 1, 'a', 6, 1), r(5, 2, 'b', 7, 0), r(4, null, 'a', 8, 1)].sort((x, y) => y.id - x.id);
    const { weights, hidden } = ratingWeights(rows, { trackId: 1, sha256: 'a' });
    expect([...hidden]).toEqual([5]);
    expect(weights.get(5)).toBeCloseTo(2 * OTHER_QUERY - 1, 12);
    expect(weights.get(6)).toBe(1);
    expect(weights.has(7)).toBe(false); // withdrawn
    expect(weights.get(8)).toBe(1); // a file with this query's audio counts as this query
  });
  it('a track whose audio changed has two keys: the newer row wins', () => {
    const { weights, hidden } = ratingWeights([r(2, 1, 'new', 5, 1), r(1, 1, 'old', 5, -1)], { trackId: 1, sha256: 'new' });
    expect(hidden.size).toBe(0);
    expect(weights.get(5)).toBe(1);
  });
  it('caps the tracks rated for other queries, never this query\'s', () => {
    const rows = [r(4, 2, 'b', 10, 1), r(3, 2, 'b', 11, 1), r(2, 2, 'b', 12, 1), r(1, 1, 'a', 13, -1)];
    const { weights, hidden } = ratingWeights(rows, { trackId: 1, sha256: 'a' }, 2);
    expect([...weights.keys()].sort()).toEqual([10, 11, 13]);
    expect([...hidden]).toEqual([13]);
  });
});

describe('rerank', () => {
  // similarities: the query's row, and rated track 10's row
  const ranked: [number, number][] = [[1, 0.9], [2, 0.8], [3, 0.7], [4, 0.6]];
  const row10 = new Map([[1, 0], [2, 0], [3, 0], [4, 1], [10, 1]]);
  it('adds W * w * max(0, z_r) to the standardised score; nothing without weights', () => {
    const none = rerank(ranked, 'similarity', new Map(), new Set(), () => undefined);
    expect(none.ranked).toEqual(ranked);
    const up = rerank(ranked, 'similarity', new Map([[10, 1]]), new Set(), (id) => (id === 10 ? row10 : undefined));
    // z of the query's scores: +-1.34, +-0.45; track 4: -1.34 + 0.5 * sqrt(3) = -0.47, still last
    expect(up.ranked.map((x) => x[0])).toEqual([1, 2, 3, 4]);
    const strong = rerank(ranked, 'similarity', new Map([[10, 1]]), new Set(), (id) => (id === 10 ? row10 : undefined), 1);
    expect(strong.ranked.map((x) => x[0])).toEqual([1, 2, 4, 3]); // -1.34 + sqrt(3) = 0.39: above 3 (-0.45), below 2 (0.45)
    const e4 = up.effects.get(4)!;
    // r's row without r: [0, 0, 0, 1] -> z of track 4 = sqrt(3)
    expect(e4.bonus).toBeCloseTo(RERANK_WEIGHT * Math.sqrt(3), 12);
    expect(e4.because).toEqual({ trackId: 10, contribution: e4.bonus });
    expect(up.effects.get(1)!.bonus).toBe(0); // below average: clipped at 0
    expect(strong.ranked[2][1]).toBe(0.6); // scores stay the method's
  });
  it('distances read the other way; hidden tracks go; unscorable rated tracks only hide', () => {
    const dist: [number, number][] = [[1, 0.1], [2, 0.2], [3, 0.3]];
    const row = new Map([[1, 0.9], [2, 0.9], [3, 0.1]]);
    const down = rerank(dist, 'distance', new Map([[10, -1]]), new Set([2]), () => row);
    expect(down.ranked.map((x) => x[0])).not.toContain(2);
    expect(down.effects.get(3)!.bonus).toBeLessThan(0);
    const hideOnly = rerank(dist, 'distance', new Map([[10, -1]]), new Set([1]), () => undefined);
    expect(hideOnly.ranked.map((x) => x[0])).toEqual([2, 3]);
  });
  it('a rated track counts as its own nearest neighbour (its own score left out of the statistics)', () => {
    const out = rerank([[1, 0.9], [2, 0.5], [3, 0.4]], 'similarity', new Map([[2, 1]]), new Set(), () => new Map([[1, 0.2], [2, 1], [3, 0.1], [4, 0]]));
    // row without 2: [0.2, 0.1, 0] -> z = sqrt(1.5), 0, -sqrt(1.5)
    expect(out.effects.get(2)!.bonus).toBeCloseTo(RERANK_WEIGHT * Math.sqrt(1.5), 12);
    expect(out.effects.get(1)!.bonus).toBeCloseTo(RERANK_WEIGHT * Math.sqrt(1.5), 12);
    expect(out.effects.get(3)!.bonus).toBe(0);
  });
});
