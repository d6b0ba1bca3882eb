/**
 * dtw/fastdtw --shortlist N through runSimilarity (src/pipeline/similarity/shortlist-stage.ts):
 * the pairs computed are the brute-force shortlist's, each distance is the method's on the two
 * pooled sequences (the smaller track id's first), the lists are the brute-force top k of those
 * pairs; N >= n - 1 gives the all-pairs lists exactly; adding, removing and re-analysing tracks
 * ends as a from-scratch run on the final catalogue; a killed run resumes without recomputing.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/db.js';
import { buildSyntheticCatalogue } from '../../../benchmarks/pipeline/synthetic-catalogue.js';
import { runSimilarity } from '../../../src/pipeline/similarity/run-similarity.js';
import { hashOf, normalizeParams, type SimilarityParams } from '../../../src/pipeline/similarity/methods.js';
import { analysedTracks, sequenceOf } from '../../../src/pipeline/similarity/catalogue.js';
import { denseMatrix } from '../../../src/pipeline/similarity/dense.js';
import { recommend } from '../../../src/pipeline/recommend.js';
import { findSets, getNeighbours } from '../../../src/store/similarity.js';
import { getFeature, putFeature } from '../../../src/store/features.js';
import { markStage } from '../../../src/store/checkpoints.js';
import { DEFAULT_FEATURE_OPTIONS, FEATURES_VERSION, featureParamsHash } from '../../../src/pipeline/feature-options.js';
import { FEATURES_STAGE } from '../../../src/pipeline/features-stage.js';
import { summaryVector } from '../../../src/dsp/summary.js';
import { poolFrames } from '../../../src/similarity/pool.js';
import { dtw } from '../../../src/similarity/dtw.js';
import { fastdtw } from '../../../src/similarity/fastdtw.js';
import type { ProgressSink } from '../../../src/pipeline/progress-events.js';
import { bruteForceShortlist } from '../../helpers/shortlist.js';

const N_TRACKS = 40;
const DTW: SimilarityParams = { method: 'dtw', pool: 8, band: 0.1, shortlist: 6 };
const FASTDTW: SimilarityParams = { method: 'fastdtw', pool: 8, radius: 1, shortlist: 6 };

function catalogue(n = N_TRACKS): Db {
  const db = openDb(':memory:');
  buildSyntheticCatalogue(db, n, { seed: 5 });
  return db;
}

/** Take tracks out of (status failed) or back into (done) the analysed catalogue. */
function setAnalysed(db: Db, ids: number[], on: boolean): void {
  const st = db.prepare(`UPDATE checkpoints SET status = ? WHERE track_id = ? AND stage = '${FEATURES_STAGE}'`);
  for (const id of ids) st.run(on ? 'done' : 'failed', id);
}

/** Re-analyse a track with different content: its MFCCs shifted on coefficient 1, a new input hash. */
function reanalyse(db: Db, id: number): void {
  const hash = featureParamsHash(DEFAULT_FEATURE_OPTIONS);
  const f = getFeature(db, id, 'mfcc')!;
  const data = Float32Array.from(f.data);
  for (let t = 0; t < f.cols; t++) data[f.cols + t] += 25;
  putFeature(db, id, 'mfcc', { rows: f.rows, cols: f.cols, data }, FEATURES_VERSION, hash);
  const sv = summaryVector({ rows: f.rows, cols: f.cols, data });
  putFeature(db, id, 'mfcc_summary', { rows: 1, cols: sv.length, data: sv }, FEATURES_VERSION, hash);
  markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: hash, inputSha: `changed-${id}`, status: 'done', ms: 0 });
}

function setId(db: Db, p: SimilarityParams): number {
  const params = normalizeParams(p);
  return findSets(db, p.method).find((s) => s.paramsHash === hashOf(params))!.id;
}

/** Every analysed track's stored lists, by track id. */
function storedLists(db: Db, p: SimilarityParams): Record<number, unknown> {
  const id = setId(db, p);
  const out: Record<number, unknown> = {};
  for (const e of analysedTracks(db, ['mfcc']).entries) out[e.trackId] = getNeighbours(db, id, e.trackId);
  return out;
}

/** The stored pair distances as "trackA,trackB" (trackA < trackB) -> distance, active members only. */
function storedPairs(db: Db, p: SimilarityParams): Map<string, number> {
  const rows = db
    .prepare(
      `SELECT ma.track_id AS ta, mb.track_id AS tb, q.distance AS d FROM sim_pairs q
       JOIN sim_members ma ON ma.set_id = q.set_id AND ma.idx = q.a
       JOIN sim_members mb ON mb.set_id = q.set_id AND mb.idx = q.b
       WHERE q.set_id = ? AND ma.active = 1 AND mb.active = 1`,
    )
    .all(setId(db, p)) as { ta: number; tb: number; d: number }[];
  return new Map(rows.map((r) => {
    expect(r.ta, 'the smaller track id comes first').toBeLessThan(r.tb);
    return [`${r.ta},${r.tb}`, r.d];
  }));
}

/** The brute-force wanted pairs of the analysed catalogue as "trackA,trackB". */
function wanted(db: Db, size: number): Set<string> {
  const ids = analysedTracks(db, ['mfcc', 'mfcc_summary']).entries.map((e) => e.trackId);
  const rows = ids.map((id) => Array.from(getFeature(db, id, 'mfcc_summary')!.data));
  const out = new Set<string>();
  for (const s of bruteForceShortlist(rows, size).pairs) {
    const [a, b] = s.split(',').map(Number);
    out.add(`${ids[a]},${ids[b]}`);
  }
  return out;
}

describe('dtw --shortlist through runSimilarity', () => {
  it('the shortlist is part of the result set identity; "all" keeps the all-pairs identity', () => {
    const plain = hashOf(normalizeParams({ method: 'dtw' }));
    // the all-pairs record as it was before shortlists existed
    expect(plain).toBe(hashOf({ method: 'dtw', feature: 'timbre_mfcc', pool: 8, band: 0.1 }));
    expect(hashOf(normalizeParams({ method: 'dtw', shortlist: 'all' }))).toBe(plain);
    const h50 = hashOf(normalizeParams({ method: 'dtw', shortlist: 50 }));
    expect(h50).not.toBe(plain);
    expect(h50).not.toBe(hashOf(normalizeParams({ method: 'dtw', shortlist: 51 })));
    expect(hashOf(normalizeParams({ method: 'fastdtw', shortlist: 50 }))).not.toBe(hashOf(normalizeParams({ method: 'fastdtw' })));
    for (const bad of [0, -3, 2.5, 'abc']) {
      expect(() => normalizeParams({ method: 'dtw', shortlist: bad as number })).toThrow(`invalid shortlist: ${JSON.stringify(bad)} (expected an integer >= 1, or "all" for every pair)`);
    }
  });

  it('computes exactly the brute-force shortlist pairs, each distance the method of the two pooled sequences, and lists their top k', async () => {
    for (const p of [DTW, FASTDTW]) {
      const db = catalogue();
      const s = await runSimilarity(db, p, { k: 5, workers: 2, blockSize: 4 });
      const want = wanted(db, 6);
      const got = storedPairs(db, p);
      expect(new Set(got.keys())).toEqual(want);
      expect(s.shortlistPairs).toBe(want.size);
      expect(s.pairsComputed).toBe(want.size);
      // fewer than all pairs, more than n * N / 2
      expect(want.size).toBeLessThan((N_TRACKS * (N_TRACKS - 1)) / 2);
      expect(want.size).toBeGreaterThanOrEqual((N_TRACKS * 6) / 2);
      const seq = (id: number) => {
        const x = sequenceOf(db, id, 'mfcc');
        return { seq: poolFrames(x.seq, x.dim, 8), dim: x.dim };
      };
      for (const [key, d] of got) {
        const [a, b] = key.split(',').map(Number);
        const x = seq(a);
        const y = seq(b);
        const direct = p.method === 'dtw' ? dtw(x.seq, y.seq, x.dim, { band: 0.1 }) : fastdtw(x.seq, y.seq, x.dim, { radius: 1 });
        expect(d, `${p.method} ${key}`).toBe(Math.fround(direct));
      }
      // each track's list: its partners among the wanted pairs, nearest first (ties: smaller id)
      const lists = storedLists(db, p) as Record<number, { nearest: { trackId: number; score: number }[]; farthest: unknown[] }>;
      for (const [t, l] of Object.entries(lists)) {
        const id = Number(t);
        const partners = [...got]
          .map(([key, d]) => ({ ids: key.split(',').map(Number), d }))
          .filter((e) => e.ids.includes(id))
          .map((e) => ({ trackId: e.ids[0] === id ? e.ids[1] : e.ids[0], score: e.d }))
          .sort((x, y) => x.score - y.score || x.trackId - y.trackId)
          .slice(0, 5);
        expect(l.nearest, `${p.method} track ${id}`).toEqual(partners);
        expect(l.farthest).toEqual([]);
      }
      db.close();
    }
  }, 120_000);

  it('a shortlist of n - 1 or more gives the all-pairs lists exactly', async () => {
    for (const [all, short] of [
      [{ method: 'dtw' }, { method: 'dtw', shortlist: N_TRACKS - 1 }],
      [{ method: 'dtw', pool: 4, band: 0 }, { method: 'dtw', pool: 4, band: 0, shortlist: 1000 }],
      [{ method: 'fastdtw', pool: 8 }, { method: 'fastdtw', pool: 8, shortlist: N_TRACKS - 1 }],
    ] as SimilarityParams[][]) {
      const db = catalogue();
      await runSimilarity(db, all, { k: 7, workers: 2 });
      const s = await runSimilarity(db, short, { k: 7, workers: 2 });
      expect(s.shortlistPairs).toBe((N_TRACKS * (N_TRACKS - 1)) / 2);
      const a = storedLists(db, all) as Record<number, { nearest: unknown[] }>;
      const b = storedLists(db, short) as Record<number, { nearest: unknown[] }>;
      for (const id of Object.keys(a)) expect(b[Number(id)].nearest, `${all.method} track ${id}`).toEqual(a[Number(id)].nearest);
      db.close();
    }
  }, 120_000);

  it('tracks added, removed and re-analysed: lists equal a from-scratch run on the final catalogue; only missing pairs are computed', async () => {
    for (const p of [DTW, FASTDTW]) {
      const inc = catalogue();
      const late = Array.from({ length: 10 }, (_, i) => N_TRACKS - 9 + i);
      setAnalysed(inc, late, false);
      await runSimilarity(inc, p, { k: 5, workers: 1 });
      const before = new Set(storedPairs(inc, p).keys());
      const w30 = wanted(inc, 6);
      expect(before).toEqual(w30);

      // 10 tracks arrive
      setAnalysed(inc, late, true);
      const w40 = wanted(inc, 6);
      const s = await runSimilarity(inc, p, { k: 5, workers: 2, blockSize: 3 });
      expect(s.added).toBe(10);
      // exactly the wanted pairs not stored yet
      const missing = [...w40].filter((k) => !before.has(k));
      expect(s.pairsComputed).toBe(missing.length);
      // old tracks whose shortlist a new track entered got that pair
      const oldToNew = missing.filter((k) => k.split(',').map(Number).some((t) => late.includes(t)) && k.split(',').map(Number).some((t) => !late.includes(t)));
      expect(oldToNew.length).toBeGreaterThan(0);
      // the z-scoring statistics moved: some old tracks' shortlists changed among themselves too
      // (pairs of two old tracks entered; others left and no longer count)
      const oldOld = missing.filter((k) => k.split(',').map(Number).every((t) => !late.includes(t)));
      const left = [...w30].filter((k) => !w40.has(k));
      console.log(`[yasr tests] ${p.method} shortlist 6, 30 -> 40 tracks: ${missing.length} pairs computed (${oldOld.length} between old tracks), ${left.length} stored pairs left the shortlists`);
      expect(oldOld.length + left.length).toBeGreaterThan(0);
      const scratch = catalogue();
      await runSimilarity(scratch, p, { k: 5, workers: 2 });
      expect(storedLists(inc, p)).toEqual(storedLists(scratch, p));
      // some old track's list now holds a new track
      const lists = storedLists(inc, p) as Record<number, { nearest: { trackId: number }[] }>;
      expect(Object.entries(lists).some(([t, l]) => !late.includes(Number(t)) && l.nearest.some((e) => late.includes(e.trackId)))).toBe(true);

      // 2 tracks leave, 1 is re-analysed (a new member at the end of the set: order-independence)
      setAnalysed(inc, [3, 17], false);
      reanalyse(inc, 8);
      const s2 = await runSimilarity(inc, p, { k: 5, workers: 2 });
      expect([s2.removed, s2.added]).toEqual([3, 1]);
      expect(new Set([...storedPairs(inc, p).keys()].filter((k) => wanted(inc, 6).has(k)))).toEqual(wanted(inc, 6));
      const fresh = catalogue();
      setAnalysed(fresh, [3, 17], false);
      reanalyse(fresh, 8);
      await runSimilarity(fresh, p, { k: 5, workers: 1 });
      expect(storedLists(inc, p)).toEqual(storedLists(fresh, p));
      expect(Object.keys(storedLists(inc, p))).not.toContain('3');
      // nothing left: a further run does nothing
      expect((await runSimilarity(inc, p, { k: 5, workers: 1 })).nothingToDo).toBe(true);
      for (const d of [inc, scratch, fresh]) d.close();
    }
  }, 240_000);

  it('a killed run resumes with the missing pairs only and ends as an uninterrupted run', async () => {
    const ref = catalogue();
    await runSimilarity(ref, DTW, { k: 5, workers: 1 });
    for (const workers of [0, 2]) {
      const db = catalogue();
      const ac = new AbortController();
      let ticks = 0;
      const progress: ProgressSink = {
        start() {},
        stop() {},
        tick() {
          if (++ticks === 3) ac.abort(new Error('killed'));
        },
      };
      await expect(runSimilarity(db, DTW, { k: 5, workers, blockSize: 2, progress, signal: ac.signal })).rejects.toThrow(/killed/);
      const kept = storedPairs(db, DTW).size;
      // blocks of 4 pairs commit one by one: the first three at least were kept
      expect(kept).toBeGreaterThanOrEqual(12);
      expect(kept).toBeLessThan(wanted(db, 6).size);
      const again = await runSimilarity(db, DTW, { k: 5, workers, blockSize: 2 });
      expect(again.pairsComputed).toBe(wanted(db, 6).size - kept);
      expect(storedLists(db, DTW)).toEqual(storedLists(ref, DTW));
      expect(storedPairs(db, DTW)).toEqual(storedPairs(ref, DTW));
      db.close();
    }
    ref.close();
  }, 120_000);

  it('a larger k re-derives the lists without computing pairs; no full matrix; no least-similar list', async () => {
    const db = catalogue(20);
    await runSimilarity(db, DTW, { k: 3, workers: 1 });
    const again = await runSimilarity(db, DTW, { k: 3, workers: 1 });
    expect(again.nothingToDo).toBe(true);
    const more = await runSimilarity(db, DTW, { k: 8, workers: 1 });
    expect([more.nothingToDo, more.pairsComputed]).toEqual([false, 0]);
    const l = getNeighbours(db, setId(db, DTW), 1)!;
    expect(l.nearest.length).toBeGreaterThan(3);
    expect(() => denseMatrix(db, DTW)).toThrow(/--shortlist 6 stores only each track's shortlisted pairs/);
    const r = recommend(db, { trackId: 1 }, DTW, { k: 2, least: 3, filters: { maxPopularity: 100, excludeSameArtist: false }, ratings: 'ignore' });
    expect(r.nearest.length).toBe(2);
    expect(r.least).toEqual([]);
    db.close();
  }, 60_000);
});
