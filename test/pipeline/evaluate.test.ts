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
import { availableChoices, candidatesFor, choicesFor, evaluateMethods, weightGrid } from '../../src/pipeline/evaluate.js';
import { denseMatrix } from '../../src/pipeline/similarity/dense.js';
import { DEFAULTS } from '../../src/pipeline/similarity/defaults.js';
import { buildSyntheticCatalogue } from '../../benchmarks/pipeline/synthetic-catalogue.js';
import { splitByLabel } from '../../src/evaluate/held-out.js';

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

describe('evaluateMethods: held-out figures', () => {
  const db = catalogue();

  it('each half scored on its own tracks with the choice made on the other; both filters; seeded', async () => {
    const r = await evaluateMethods(db, { label: 'album', k: 1, methods: ['features'], artistFilter: false, workers: 1, seed: 3, resamples: 200 });
    const m = r.methods[0];
    expect(m.choices).toEqual(['zscore', 'no standardisation']);
    expect(r.split).not.toBeNull();
    const half = splitByLabel(TRACKS.map((t) => t[0]), 3);
    // independent precision@1 inside a half: nearest by |x_i - x_j| (ties: lower index), same album?
    const p1 = (h: number, artistFilter: boolean) => {
      const idx = [...half.keys()].filter((i) => half[i] === h);
      const scores: number[] = [];
      for (const i of idx) {
        const cands = idx.filter((j) => j !== i && !(artistFilter && TRACKS[j][1] === TRACKS[i][1]));
        if (!cands.some((j) => TRACKS[j][0] === TRACKS[i][0])) continue; // no relevant candidate: skipped
        const best = cands.reduce((a, j) => (Math.abs(TRACKS[j][2] - TRACKS[i][2]) < Math.abs(TRACKS[a][2] - TRACKS[i][2]) ? j : a));
        scores.push(TRACKS[best][0] === TRACKS[i][0] ? 1 : 0);
      }
      return scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : Number.NaN;
    };
    // the random expectation within a half, by hand (k = 1: relevant candidates / candidates)
    const rnd = (h: number, artistFilter: boolean) => {
      const idx = [...half.keys()].filter((i) => half[i] === h);
      const per: number[] = [];
      for (const i of idx) {
        const cands = idx.filter((j) => j !== i && !(artistFilter && TRACKS[j][1] === TRACKS[i][1]));
        const rel = cands.filter((j) => TRACKS[j][0] === TRACKS[i][0]).length;
        if (rel) per.push(rel / cands.length);
      }
      return per.reduce((a, b) => a + b, 0) / per.length;
    };
    expect(r.split!.random[0]).toBeCloseTo((rnd(0, false) + rnd(1, false)) / 2, 12);
    expect(r.split!.random[1]).toBeCloseTo((rnd(0, true) + rnd(1, true)) / 2, 12);
    const h = m.unfiltered.heldOut!;
    expect(h.halves.map((x) => x.tunedOn)).toEqual([0, 1]);
    // one descriptor: both choices rank alike, so the first (the default) is chosen on each half
    expect(h.halves.map((x) => x.chosen)).toEqual(['zscore', 'zscore']);
    expect(h.halves[0].heldOut).toEqual(p1(1, false));
    expect(h.halves[1].heldOut).toEqual(p1(0, false));
    expect(h.halves[0].training).toEqual(p1(0, false));
    const figs = [p1(1, false), p1(0, false)].filter(Number.isFinite);
    expect(h.mean).toBeCloseTo(figs.reduce((a, b) => a + b, 0) / figs.length, 12);
    expect(h.interval[0]).toBeLessThanOrEqual(h.mean);
    expect(h.interval[1]).toBeGreaterThanOrEqual(h.mean);
    const f = m.artistFiltered.heldOut!;
    expect(f.halves[0].heldOut).toEqual(p1(1, true));
    expect(f.halves[1].heldOut).toEqual(p1(0, true));
    // the headline figure is the all-tracks one of the chosen filter
    expect(m.precision).toBe(m.unfiltered.allTracks);
    const again = await evaluateMethods(db, { label: 'album', k: 1, methods: ['features'], artistFilter: false, workers: 1, seed: 3, resamples: 200 });
    expect(again).toEqual(r);
  });

  it('--no-held-out leaves the held-out figures out', async () => {
    const r = await evaluateMethods(db, { label: 'album', k: 1, methods: ['features'], artistFilter: true, workers: 1, heldOut: false });
    expect(r.methods[0].unfiltered.heldOut).toBeUndefined();
    expect(r.split).toBeNull();
    expect(r.methods[0].precision).toBe(r.methods[0].artistFiltered.allTracks);
  });

  it('the hybrid grid: 35 weightings of its four parts on the 0.25 simplex, the default first', () => {
    const g = choicesFor('hybrid');
    expect(g).toHaveLength(35);
    expect(g[0].name).toBe(`weights ${DEFAULTS.weights.map((x) => x.toFixed(2)).join(',')}`);
    expect(new Set(g.map((c) => c.name)).size).toBe(35);
    const grid = weightGrid();
    for (const w of [[0, 0, 1, 0], [0, 0, 0, 1], [0.25, 0.25, 0.25, 0.25], [0.5, 0.25, 0.25, 0]]) expect(grid).toContainEqual(w);
    // the three-part hybrid's 15 weightings are those with blocks 0
    expect(grid.filter((w) => w[3] === 0)).toHaveLength(15);
    for (const w of grid) expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe("evaluate: only the choices whose features the catalogue has", () => {
  it("timbre's supervector choice is tried when every track has timbre_sv (the supervector group), left out otherwise", async () => {
    const plain = openDb(':memory:');
    buildSyntheticCatalogue(plain, 12, { seed: 5 });
    const withSv = openDb(':memory:');
    buildSyntheticCatalogue(withSv, 12, { seed: 5, supervectors: true });
    const sv = 'mutual proximity, with the supervector';
    expect(availableChoices(plain, 'timbre').map((c) => c.name)).not.toContain(sv);
    expect(availableChoices(withSv, 'timbre').map((c) => c.name)).toContain(sv);
    const a = await candidatesFor(plain, 'timbre', 1, 5);
    const b = await candidatesFor(withSv, 'timbre', 1, 5);
    // the same tracks either way: a missing feature never shrinks the other choices' tracks
    expect(a.trackIds).toHaveLength(12);
    expect(b.trackIds).toEqual(a.trackIds);
    expect(b.candidates.map((c) => c.name)).toEqual(choicesFor('timbre').map((c) => c.name));
    plain.close();
    withSv.close();
  });
});

describe('evaluateMethods: the candidates are the methods themselves', () => {
  it('each hybrid weighting of the grid equals the hybrid method with those weights', async () => {
    const db = openDb(':memory:');
    buildSyntheticCatalogue(db, 30, { seed: 11 });
    const { trackIds, candidates } = await candidatesFor(db, 'hybrid', 1, 10);
    expect(candidates).toHaveLength(35);
    for (const name of ['weights 0.50,0.25,0.25,0.00', 'weights 1.00,0.00,0.00,0.00', 'weights 0.00,0.00,1.00,0.00', 'weights 0.00,0.00,0.00,1.00', 'weights 0.25,0.00,0.25,0.50']) {
      const c = candidates.find((x) => x.name === name)!;
      const w = name.slice(8).split(',').map(Number);
      const d = denseMatrix(db, { method: 'hybrid', weights: w });
      expect(d.trackIds).toEqual(trackIds);
      const got = c.matrix();
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - d.data[i]));
      expect(worst, name).toBeLessThan(1e-6);
    }
    const cos = await candidatesFor(db, 'cosine', 1, 10);
    expect(cos.candidates.map((c) => c.name)).toEqual(['windows timbre_windows, zscore', 'windows none, zscore', 'windows timbre_windows, no standardisation', 'windows none, no standardisation']);
    const d = denseMatrix(db, { method: 'cosine', windows: 'none', standardize: 'none' });
    const pos = new Map(d.trackIds.map((t, i) => [t, i]));
    const m = cos.candidates[3].matrix();
    const n = cos.trackIds.length;
    for (const [a, b] of [[0, 1], [3, 7], [n - 1, 2]]) {
      expect(m[a * n + b]).toBeCloseTo(d.data[pos.get(cos.trackIds[a])! * d.n + pos.get(cos.trackIds[b])!], 6);
    }
    db.close();
  });
});
