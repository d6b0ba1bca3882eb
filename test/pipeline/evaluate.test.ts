/**
 * `yasr evaluate` (evaluateMethods) on a six-track catalogue whose neighbour lists are known by
 * hand: one descriptor per track, so the features method (z-scored, Euclidean) ranks tracks by
 * |x_i - x_j|. Precision@k, the random baseline and the best possible score are worked out below,
 * with and without the artist filter.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { putFeature } from '../../src/store/features.js';
import { markStage } from '../../src/store/checkpoints.js';
import { FEATURES_STAGE } from '../../src/pipeline/features-stage.js';
import { FEATURES_VERSION } from '../../src/pipeline/feature-options.js';
import { evaluateMethods } from '../../src/pipeline/evaluate.js';

//                 album artist x
const TRACKS: [string, string, number][] = [
  ['A', 'p', 0],
  ['A', 'q', 1],
  ['B', 'p', 2.5],
  ['B', 'r', 10],
  ['C', 'r', 11],
  ['C', 's', 13],
];
// neighbours by |x_i - x_j| (the query left out):
// 0: 1 2 3 4 5 | 1: 0 2 3 4 5 | 2: 1 0 3 4 5 | 3: 4 5 2 1 0 | 4: 3 5 2 1 0 | 5: 4 3 2 1 0

function catalogue(): Db {
  const db = openDb(':memory:');
  const ins = db.prepare('INSERT INTO tracks (sha256, local_path, artist, title, album) VALUES (?, ?, ?, ?, ?)');
  TRACKS.forEach(([album, artist, x], i) => {
    const id = Number(ins.run(`sha-${i}`, `/x/${i}.wav`, artist, `title ${i}`, album).lastInsertRowid);
    putFeature(db, id, 'descriptors', { rows: 1, cols: 1, data: Float32Array.from([x]) }, FEATURES_VERSION, 'h');
    markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: 'h', inputSha: `in${i}`, status: 'done' });
  });
  return db;
}

const run = (db: Db, k: number, artistFilter: boolean, label: 'album' | 'artist' = 'album') =>
  evaluateMethods(db, { label, k, methods: ['features'], artistFilter, workers: 1 });

describe('evaluateMethods (yasr evaluate), hand-checked', () => {
  const db = catalogue();

  it('precision@1 and @2 by album without the artist filter', async () => {
    // @1: 0 -> 1 A hit, 1 -> 0 hit, 2 -> 1 miss, 3 -> 4 miss, 4 -> 3 miss, 5 -> 4 hit: 3/6
    const r1 = await run(db, 1, false);
    expect(r1.tracks).toBe(6);
    expect(r1.methods).toHaveLength(1);
    expect(r1.methods[0].method).toBe('features');
    expect(r1.methods[0].precision).toBeCloseTo(3 / 6, 12);
    expect(r1.methods[0].queries).toBe(6);
    expect(r1.methods[0].skipped).toBe(0);
    // random: each query has 1 same-album track among 5 candidates
    expect(r1.random!.precision).toBeCloseTo(1 / 5, 12);
    expect(r1.bestPossible!.precision).toBe(1);
    // @2: 0 [1,2] 1/2, 1 [0,2] 1/2, 2 [1,0] 0, 3 [4,5] 0, 4 [3,5] 1/2, 5 [4,3] 1/2: 2/6
    const r2 = await run(db, 2, false);
    expect(r2.methods[0].precision).toBeCloseTo(2 / 6, 12);
    expect(r2.bestPossible!.precision).toBeCloseTo(1 / 2, 12);
  });

  it('precision@1 and @2 by album with the artist filter', async () => {
    // same-artist candidates removed: 0 (p) loses 2, 2 (p) loses 0, 3 (r) loses 4, 4 (r) loses 3
    // @1: 0 -> 1 hit, 1 -> 0 hit, 2 -> 1 miss, 3 -> 5 miss, 4 -> 5 hit, 5 -> 4 hit: 4/6
    const r1 = await run(db, 1, true);
    expect(r1.artistFilter).toBe(true);
    expect(r1.methods[0].precision).toBeCloseTo(4 / 6, 12);
    expect(r1.methods[0].queries).toBe(6);
    // random: s/c = 1/4 for 0, 2, 3, 4 (one same-artist track removed), 1/5 for 1 and 5
    expect(r1.random!.precision).toBeCloseTo((4 / 4 + 2 / 5) / 6, 12);
    // @2: 0 [1,3], 1 [0,2], 2 [1,3], 3 [5,2], 4 [5,2], 5 [4,3]: one hit each
    const r2 = await run(db, 2, true);
    expect(r2.methods[0].precision).toBeCloseTo(1 / 2, 12);
  });

  it('labels by artist: tracks whose artist has no other track are skipped', async () => {
    // artists p q p r r s: 1 (q) and 5 (s) are skipped; 0 -> 1 miss, 2 -> 1 miss, 3 -> 4 hit, 4 -> 3 hit
    const r = await run(db, 1, false, 'artist');
    expect(r.methods[0].queries).toBe(4);
    expect(r.methods[0].skipped).toBe(2);
    expect(r.methods[0].precision).toBeCloseTo(2 / 4, 12);
    expect(r.random!.skipped).toBe(2);
  });
});
