import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { putFeature } from '../../src/store/features.js';
import { markStage } from '../../src/store/checkpoints.js';
import { addLike, likedIds, listLikes, removeLike } from '../../src/store/likes.js';
import { FEATURES_STAGE } from '../../src/pipeline/features-stage.js';
import { FEATURES_VERSION } from '../../src/pipeline/feature-options.js';
import { discover, SOFTMAX_TAU } from '../../src/pipeline/discover.js';
import { YasrError } from '../../src/errors.js';

/** A catalogue whose cosine geometry is set by hand: one timbre_summary vector per track. */
function catalogue(rows: { artist: string; title: string; date: string | null; pop?: number | null; v: number[] }[]): Db {
  const db = openDb(':memory:');
  const ins = db.prepare('INSERT INTO tracks (sha256, local_path, artist, title, release_date, popularity) VALUES (?, ?, ?, ?, ?, ?)');
  rows.forEach((r, i) => {
    const id = Number(ins.run(`sha${i}`, `/x/${i}.wav`, r.artist, r.title, r.date, r.pop ?? null).lastInsertRowid);
    putFeature(db, id, 'timbre_summary', { rows: 1, cols: r.v.length, data: Float32Array.from(r.v) }, FEATURES_VERSION, 'h');
    markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: 'h', inputSha: `sha${i}`, status: 'done' });
  });
  return db;
}

const OPTS = { since: '2026-11-22', k: 10, perArtist: 1, maxPopularity: 70, method: { method: 'cosine' as const, standardize: 'none' as const, windows: 'none' } };

describe('discover', () => {
  const rows = [
    { artist: 'Fav One', title: 'A', date: '2020-01-01', v: [1, 0, 0] }, // 1: favourite
    { artist: 'Fav Two', title: 'B', date: '2020-01-01', v: [0, 1, 0] }, // 2: favourite
    { artist: 'Near One', title: 'C', date: '2026-11-24', v: [0.95, 0.05, 0.1] }, // 3: near favourite 1
    { artist: 'Between', title: 'D', date: '2026-11-25', v: [0.7, 0.7, 0.1] }, // 4: near both
    { artist: 'Far', title: 'E', date: '2026-11-25', v: [0, 0, 1] }, // 5: near neither
    { artist: 'Near One', title: 'C2', date: '2026-11-26', v: [0.94, 0.06, 0.1] }, // 6: same artist as 3
    { artist: 'Old', title: 'F', date: '2025-01-01', v: [1, 0, 0] }, // 7: outside the window
    { artist: 'Famous', title: 'G', date: '2026-11-23', pop: 95, v: [1, 0.01, 0] }, // 8: too popular
    { artist: 'Cover Band', title: 'c', date: '2026-11-27', v: [0.9, 0.1, 0.1] }, // 9: same title as 3
    { artist: 'Unknown Date', title: 'H', date: null, v: [1, 0, 0] }, // 10: no release date
  ];

  it('needs favourites', () => {
    const db = catalogue(rows);
    expect(() => discover(db, OPTS)).toThrow(/yasr like/);
  });

  it('ranks by the soft maximum over favourites, with diversity and filters', () => {
    const db = catalogue(rows);
    addLike(db, 1, 'track');
    addLike(db, 2, 'file');
    const r = discover(db, OPTS);
    expect(r.favourites.map((f) => f.trackId)).toEqual([1, 2]);
    expect(r.candidates).toBe(5); // 3, 4, 5, 6, 9: not favourites, old, too popular or undated
    const ids = r.picks.map((p) => p.trackId);
    expect(ids.filter((i) => i === 3 || i === 6).length).toBe(1); // one per artist (Near One)
    expect(ids.filter((i) => i === 3 || i === 9).length).toBe(1); // one per song title ('C' / 'c')
    expect(ids).not.toContain(7);
    expect(ids).not.toContain(8);
    expect(ids).not.toContain(10);
    expect(ids[ids.length - 1]).toBe(5);
    // the track between both favourites gains from the soft maximum
    const between = r.picks.find((p) => p.trackId === 4)!;
    expect(between.alsoNear.length + 1).toBeGreaterThanOrEqual(1);
    expect(r.picks[0].reason).toMatch(/^close to (Fav One - A|Fav Two - B)/);
    for (const p of r.picks) expect(p.rank).toBe(r.picks.indexOf(p) + 1);
    // scores are the documented soft maximum of the per-favourite z values
    expect(SOFTMAX_TAU).toBe(2);
    expect(r.picks[0].score).toBeGreaterThanOrEqual(r.picks[0].nearest.z);
    expect(r.picks[0].score).toBeLessThanOrEqual(r.picks[0].nearest.z + Math.log(2) / SOFTMAX_TAU + 1e-9);
  });

  it('per-artist and max-popularity are respected', () => {
    const db = catalogue(rows);
    addLike(db, 1, 'track');
    const two = discover(db, { ...OPTS, perArtist: 2, maxPopularity: 100 });
    expect(two.picks.map((p) => p.trackId)).toContain(6);
    expect(two.picks.map((p) => p.trackId)).toContain(8);
    expect(discover(db, { ...OPTS, k: 1 }).picks).toHaveLength(1);
    // announced releases after `until` wait for their day
    expect(discover(db, { ...OPTS, until: '2026-11-24' }).picks.map((p) => p.trackId).sort()).toEqual([3]);
  });

  it('a favourite without features is reported, the others still count', () => {
    const db = catalogue(rows);
    db.prepare('INSERT INTO tracks (sha256, local_path, artist, title) VALUES (?, ?, ?, ?)').run('shaX', '/x/new.wav', 'New Fav', 'Z');
    addLike(db, 11, 'file');
    addLike(db, 1, 'track');
    const r = discover(db, OPTS);
    expect(r.skippedFavourites.map((s) => s.trackId)).toEqual([11]);
    expect(r.skippedFavourites[0].reason).toMatch(/features/);
    expect(r.picks.length).toBeGreaterThan(0);
  });

  it('validates its options with one error quoting the value', () => {
    const db = catalogue(rows);
    addLike(db, 1, 'track');
    expect(() => discover(db, { ...OPTS, since: 'last week' })).toThrow(YasrError);
    expect(() => discover(db, { ...OPTS, k: 0 })).toThrow(/invalid k: 0/);
    expect(() => discover(db, { ...OPTS, perArtist: 1.5 })).toThrow(/per-artist/);
  });

  it('likes: add, list, remove; a like is idempotent and goes with its track', () => {
    const db = catalogue(rows);
    expect(addLike(db, 3, 'track')).toBe(true);
    expect(addLike(db, 3, 'track')).toBe(false);
    expect(listLikes(db).map((l) => l.trackId)).toEqual([3]);
    expect(likedIds(db).get(3)).toBe('track');
    expect(removeLike(db, 3)).toBe(true);
    expect(removeLike(db, 3)).toBe(false);
    addLike(db, 4, 'file');
    db.prepare('DELETE FROM tracks WHERE id = 4').run();
    expect(listLikes(db)).toEqual([]);
  });
});
