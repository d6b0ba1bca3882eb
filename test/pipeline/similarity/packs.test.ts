/**
 * Feature and space packs hold exactly what the features table holds (and what spaceOf makes
 * of it), for the catalogue analysedEntries gives, with runSimilarity's members hash; they are
 * stored, read back, and made again after a change.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/db.js';
import { getFeature, putFeature } from '../../../src/store/features.js';
import { markStage } from '../../../src/store/checkpoints.js';
import { findSets, setState } from '../../../src/store/similarity.js';
import { featurePacks, indexIn, packRows, spacePack } from '../../../src/pipeline/similarity/packs.js';
import { runSimilarity } from '../../../src/pipeline/similarity/run-similarity.js';

/** Tracks 1-4; 1-3 analysed (timbre_summary 1 x 2, timbre_windows with 2, 1, 3 rows), 4 not. */
function catalogue(): Db {
  const db = openDb(':memory:');
  const summaries = [[1, 2], [3, 4], [5, 9], [7, 7]];
  summaries.forEach((v, i) => {
    const id = i + 1;
    db.prepare('INSERT INTO tracks (id, sha256, local_path, artist, title) VALUES (?, ?, ?, ?, ?)').run(id, `sha${id}`, `/x/${id}.wav`, `A${id}`, `T${id}`);
    putFeature(db, id, 'timbre_summary', { rows: 1, cols: 2, data: Float32Array.from(v) }, 1, 'h');
    const w = [2, 1, 3, 1][i];
    putFeature(db, id, 'timbre_windows', { rows: w, cols: 2, data: Float32Array.from({ length: 2 * w }, (_, k) => 10 * id + k + 0.5) }, 1, 'h');
    if (id < 4) markStage(db, { trackId: id, stage: 'features', paramsHash: 'h', inputSha: `sha${id}`, status: 'done' });
  });
  return db;
}

const packKeys = (db: Db) => (db.prepare('SELECT key FROM packs ORDER BY key').pluck().all() as string[]);

describe('feature packs', () => {
  it("the catalogue's tracks, each one's stored matrix, and runSimilarity's members hash", async () => {
    const db = catalogue();
    const [summary, windows] = featurePacks(db, ['timbre_summary', 'timbre_windows'], ['timbre_summary', 'timbre_windows'])!;
    expect([...summary.ids]).toEqual([1, 2, 3]);
    expect([...summary.data]).toEqual([1, 2, 3, 4, 5, 9]);
    expect([...windows.rows]).toEqual([2, 1, 3]);
    expect([...windows.start]).toEqual([0, 4, 6, 12]);
    const rows = packRows(windows);
    for (const id of [1, 2, 3]) {
      const f = getFeature(db, id, 'timbre_windows')!;
      expect(rows.get(id)).toEqual({ rows: f.rows, cols: 2, data: f.data });
    }
    expect(indexIn(summary.ids, 3)).toBe(2);
    expect(indexIn(summary.ids, 4)).toBe(-1);
    await runSimilarity(db, { method: 'cosine' }, { k: 2, workers: 1 });
    const set = findSets(db, 'cosine')[0];
    expect(setState(db, set.id)!.membersHash).toBe(summary.membersHash);
    expect(windows.membersHash).toBe(summary.membersHash);
    db.close();
  });

  it('stored, read back the same, and made again (with the new values) after a change', () => {
    const db = catalogue();
    const first = featurePacks(db, ['timbre_summary'], ['timbre_summary'])!;
    expect(packKeys(db)).toEqual(['feature:timbre_summary|catalogue:timbre_summary']);
    expect(featurePacks(db, ['timbre_summary'], ['timbre_summary'])).toEqual(first);
    putFeature(db, 2, 'timbre_summary', { rows: 1, cols: 2, data: Float32Array.from([0.25, -8]) }, 1, 'h');
    expect(packKeys(db)).toEqual([]);
    const [again] = featurePacks(db, ['timbre_summary'], ['timbre_summary'])!;
    expect([...again.data]).toEqual([1, 2, 0.25, -8, 5, 9]);
    // track 4 analysed: it joins the catalogue
    markStage(db, { trackId: 4, stage: 'features', paramsHash: 'h', inputSha: 'sha4', status: 'done' });
    const [withFour] = featurePacks(db, ['timbre_summary'], ['timbre_summary'])!;
    expect([...withFour.ids]).toEqual([1, 2, 3, 4]);
    expect(withFour.membersHash).not.toBe(again.membersHash);
    db.close();
  });

  it('no pack when a track of the catalogue lacks the feature or holds it with other columns', () => {
    const db = catalogue();
    expect(featurePacks(db, ['timbre_summary'], ['descriptors'])).toBeUndefined();
    putFeature(db, 3, 'timbre_windows', { rows: 1, cols: 3, data: Float32Array.from([1, 2, 3]) }, 1, 'h');
    expect(featurePacks(db, ['timbre_summary'], ['timbre_windows'])).toBeUndefined();
    expect(packKeys(db)).toEqual([]);
    db.close();
  });
});

describe('space packs', () => {
  it('the z-scored, unit-length summaries, worked out by hand, kept and read back bit for bit', () => {
    const db = catalogue();
    const sp = spacePack(db, ['timbre_summary'], 'timbre_summary', true, true)!;
    expect([...sp.ids]).toEqual([1, 2, 3]);
    // mean (3, 5), population std (sqrt(8/3), sqrt(26/3))
    const sd = [Math.sqrt(8 / 3), Math.sqrt(26 / 3)];
    const z = [[1, 2], [3, 4], [5, 9]].map(([a, b]) => [(a - 3) / sd[0], (b - 5) / sd[1]]);
    const unit = z.flatMap(([a, b]) => [a / Math.hypot(a, b), b / Math.hypot(a, b)]);
    expect(sp.space.dim).toBe(2);
    expect(sp.space.unit).toBe(true);
    [...sp.space.data].forEach((v, i) => expect(v).toBeCloseTo(unit[i], 12));
    expect([...sp.space.st!.mean]).toEqual([3, 5]);
    [...sp.space.st!.std].forEach((v, i) => expect(v).toBeCloseTo(sd[i], 12));
    // an outside vector goes through the same transformation
    const t = sp.space.transform(Float32Array.from([3, 9]));
    expect(t[0]).toBeCloseTo(0, 12);
    expect(t[1]).toBeCloseTo(1, 12);
    const again = spacePack(db, ['timbre_summary'], 'timbre_summary', true, true)!;
    expect(packKeys(db)).toContain('space:timbre_summary:zscore:unit|catalogue:timbre_summary');
    [...again.space.data].forEach((v, i) => expect(Object.is(v, sp.space.data[i])).toBe(true));
    db.close();
  });

  it('without standardisation and unit length: the stored values themselves', () => {
    const db = catalogue();
    const sp = spacePack(db, ['timbre_summary'], 'timbre_summary', false, false)!;
    expect(sp.space.st).toBeNull();
    expect([...sp.space.data]).toEqual([1, 2, 3, 4, 5, 9]);
    // windows have different numbers of rows: no space
    expect(spacePack(db, ['timbre_summary'], 'timbre_windows', false, false)).toBeUndefined();
    db.close();
  });
});
