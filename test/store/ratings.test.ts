import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDb, schemaVersion, type Db } from '../../src/store/db.js';
import { activeRatings, countRatings, insertRating, ratingHistory } from '../../src/store/ratings.js';
import { vectorCatalogue as catalogueIn, type HandTrack } from '../helpers/vector-catalogue.js';
import { ENGINES, stopPg, warnSkip } from '../helpers/postgres.js';

const opened: Db[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});
afterAll(stopPg);
warnSkip();

const base = { queryLabel: null, method: 'cosine', rank: 1, session: null } as const;

describe.each(ENGINES)('ratings store on $engine', ({ skip, fresh }) => {
  const vectorCatalogue = (rows: HandTrack[]) => {
    const db = catalogueIn(rows, fresh());
    opened.push(db);
    return db;
  };
  it.skipIf(skip)('migration 6 adds the ratings table', () => {
    const db = openDb(fresh());
    opened.push(db);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(6);
    expect(countRatings(db)).toBe(0);
  });

  it.skipIf(skip)('keeps every rating; the latest per query and track is in force', () => {
    const db = vectorCatalogue([1, 2, 3, 4].map((i) => ({ artist: `A${i}`, title: `T${i}`, v: [i, 1] })));
    const sha = 'f'.repeat(64);
    insertRating(db, { ...base, queryTrackId: 1, querySha256: 'x1', trackId: 2, value: 1, ratedAt: '2026-01-01T00:00:00.000Z' });
    insertRating(db, { ...base, queryTrackId: 1, querySha256: 'x1', trackId: 2, value: -1, method: 'hybrid' });
    insertRating(db, { ...base, queryTrackId: 1, querySha256: 'x1', trackId: 3, value: 1, session: 's1' });
    insertRating(db, { ...base, queryTrackId: null, querySha256: sha, queryLabel: 'song.mp3', trackId: 2, value: 1 });
    const h = ratingHistory(db);
    expect(h.map((r) => r.value)).toEqual([1, -1, 1, 1]);
    expect(h[0]).toMatchObject({ queryArtist: 'A1', queryTitle: 'T1', artist: 'A2', title: 'T2', ratedAt: '2026-01-01T00:00:00.000Z' });
    expect(h[3]).toMatchObject({ queryTrackId: null, queryLabel: 'song.mp3', queryArtist: null });
    expect(ratingHistory(db, { session: 's1' }).map((r) => r.trackId)).toEqual([3]);
    const act = activeRatings(db);
    expect(act.map((r) => [r.queryTrackId, r.trackId, r.value])).toEqual([
      [null, 2, 1],
      [1, 3, 1],
      [1, 2, -1], // the change of mind wins, whichever method showed it
    ]);
    expect(activeRatings(db, 1)).toHaveLength(1);
  });

  it.skipIf(skip)('refuses bad rows and goes with its tracks', () => {
    const db = vectorCatalogue([1, 2, 3].map((i) => ({ artist: `A${i}`, title: `T${i}`, v: [i, 1] })));
    expect(() => insertRating(db, { ...base, queryTrackId: 1, querySha256: null, trackId: 2, value: 2 as 1 })).toThrow(/CHECK constraint|violates check constraint/);
    expect(() => insertRating(db, { ...base, queryTrackId: null, querySha256: null, trackId: 2, value: 1 })).toThrow(/CHECK constraint|violates check constraint/);
    expect(() => insertRating(db, { ...base, queryTrackId: 1, querySha256: null, trackId: 99, value: 1 })).toThrow(/FOREIGN KEY constraint|violates foreign key constraint/);
    insertRating(db, { ...base, queryTrackId: 1, querySha256: null, trackId: 2, value: 1 });
    insertRating(db, { ...base, queryTrackId: 3, querySha256: null, trackId: 1, value: 1 });
    db.prepare('DELETE FROM tracks WHERE id = 1').run();
    expect(countRatings(db)).toBe(0);
  });
});
