import { describe, expect, it } from 'vitest';
import { allowed, dateFloor, recommend, type RecommendFilters } from '../../src/pipeline/recommend.js';
import { rate } from '../../src/pipeline/ratings.js';
import type { Track } from '../../src/store/tracks.js';
import { desc, shaOf, vectorCatalogue } from '../helpers/vector-catalogue.js';
import { openDb } from '../../src/store/db.js';
import { runSimilarity } from '../../src/pipeline/similarity/run-similarity.js';
import { buildSyntheticCatalogue } from '../../benchmarks/pipeline/synthetic-catalogue.js';

function track(over: Partial<Track>): Track {
  return { id: 1, sha256: null, localPath: null, artist: 'Someone', title: 'T', album: null, releaseDate: '2024-06-15', popularity: 50, duration: null, size: null, addedAt: '', ...over };
}
const F: RecommendFilters = { maxPopularity: 70, excludeSameArtist: true };

describe('recommend filters', () => {
  it('dateFloor: the later of --released-after and --new-days; bad dates quoted', () => {
    expect(dateFloor(F)).toBeNull();
    expect(dateFloor({ ...F, releasedAfter: '2024' })).toBe('2024');
    expect(dateFloor({ ...F, releasedAfter: '2024-03' })).toBe('2024-03');
    const today = new Date('2026-11-29T12:00:00Z');
    expect(dateFloor({ ...F, newDays: 30, today })).toBe('2026-10-30');
    expect(dateFloor({ ...F, newDays: 0, today })).toBe('2026-11-29');
    expect(dateFloor({ ...F, newDays: 30, releasedAfter: '2026-11-01', today })).toBe('2026-11-01');
    expect(dateFloor({ ...F, newDays: 30, releasedAfter: '2020-01-01', today })).toBe('2026-10-30');
    expect(() => dateFloor({ ...F, releasedAfter: '2024-6-1' })).toThrow(/invalid --released-after: "2024-6-1" \(expected YYYY, YYYY-MM or YYYY-MM-DD\)/);
    expect(() => dateFloor({ ...F, releasedAfter: 'last week' })).toThrow(/"last week"/);
  });

  it('allowed: popularity (unknown passes), release floor with partial dates, same artist', () => {
    expect(allowed(track({ popularity: 70 }), F, null, 'Q')).toBe(true);
    expect(allowed(track({ popularity: 71 }), F, null, 'Q')).toBe(false);
    expect(allowed(track({ popularity: null }), F, null, 'Q')).toBe(true);
    // a partial date counts as the end of its period
    expect(allowed(track({ releaseDate: '2024' }), F, '2024-06-01', null)).toBe(true);
    expect(allowed(track({ releaseDate: '2023' }), F, '2024-06-01', null)).toBe(false);
    expect(allowed(track({ releaseDate: '2024-05' }), F, '2024-06-01', null)).toBe(false);
    expect(allowed(track({ releaseDate: '2024-06' }), F, '2024-06-15', null)).toBe(true);
    expect(allowed(track({ releaseDate: '2024-06-14' }), F, '2024-06-15', null)).toBe(false);
    expect(allowed(track({ releaseDate: '2024-06-15' }), F, '2024-06-15', null)).toBe(true);
    // a partial floor counts from the start of its period
    expect(allowed(track({ releaseDate: '2024-01-01' }), F, '2024', null)).toBe(true);
    expect(allowed(track({ releaseDate: '2024-03-01' }), F, '2024-03', null)).toBe(true);
    expect(allowed(track({ releaseDate: null }), F, '2024', null)).toBe(false);
    expect(allowed(track({ releaseDate: null }), F, null, null)).toBe(true);
    // the query's own artist, compared trimmed and case-insensitively
    expect(allowed(track({ artist: ' copper MOTH ' }), F, null, 'Copper Moth')).toBe(false);
    expect(allowed(track({ artist: 'Copper Moth' }), { ...F, excludeSameArtist: false }, null, 'Copper Moth')).toBe(true);
    expect(allowed(track({ artist: null }), F, null, 'Copper Moth')).toBe(true);
    expect(allowed(track({ artist: 'X' }), F, null, null)).toBe(true);
  });
});

describe('recommend filters end to end', () => {
  const rows = [
    { artist: 'Query', title: 'Q', v: [1, 0, 0], date: '2026-01-01' }, // 1
    { artist: 'Query', title: 'Q2', v: [0.99, 0.1, 0], date: '2026-01-01' }, // 2: same artist
    { artist: 'Famous', title: 'F', v: [0.98, 0.15, 0], date: '2026-05-01', pop: 90 }, // 3
    { artist: 'Old', title: 'O', v: [0.97, 0.2, 0], date: '2019-01-01', pop: 10 }, // 4
    { artist: 'New', title: 'N', v: [0.9, 0.3, 0], date: '2026-11-20', pop: 10 }, // 5
    { artist: 'Far', title: 'X', v: [0, 0, 1], date: '2026-11-25', pop: 10 }, // 6
  ];
  const cos = { method: 'cosine' as const, standardize: 'none' as const, windows: 'none' };
  it('applies popularity, date and artist filters, nearest and least', () => {
    const db = vectorCatalogue(rows);
    const r = recommend(db, { trackId: 1 }, cos, { k: 2, least: 1, filters: { ...F, newDays: 30, today: new Date('2026-11-29') } });
    expect(r.nearest.map((x) => x.trackId)).toEqual([5, 6]);
    expect(r.least.map((x) => x.trackId)).toEqual([]); // the 2 candidates are both among the nearest
    expect(r.candidates).toBe(2);
    const all = recommend(db, { trackId: 1 }, cos, { k: 2, least: 1, filters: { ...F, maxPopularity: 100, excludeSameArtist: false } });
    expect(all.nearest.map((x) => x.trackId)).toEqual([2, 3]);
    expect(all.least.map((x) => x.trackId)).toEqual([6]);
    expect(all.ratings).toBeUndefined();
    expect(all.nearest[0].rating).toBeUndefined();
  });
});

describe('re-ranking by ratings', () => {
  // the query, a "liked" artist's cluster (y > 0) and a "disliked" one's (y < 0), interleaved by
  // plain cosine to the query
  const rows = [
    { artist: 'Query', title: 'Q', v: [1, 0, 0] }, // 1
    { artist: 'Liked', title: 'L1', v: [0.8, 0.6, 0] }, // 2: cos .80
    { artist: 'Liked', title: 'L2', v: [0.7, 0.71, 0.05] }, // 3: cos .70
    { artist: 'Liked', title: 'L3', v: [0.6, 0.8, 0] }, // 4: cos .60
    { artist: 'Disliked', title: 'D1', v: [0.78, -0.62, 0] }, // 5: cos .78
    { artist: 'Disliked', title: 'D2', v: [0.72, -0.69, 0.05] }, // 6: cos .72
    { artist: 'Disliked', title: 'D3', v: [0.62, -0.78, 0] }, // 7: cos .62
    { artist: 'Other', title: 'Q-like', v: [0.9, 0, 0.43] }, // 8: another query
    { artist: 'Far', title: 'F', v: [0, 0, 1] }, // 9
  ];
  const cos = { method: 'cosine' as const, standardize: 'none' as const, windows: 'none' };
  const a = { k: 8, least: 0, filters: { maxPopularity: 100, excludeSameArtist: true } };
  const ids = (r: ReturnType<typeof recommend>) => r.nearest.map((x) => x.trackId);

  it('without ratings the ranking is the method\'s, and --no-ratings keeps it', () => {
    const db = vectorCatalogue(rows);
    const before = recommend(db, { trackId: 1 }, cos, a);
    expect(ids(before)).toEqual([8, 2, 5, 6, 3, 7, 4, 9]);
    expect(recommend(db, { trackId: 1 }, cos, { ...a, ratings: 'ignore' })).toEqual(before);
    rate(db, { query: { trackId: 1 }, trackId: 2, value: 'up', method: 'cosine' });
    expect(recommend(db, { trackId: 1 }, cos, { ...a, ratings: 'ignore' })).toEqual(before);
  });

  it('a liked track pulls its neighbours up, a disliked one is hidden and pushes its neighbours down', () => {
    const db = vectorCatalogue(rows);
    rate(db, { query: { trackId: 1 }, trackId: 2, value: 'up', method: 'cosine', rank: 2 });
    rate(db, { query: { trackId: 1 }, trackId: 5, value: 'down', method: 'cosine', rank: 3 });
    const after = recommend(db, { trackId: 1 }, cos, a);
    const order = ids(after);
    expect(order).not.toContain(5); // never shown again for this query
    expect(order.indexOf(2)).toBe(0);
    for (const l of [3, 4]) for (const d of [6, 7]) expect(order.indexOf(l)).toBeLessThan(order.indexOf(d));
    expect(after.ratings).toEqual({ rated: 2, hidden: 1 });
    const l2 = after.nearest.find((x) => x.trackId === 3)!;
    expect(l2.rating!.bonus).toBeGreaterThan(0);
    expect(l2.reason).toContain('near Liked - L1, which you liked');
    expect(l2.score).toBeCloseTo(0.7 / Math.hypot(0.7, 0.71, 0.05), 5); // the score shown stays the method's
    const d2 = after.nearest.find((x) => x.trackId === 6)!;
    expect(d2.rating!.bonus).toBeLessThan(0);
    // a change of mind: withdrawing the dislike shows D1 again
    rate(db, { query: { trackId: 1 }, trackId: 5, value: 'clear', method: 'cosine' });
    expect(ids(recommend(db, { trackId: 1 }, cos, a))).toContain(5);
  });

  it('ratings given for other queries count less and hide nothing', () => {
    const db = vectorCatalogue(rows);
    const base = recommend(db, { trackId: 8 }, cos, a);
    rate(db, { query: { trackId: 1 }, trackId: 2, value: 'up', method: 'cosine' });
    rate(db, { query: { trackId: 1 }, trackId: 5, value: 'down', method: 'cosine' });
    const other = recommend(db, { trackId: 8 }, cos, a);
    expect(ids(other)).toContain(5);
    const rank = (r: typeof base, id: number) => r.nearest.findIndex((x) => x.trackId === id);
    expect(rank(base, 6)).toBeLessThan(rank(base, 3)); // before: D2 above L2
    expect(rank(other, 6)).toBeGreaterThan(rank(other, 3)); // after: L2 above D2
    const bonus0 = (id: number) => other.nearest.find((x) => x.trackId === id)!.rating!.bonus;
    expect(bonus0(5)).toBeLessThan(0);
    expect(bonus0(2)).toBeGreaterThan(0);
    const mine = recommend(db, { trackId: 1 }, cos, a);
    const bonus = (r: typeof base, id: number) => r.nearest.find((x) => x.trackId === id)!.rating!.bonus;
    expect(bonus(other, 3)).toBeCloseTo(0.3 * bonus(mine, 3), 6); // same rated tracks, weight 0.3
  });

  it('a file query is matched by its content hash', () => {
    const db = vectorCatalogue(rows);
    const features = { vectors: { timbre_summary: Float32Array.from([1, 0, 0]) }, artist: 'Query', title: 'Q', file: '/tmp/q.wav', sha256: 'c'.repeat(64) };
    rate(db, { query: { sha256: 'c'.repeat(64) }, trackId: 5, value: 'down', method: 'cosine' });
    expect(ids(recommend(db, { features }, cos, a))).not.toContain(5);
    // the same audio as stored track 1: its ratings apply to the file too
    rate(db, { query: { trackId: 1 }, trackId: 6, value: 'down', method: 'cosine' });
    expect(ids(recommend(db, { features: { ...features, sha256: shaOf(1) } }, cos, a))).not.toContain(6);
    expect(ids(recommend(db, { trackId: 1 }, cos, a))).toContain(5);
  });
});

describe('stored lists of a catalogue smaller than both lists together', () => {
  it('lists each track once (timbre, 5 tracks: every other track is in both its nearest and farthest lists)', async () => {
    const db = openDb(':memory:');
    buildSyntheticCatalogue(db, 5, { seed: 3 });
    await runSimilarity(db, { method: 'timbre' }, { k: 10, workers: 0 });
    const r = recommend(db, { trackId: 1 }, { method: 'timbre' }, { k: 10, least: 0, filters: { maxPopularity: 100, excludeSameArtist: false }, ratings: 'ignore' });
    const ids = r.nearest.map((x) => x.trackId);
    expect(ids.length).toBe(4);
    expect(new Set(ids).size).toBe(4);
    db.close();
  });
});
