/**
 * Candidates, then exact re-ranking (src/pipeline/similarity/candidates.ts) through runSimilarity:
 * the candidate pairs are the brute-force symmetric top C of the z-scored timbre_summary cosine
 * (the ANN index is exact at this size), every listed score is the method's exact all-pairs value,
 * each list is the brute-force top k of its candidate pairs, C >= n - 1 gives the all-pairs lists
 * exactly for every method, and above allPairsMax() tracks the default switches to candidates
 * (dtw's, above dtwAllPairsMax() tracks, to its default shortlist).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/db.js';
import { buildSyntheticCatalogue } from '../../../benchmarks/pipeline/synthetic-catalogue.js';
import { runSimilarity, resolveRun, vectorModelFor } from '../../../src/pipeline/similarity/run-similarity.js';
import { hashOf, normalizeParams, type MethodName, type SimilarityParams } from '../../../src/pipeline/similarity/methods.js';
import { analysedTracks } from '../../../src/pipeline/similarity/catalogue.js';
import {
  ALL_PAIRS_MAX, DEFAULT_CANDIDATES, allPairsMax, candidatePairs, dtwAllPairsMax, normalizeCandidates, withCatalogueDefaults,
} from '../../../src/pipeline/similarity/candidates.js';
import { DTW_SHORTLIST } from '../../../src/pipeline/similarity/defaults.js';
import { denseMatrix } from '../../../src/pipeline/similarity/dense.js';
import { recommend } from '../../../src/pipeline/recommend.js';
import { findSets, getNeighbours } from '../../../src/store/similarity.js';
import { getAnnIndex } from '../../../src/store/ann.js';
import { getFeature } from '../../../src/store/features.js';
import { annBackendStatus } from '../../../src/similarity/ann/index.js';
import { bruteForceShortlist } from '../../helpers/shortlist.js';
import { vectorCatalogue } from '../../helpers/vector-catalogue.js';
import { seededRandom } from '../../../src/util/random.js';

const N = 30;
const BACKENDS = annBackendStatus().filter((s) => s.loaded).map((s) => s.name);
const VECTOR_METHODS: MethodName[] = ['cosine', 'timbre', 'features', 'hybrid'];

afterEach(() => {
  delete process.env.YASR_ALL_PAIRS_MAX;
  delete process.env.YASR_DTW_ALL_PAIRS_MAX;
  delete process.env.YASR_ANN_BACKEND;
});

let shared: Db | undefined;
/** One synthetic catalogue for the read-mostly checks (each check names its own parameters). */
function catalogue(): Db {
  if (!shared) {
    shared = openDb(':memory:');
    buildSyntheticCatalogue(shared, N, { seed: 21 });
  }
  return shared;
}

function lists(db: Db, p: SimilarityParams) {
  const { params, entries } = resolveRun(db, p);
  const set = findSets(db, p.method).find((s) => s.paramsHash === hashOf(params))!;
  return Object.fromEntries(entries.map((e) => [e.trackId, getNeighbours(db, set.id, e.trackId)]));
}

/** The brute-force candidate pairs of the catalogue's `vector` (default timbre_summary), as "idA,idB". */
function bruteCandidates(db: Db, ids: number[], c: number, vector = 'timbre_summary'): Set<string> {
  const rows = ids.map((id) => Array.from(getFeature(db, id, vector)!.data));
  const out = new Set<string>();
  for (const s of bruteForceShortlist(rows, c).pairs) {
    const [a, b] = s.split(',').map(Number);
    out.add(`${ids[a]},${ids[b]}`);
  }
  return out;
}

describe('--candidates parameters', () => {
  it('are part of a set identity; absent or "all" keep the all-pairs identity; bad values are one clear line', () => {
    expect(hashOf(normalizeParams({ method: 'features' }))).toBe(hashOf({ method: 'features', standardize: 'zscore', revision: 3 }));
    expect(hashOf(normalizeParams({ method: 'timbre', candidates: 'all' }))).toBe(hashOf({ method: 'timbre', feature: 'timbre_gauss_delta', mp: true }));
    for (const m of ['cosine', 'timbre', 'features', 'hybrid', 'dtw', 'fastdtw'] as MethodName[]) {
      const plain = hashOf(normalizeParams({ method: m }));
      expect(hashOf(normalizeParams({ method: m, candidates: 'all' }))).toBe(plain);
      const c50 = hashOf(normalizeParams({ method: m, candidates: 50 }));
      expect(c50).not.toBe(plain);
      expect(c50).not.toBe(hashOf(normalizeParams({ method: m, candidates: 51 })));
      // the candidates' vector joins the features read
      expect(normalizeParams({ method: m, candidates: 5 }).candidates).toBe(5);
    }
    for (const bad of [0, -2, 1.5, 'ten', Number.NaN]) {
      expect(() => normalizeParams({ method: 'cosine', candidates: bad as number })).toThrow(`invalid candidates: ${JSON.stringify(bad)} (expected an integer >= 1, or "all" for every pair)`);
    }
    expect(() => normalizeParams({ method: 'dtw', shortlist: 20, candidates: 50 })).toThrow(
      'invalid shortlist and candidates: {"shortlist":20,"candidates":50} (expected one of them: both choose which pairs dtw/fastdtw align (--shortlist from exact cosine, --candidates from the ANN index))',
    );
    expect(normalizeParams({ method: 'dtw', shortlist: 'all', candidates: 50 }).candidates).toBe(50);
    expect(normalizeCandidates(undefined)).toBeUndefined();
  });

  it(`switch to ${DEFAULT_CANDIDATES} candidates above allPairsMax() tracks (YASR_ALL_PAIRS_MAX, else ${ALL_PAIRS_MAX})`, () => {
    expect(allPairsMax()).toBe(ALL_PAIRS_MAX);
    expect(withCatalogueDefaults({ method: 'cosine' }, ALL_PAIRS_MAX)).toEqual({ method: 'cosine' });
    expect(withCatalogueDefaults({ method: 'cosine' }, ALL_PAIRS_MAX + 1)).toEqual({ method: 'cosine', candidates: DEFAULT_CANDIDATES });
    // named values win: all pairs, a number, a dtw shortlist
    expect(withCatalogueDefaults({ method: 'cosine', candidates: 'all' }, 10 ** 6)).toEqual({ method: 'cosine', candidates: 'all' });
    expect(withCatalogueDefaults({ method: 'hybrid', candidates: 7 }, 10 ** 6).candidates).toBe(7);
    expect(withCatalogueDefaults({ method: 'dtw', shortlist: 30 }, 10 ** 6)).toEqual({ method: 'dtw', shortlist: 30 });
    expect(withCatalogueDefaults({ method: 'dtw', shortlist: 'all' }, 10 ** 6)).toEqual({ method: 'dtw', shortlist: 'all' });
    process.env.YASR_ALL_PAIRS_MAX = '10';
    expect(allPairsMax()).toBe(10);
    expect(withCatalogueDefaults({ method: 'timbre' }, 11).candidates).toBe(DEFAULT_CANDIDATES);
    process.env.YASR_ALL_PAIRS_MAX = 'lots';
    expect(() => allPairsMax()).toThrow('invalid YASR_ALL_PAIRS_MAX: "lots" (expected a number of tracks (an integer >= 0))');
  });

  it(`dtw: its shortlist of ${DTW_SHORTLIST.shortlist} (pool ${DTW_SHORTLIST.pool}, band ${DTW_SHORTLIST.band}) above dtwAllPairsMax() tracks (YASR_DTW_ALL_PAIRS_MAX, else ${DTW_SHORTLIST.above}), never candidates`, () => {
    const sl = { shortlist: DTW_SHORTLIST.shortlist, pool: DTW_SHORTLIST.pool, band: DTW_SHORTLIST.band };
    expect(dtwAllPairsMax()).toBe(DTW_SHORTLIST.above);
    expect(withCatalogueDefaults({ method: 'dtw' }, DTW_SHORTLIST.above)).toEqual({ method: 'dtw' });
    expect(withCatalogueDefaults({ method: 'dtw' }, DTW_SHORTLIST.above + 1)).toEqual({ method: 'dtw', ...sl });
    expect(withCatalogueDefaults({ method: 'dtw' }, 10 ** 6)).toEqual({ method: 'dtw', ...sl });
    // a named pool or band stays; a named shortlist or candidates leave everything as given
    expect(withCatalogueDefaults({ method: 'dtw', pool: 8 }, 10 ** 6)).toEqual({ method: 'dtw', ...sl, pool: 8 });
    expect(withCatalogueDefaults({ method: 'dtw', band: 0 }, 10 ** 6)).toEqual({ method: 'dtw', ...sl, band: 0 });
    expect(withCatalogueDefaults({ method: 'dtw', candidates: 40 }, 10 ** 6)).toEqual({ method: 'dtw', candidates: 40 });
    // fastdtw keeps the candidates switch
    expect(withCatalogueDefaults({ method: 'fastdtw' }, ALL_PAIRS_MAX + 1)).toEqual({ method: 'fastdtw', candidates: DEFAULT_CANDIDATES });
    process.env.YASR_DTW_ALL_PAIRS_MAX = '5';
    expect(withCatalogueDefaults({ method: 'dtw' }, 6)).toEqual({ method: 'dtw', ...sl });
    process.env.YASR_DTW_ALL_PAIRS_MAX = '-1';
    expect(() => dtwAllPairsMax()).toThrow('invalid YASR_DTW_ALL_PAIRS_MAX: "-1" (expected a number of tracks (an integer >= 0))');
  });
});

describe.each(BACKENDS)('candidatePairs on %s', (backend) => {
  it('equal the brute-force symmetric top C of the z-scored cosine; C >= n - 1 is every pair without an index', () => {
    const r = seededRandom(4);
    const db = vectorCatalogue(Array.from({ length: 60 }, (_, i) => ({ artist: `a${i}`, title: `t${i}`, v: Array.from({ length: 7 }, () => r() * 6 - 3) })));
    const { entries } = analysedTracks(db, ['timbre_summary']);
    const ids = entries.map((e) => e.trackId);
    const full = candidatePairs(db, entries, 59, { backend });
    expect(full.complete).toBe(true);
    expect(full.pairs.length).toBe(60 * 59);
    expect(getAnnIndex(db, 'timbre_summary')).toBeUndefined();
    for (const c of [1, 3, 8]) {
      const got = candidatePairs(db, entries, c, { backend });
      expect(got.complete).toBe(false);
      const list = new Set<string>();
      for (let p = 0; p < got.pairs.length; p += 2) {
        expect(got.pairs[p]).toBeLessThan(got.pairs[p + 1]);
        list.add(`${ids[got.pairs[p]]},${ids[got.pairs[p + 1]]}`);
      }
      expect(list.size).toBe(got.pairs.length / 2);
      expect(list).toEqual(bruteCandidates(db, ids, c));
    }
    // a method's catalogue smaller than the index's: its entries only, each still with C
    const some = entries.filter((_, i) => i % 3 !== 0);
    const sub = candidatePairs(db, some, 3, { backend });
    const subIds = some.map((e) => e.trackId);
    const list = new Set<string>();
    for (let p = 0; p < sub.pairs.length; p += 2) list.add(`${subIds[sub.pairs[p]]},${subIds[sub.pairs[p + 1]]}`);
    // brute force over the subset, but z-scored with the whole catalogue's fit (the index's)
    const rows = ids.map((id) => Array.from(getFeature(db, id, 'timbre_summary')!.data));
    const dim = 7;
    const mean = Array.from({ length: dim }, (_, k) => rows.reduce((s, x) => s + x[k], 0) / rows.length);
    const std = Array.from({ length: dim }, (_, k) => Math.sqrt(rows.reduce((s, x) => s + (x[k] - mean[k]) ** 2, 0) / rows.length));
    const z = (id: number) => rows[ids.indexOf(id)].map((x, k) => (x - mean[k]) / std[k]);
    const cos = (a: number[], b: number[]) => a.reduce((s, x, k) => s + x * b[k], 0) / Math.hypot(...a) / Math.hypot(...b);
    const want = new Set<string>();
    for (const a of subIds) {
      const best = subIds.filter((b) => b !== a).sort((x, y) => cos(z(a), z(y)) - cos(z(a), z(x)) || x - y).slice(0, 3);
      for (const b of best) want.add(`${Math.min(a, b)},${Math.max(a, b)}`);
    }
    expect(list).toEqual(want);
    db.close();
  });
});

describe('runSimilarity with --candidates', () => {
  it.each(VECTOR_METHODS)('%s: C >= n - 1 gives the all-pairs lists exactly (nearest and farthest)', async (method) => {
    const db = catalogue();
    await runSimilarity(db, { method }, { k: 6, workers: 1 });
    const s = await runSimilarity(db, { method, candidates: N - 1 }, { k: 6, workers: 1 });
    expect(s.params.candidates).toBe(N - 1);
    expect(s.candidatePairs).toBe((N * (N - 1)) / 2);
    expect(s.annIndexes).toEqual([]);
    const all = lists(db, { method });
    expect(lists(db, { method, candidates: N - 1 })).toEqual(all);
    expect(Object.values(all).every((l) => l!.farthest.length === 6)).toBe(true);
  });

  it.each(['dtw', 'fastdtw'] as MethodName[])('%s: C >= n - 1 gives the all-pairs nearest lists exactly', async (method) => {
    const db = catalogue();
    await runSimilarity(db, { method, candidates: 'all' }, { k: 5, workers: 2 });
    const s = await runSimilarity(db, { method, candidates: N + 5 }, { k: 5, workers: 2 });
    expect(s.candidatePairs).toBe((N * (N - 1)) / 2);
    const all = lists(db, { method });
    const got = lists(db, { method, candidates: N + 5 });
    for (const id of Object.keys(all)) expect(got[id]!.nearest).toEqual(all[id]!.nearest);
  });

  it.each(BACKENDS)('few candidates (%s): each list is the top k of its candidate pairs by the exact all-pairs score', async (backend) => {
    process.env.YASR_ANN_BACKEND = backend;
    const db = openDb(':memory:');
    buildSyntheticCatalogue(db, N, { seed: 22 });
    const C = 4;
    const k = 3;
    for (const method of [...VECTOR_METHODS, 'dtw'] as MethodName[]) {
      const s = await runSimilarity(db, { method, candidates: C }, { k, workers: 2 });
      const { params, entries } = resolveRun(db, { method, candidates: C });
      const ids = entries.map((e) => e.trackId);
      // each method's candidate vectors: descriptors for features, both spaces for hybrid
      const vectors = method === 'features' ? ['descriptors'] : method === 'hybrid' ? ['timbre_summary', 'descriptors'] : ['timbre_summary'];
      const want = new Set(vectors.flatMap((v) => [...bruteCandidates(db, ids, C, v)]));
      expect(s.candidatePairs, method).toBe(want.size);
      expect(s.annIndexes!.map((x) => [x.vector, x.backend])).toEqual(vectors.map((v) => [v, backend]));
      const partners = new Map<number, number[]>(ids.map((id) => [id, []]));
      for (const p of want) {
        const [a, b] = p.split(',').map(Number);
        partners.get(a)!.push(b);
        partners.get(b)!.push(a);
      }
      const got = lists(db, { method, candidates: C });
      if (method === 'dtw') {
        // the listed partners are candidates, and the lists are the all-pairs distances' top k among them
        await runSimilarity(db, { method }, { k: N, workers: 2 });
        const full = lists(db, { method });
        for (const id of ids) {
          const score = new Map(full[id]!.nearest.map((e) => [e.trackId, e.score]));
          const best = partners.get(id)!.sort((x, y) => score.get(x)! - score.get(y)! || x - y).slice(0, k);
          expect(got[id]!.nearest.map((e) => e.trackId)).toEqual(best);
          for (const e of got[id]!.nearest) expect(e.score).toBe(score.get(e.trackId));
        }
        continue;
      }
      // the all-pairs model (candidates do not change the scores: n <= the mutual-proximity sample)
      const model = vectorModelFor(db, { ...params, candidates: undefined }, entries);
      const sign = model.orientation === 'similarity' ? -1 : 1;
      ids.forEach((id, i) => {
        const row = model.row(i);
        const best = partners.get(id)!.map((j) => ({ trackId: j, score: row[ids.indexOf(j)] })).sort((x, y) => sign * (x.score - y.score) || x.trackId - y.trackId).slice(0, k);
        expect(got[id], `${method} #${id}`).toEqual({ nearest: best, farthest: [] });
      });
    }
    db.close();
  });

  it('above allPairsMax() tracks the default is candidates, and recommend finds that set', async () => {
    const db = openDb(':memory:');
    buildSyntheticCatalogue(db, 12, { seed: 23 });
    const plain = await runSimilarity(db, { method: 'hybrid' }, { k: 5, workers: 1 });
    expect(plain.params.candidates).toBeUndefined();
    process.env.YASR_ALL_PAIRS_MAX = '10';
    const s = await runSimilarity(db, { method: 'hybrid' }, { k: 5, workers: 1 });
    expect(s.params.candidates).toBe(DEFAULT_CANDIDATES);
    expect(hashOf(s.params)).not.toBe(hashOf(plain.params));
    // a new set: drop the plain one's lists, so that only the candidates set can answer
    db.prepare('DELETE FROM sim_sets WHERE params_hash = ?').run(hashOf(plain.params));
    const r = recommend(db, { trackId: 3 }, { method: 'hybrid' }, { k: 3, least: 0, filters: { maxPopularity: 100, excludeSameArtist: false }, ratings: 'ignore' });
    expect(r.params.candidates).toBe(DEFAULT_CANDIDATES);
    expect(r.nearest.length).toBe(3);
    // "all" keeps all pairs at any size
    const a = await runSimilarity(db, { method: 'hybrid', candidates: 'all' }, { k: 5, workers: 1 });
    expect(hashOf(a.params)).toBe(hashOf(plain.params));
    db.close();
  });

  it("above dtwAllPairsMax() tracks dtw's default is its shortlist: the run, recommend and the matrix's hint agree", async () => {
    const db = openDb(':memory:');
    buildSyntheticCatalogue(db, 12, { seed: 29 });
    const plain = await runSimilarity(db, { method: 'dtw' }, { k: 5, workers: 1 });
    expect(plain.params).toMatchObject({ pool: 8, band: 0.1 });
    expect(plain.params.shortlist).toBeUndefined();
    expect(denseMatrix(db, { method: 'dtw' }).n).toBe(12);
    process.env.YASR_DTW_ALL_PAIRS_MAX = '10';
    const s = await runSimilarity(db, { method: 'dtw' }, { k: 5, workers: 1 });
    expect(s.params).toMatchObject({ shortlist: DTW_SHORTLIST.shortlist, pool: DTW_SHORTLIST.pool, band: DTW_SHORTLIST.band });
    expect(s.params.candidates).toBeUndefined();
    expect(resolveRun(db, { method: 'dtw' }).params).toEqual(s.params);
    // the shortlist (50) covers all 11 others: the same pairs as every pair with pool 3, band 0.25
    const every = await runSimilarity(db, { method: 'dtw', shortlist: 'all', pool: DTW_SHORTLIST.pool, band: DTW_SHORTLIST.band }, { k: 5, workers: 1 });
    const setOf = (p: Record<string, unknown>) => findSets(db, 'dtw').find((x) => x.paramsHash === hashOf(p))!.id;
    for (let t = 1; t <= 12; t++) expect(getNeighbours(db, setOf(s.params), t)!.nearest).toEqual(getNeighbours(db, setOf(every.params), t)!.nearest);
    const r = recommend(db, { trackId: 3 }, { method: 'dtw' }, { k: 3, least: 0, filters: { maxPopularity: 100, excludeSameArtist: false }, ratings: 'ignore' });
    expect(r.params).toEqual(s.params);
    expect(r.nearest.map((x) => x.trackId)).toEqual(getNeighbours(db, setOf(s.params), 3)!.nearest.slice(0, 3).map((x) => x.trackId));
    // a shortlist set has no full matrix: without the all-pairs set, the message names the option that makes one
    db.prepare('DELETE FROM sim_sets WHERE params_hash = ?').run(hashOf(plain.params));
    expect(() => denseMatrix(db, { method: 'dtw' })).toThrow('run "yasr similarity --method dtw --shortlist all" with the same parameters first');
    db.close();
  });
});
