/**
 * recommend's fast path for a stored track (the stored neighbour lists, only the listed tracks'
 * metadata: recommendFromStoredLists) gives exactly what the full path (whole catalogue loaded,
 * YASR_RECOMMEND_FULL=1) gives: same ranks, scores, reasons, candidates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db.js';
import { buildSyntheticCatalogue } from '../../benchmarks/pipeline/synthetic-catalogue.js';
import { runSimilarity } from '../../src/pipeline/similarity/run-similarity.js';
import { recommend, recommendFromPacks, recommendFromStoredLists, type RecommendFilters } from '../../src/pipeline/recommend.js';
import { rate } from '../../src/pipeline/ratings.js';
import { addLike } from '../../src/store/likes.js';
import type { SimilarityParams } from '../../src/pipeline/similarity/methods.js';
import { desc, vectorCatalogue, type HandTrack } from '../helpers/vector-catalogue.js';

let db: Db;
beforeAll(async () => {
  db = openDb(':memory:');
  buildSyntheticCatalogue(db, 40, { seed: 7 });
  for (const method of ['cosine', 'hybrid', 'timbre', 'dtw'] as const) await runSimilarity(db, { method }, { k: 8, workers: 1 });
}, 120_000);
afterAll(() => db?.close());

function both(trackId: number, p: SimilarityParams, a: Parameters<typeof recommend>[3]) {
  const prev = process.env.YASR_RECOMMEND_FULL;
  try {
    process.env.YASR_RECOMMEND_FULL = '1';
    const full = recommend(db, { trackId }, p, a);
    delete process.env.YASR_RECOMMEND_FULL;
    const fast = recommend(db, { trackId }, p, a);
    return { full, fast, direct: recommendFromStoredLists(db, trackId, p, a) };
  } finally {
    if (prev === undefined) delete process.env.YASR_RECOMMEND_FULL;
    else process.env.YASR_RECOMMEND_FULL = prev;
  }
}

const NONE: RecommendFilters = { maxPopularity: 100, excludeSameArtist: false };
const STRICT: RecommendFilters = { maxPopularity: 40, releasedAfter: '2025-06', excludeSameArtist: true };

describe('recommend: stored lists (fast path) = whole catalogue (full path)', () => {
  for (const method of ['cosine', 'hybrid', 'timbre', 'dtw'] as const) {
    for (const [fname, filters] of [['no filters', NONE], ['filters', STRICT], ['default filters', { maxPopularity: 70, excludeSameArtist: true }]] as const) {
      it(`${method}, ${fname}`, () => {
        for (const trackId of [1, 9, 23, 40]) {
          const { full, fast, direct } = both(trackId, { method }, { k: 5, least: 3, filters });
          expect(fast).toEqual(full);
          // cosine scores the whole catalogue: no fast path; the others take it
          if (method === 'cosine') expect(direct).toBeUndefined();
          else expect(direct).toEqual(full);
          expect(full.nearest.length).toBeGreaterThan(0);
        }
      });
    }
  }

  it('the reasons carry the timbre comparison, and a filter may leave fewer than k (as in the full path)', () => {
    const { full, fast } = both(3, { method: 'hybrid' }, { k: 8, least: 0, filters: { maxPopularity: 10, excludeSameArtist: true } });
    expect(fast).toEqual(full);
    const { full: f2 } = both(3, { method: 'hybrid' }, { k: 5, least: 0, filters: NONE });
    expect(f2.nearest.every((r) => /timbre \(nearer than \d+% of the catalogue\)/.test(r.reason))).toBe(true);
  });

  it("each reason states the method's own rank among the catalogue (nearest and least), whatever the method", () => {
    for (const method of ['cosine', 'hybrid', 'timbre', 'dtw'] as const) {
      const { full, fast } = both(3, { method }, { k: 5, least: 3, filters: NONE });
      expect(fast).toEqual(full);
      const of = 39; // the 40-track catalogue but the query
      full.nearest.forEach((r, i) => expect(r.reason.startsWith(`#${i + 1} of ${of} by ${method} (top `)).toBe(true));
      full.least.forEach((r, i) => expect(r.reason.startsWith(`#${of - i} of ${of} by ${method} (top `)).toBe(true));
    }
    // with filters the rank stays the method's rank in the whole catalogue, so it can exceed the list position
    const { full } = both(3, { method: 'hybrid' }, { k: 5, least: 0, filters: STRICT });
    const ranks = full.nearest.map((r) => Number(/^#(\d+) of/.exec(r.reason)![1]));
    ranks.forEach((rank, i) => expect(rank).toBeGreaterThanOrEqual(i + 1));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('ratings in force: the full path re-ranks (the fast path steps aside); liked files are left out either way', () => {
    addLike(db, 12, 'file');
    rate(db, { query: { trackId: 5 }, trackId: 6, value: 1, method: 'hybrid', rank: 1 });
    const a = { k: 5, least: 2, filters: NONE };
    const { full, fast, direct } = both(5, { method: 'hybrid' }, a);
    expect(direct).toBeUndefined();
    expect(fast).toEqual(full);
    expect(full.ratings).toBeDefined();
    // another query: the rating for query 5 still counts (x 0.3), so the full path runs too
    expect(both(7, { method: 'hybrid' }, a).direct).toBeUndefined();
    // --no-ratings: the fast path again, the liked file still left out
    const ign = both(7, { method: 'hybrid' }, { ...a, ratings: 'ignore' });
    expect(ign.direct).toEqual(ign.full);
    expect([...ign.full.nearest, ...ign.full.least].some((r) => r.trackId === 12)).toBe(false);
  });

  it('no stored set for these parameters: the full path says so (dtw) or scores on the fly (hybrid)', () => {
    expect(recommendFromStoredLists(db, 1, { method: 'dtw', pool: 4 }, { k: 5, least: 0, filters: NONE })).toBeUndefined();
    expect(() => recommend(db, { trackId: 1 }, { method: 'dtw', pool: 4 }, { k: 5, least: 0, filters: NONE })).toThrow(/no stored dtw neighbours/);
    expect(recommendFromStoredLists(db, 1, { method: 'hybrid', weights: [1, 0, 0] }, { k: 5, least: 0, filters: NONE })).toBeUndefined();
  });
});

/**
 * Rows of the features table that `fn` reads, and how many of them carry a matrix (the data
 * column), counted through every statement prepared on `db` meanwhile.
 */
function featureReads<T>(d: Db, fn: () => T): { result: T; rows: number; matrices: number } {
  const prepare = d.prepare;
  let rows = 0;
  let matrices = 0;
  d.prepare = ((sql: string) => {
    const st = prepare.call(d, sql);
    if (!/\bfeatures\b/.test(sql) || !/^\s*SELECT/i.test(sql)) return st;
    const count = (n: number) => {
      rows += n;
      if (/\bdata\b/.test(sql.split(/\bFROM\b/i)[0])) matrices += n;
    };
    const { all, get, iterate } = st;
    Object.assign(st, {
      all: (...a: unknown[]) => {
        const r = all.apply(st, a as []) as unknown[];
        count(r.length);
        return r;
      },
      get: (...a: unknown[]) => {
        const r = get.apply(st, a as []);
        count(r === undefined ? 0 : 1);
        return r;
      },
      iterate: (...a: unknown[]) => {
        const r = [...(iterate.apply(st, a as []) as Iterable<unknown>)];
        count(r.length);
        return r[Symbol.iterator]();
      },
    });
    return st;
  }) as typeof d.prepare;
  try {
    return { result: fn(), rows, matrices };
  } finally {
    d.prepare = prepare;
  }
}

describe('recommend from packs: cosine and features as the full path computes them', () => {
  let cdb: Db;
  beforeAll(async () => {
    cdb = openDb(':memory:');
    buildSyntheticCatalogue(cdb, 40, { seed: 11 });
    for (const method of ['cosine', 'hybrid'] as const) await runSimilarity(cdb, { method }, { k: 8, workers: 1 });
  }, 120_000);
  afterAll(() => cdb?.close());

  function bothOn(d: Db, trackId: number, p: SimilarityParams, a: Parameters<typeof recommend>[3]) {
    const prev = process.env.YASR_RECOMMEND_FULL;
    try {
      process.env.YASR_RECOMMEND_FULL = '1';
      const full = recommend(d, { trackId }, p, a);
      delete process.env.YASR_RECOMMEND_FULL;
      return { full, fast: recommend(d, { trackId }, p, a), direct: recommendFromPacks(d, trackId, p, a) };
    } finally {
      if (prev === undefined) delete process.env.YASR_RECOMMEND_FULL;
      else process.env.YASR_RECOMMEND_FULL = prev;
    }
  }
  const packKeys = () => cdb.prepare('SELECT key FROM packs').pluck().all() as string[];

  const variants: [string, SimilarityParams][] = [
    ['cosine (windows)', { method: 'cosine' }],
    ['cosine, summaries only', { method: 'cosine', windows: 'none' }],
    ['cosine, no standardisation', { method: 'cosine', standardize: 'none' }],
    ['features', { method: 'features' }],
    ['features, no standardisation', { method: 'features', standardize: 'none' }],
  ];
  for (const [name, p] of variants) {
    for (const [fname, filters] of [['no filters', NONE], ['filters', STRICT], ['default filters', { maxPopularity: 70, excludeSameArtist: true }]] as const) {
      it(`${name}, ${fname}: the same picks, scores, reasons and candidates`, () => {
        for (const trackId of [1, 9, 23, 40]) {
          for (const [k, least] of [[5, 3], [20, 0], [1, 12]]) {
            const { full, fast, direct } = bothOn(cdb, trackId, p, { k, least, filters });
            expect(direct).toBeDefined();
            expect(direct).toEqual(full);
            expect(fast).toEqual(full);
          }
        }
      });
    }
  }

  it("cosine with windows reads the query's stored lists while its result set is current, and scores the catalogue once it is not", async () => {
    const windowsPack = () => packKeys().some((k) => k.startsWith('feature:timbre_windows'));
    cdb.prepare('DELETE FROM packs').run();
    const a = { k: 5, least: 3, filters: NONE };
    const listed = featureReads(cdb, () => bothOn(cdb, 4, { method: 'cosine' }, a));
    expect(listed.result.direct).toEqual(listed.result.full);
    expect(windowsPack()).toBe(false);
    // more than the stored 8 nearest asked for: the whole catalogue is scored (from packs)
    const scored = bothOn(cdb, 4, { method: 'cosine' }, { ...a, k: 12 });
    expect(scored.direct).toEqual(scored.full);
    expect(windowsPack()).toBe(true);
    // a track analysed since the result set was made: it is out of date, the catalogue is scored
    buildSyntheticCatalogue(cdb, 1, { seed: 12 });
    expect(windowsPack()).toBe(false);
    const stale = bothOn(cdb, 4, { method: 'cosine' }, a);
    expect(stale.direct).toEqual(stale.full);
    expect(stale.full.nearest[0].reason).toMatch(/ of 40 by cosine/);
    expect(windowsPack()).toBe(true);
  });

  it('a stored-track recommend reads no matrix of the catalogue, only the listed tracks\' descriptors (once its packs are made)', () => {
    const a = { k: 5, least: 3, filters: NONE };
    recommend(cdb, { trackId: 7 }, { method: 'hybrid' }, a);
    const hybrid = featureReads(cdb, () => recommend(cdb, { trackId: 7 }, { method: 'hybrid' }, a));
    expect(hybrid.matrices).toBe(0);
    expect(hybrid.rows).toBeLessThanOrEqual(1 + 5 + 3);
    recommend(cdb, { trackId: 7 }, { method: 'features' }, a);
    const features = featureReads(cdb, () => recommend(cdb, { trackId: 7 }, { method: 'features' }, a));
    expect(features.matrices).toBe(0);
    expect(features.rows).toBeLessThanOrEqual(1 + 5 + 3);
    // the full path reads every track's vectors
    process.env.YASR_RECOMMEND_FULL = '1';
    try {
      expect(featureReads(cdb, () => recommend(cdb, { trackId: 7 }, { method: 'features' }, a)).matrices).toBeGreaterThanOrEqual(40);
    } finally {
      delete process.env.YASR_RECOMMEND_FULL;
    }
  });

  it('ratings in force, or a track without features: the full path', () => {
    rate(cdb, { query: { trackId: 2 }, trackId: 3, value: -1, method: 'cosine', rank: 1 });
    expect(recommendFromPacks(cdb, 2, { method: 'cosine' }, { k: 5, least: 0, filters: NONE })).toBeUndefined();
    expect(recommendFromPacks(cdb, 2, { method: 'cosine' }, { k: 5, least: 0, filters: NONE, ratings: 'ignore' })).toBeDefined();
    cdb.prepare("DELETE FROM checkpoints WHERE track_id = 5 AND stage = 'features'").run();
    expect(recommendFromPacks(cdb, 5, { method: 'features' }, { k: 5, least: 0, filters: NONE })).toBeUndefined();
    expect(() => recommend(cdb, { trackId: 5 }, { method: 'features' }, { k: 5, least: 0, filters: NONE })).toThrow(/track #5 has no features features yet/);
    expect(recommendFromPacks(cdb, 2, { method: 'hybrid' }, { k: 5, least: 0, filters: NONE, ratings: 'ignore' })).toBeUndefined();
  });
});


describe('recommend from packs: ties, zero vectors and filters decided per value, as the full path has them', () => {
  // query 1 by 'Émile Noir'; the same artist written otherwise (case, spaces, tabs: allowed()
  // trims and lower-cases, SQL does not); identical and zero vectors (ties, cosine 0 = -0 keys)
  const rows: HandTrack[] = [
    { artist: 'Émile Noir', title: 'q', v: [1, 0.5, 0], date: '2024-05-01', pop: 10 },
    { artist: 'émile noir', title: 'a', v: [1, 0.5, 0], date: '2024', pop: 20 },
    { artist: ' ÉMILE NOIR\t', title: 'b', v: [0.9, 0.5, 0.1], date: '2024-06', pop: null },
    { artist: 'Other', title: 'c', v: [1, 0.5, 0], date: null, pop: 71 },
    { artist: 'Other', title: 'd', v: [1, 0.5, 0], date: '2023-12-31', pop: 70 },
    { artist: 'Third', title: 'e', v: [0, 0, 0], date: '2024-06-15', pop: 5 },
    { artist: 'Third', title: 'f', v: [0, 0, 0], date: '2025', pop: 0 },
    { artist: '', title: 'g', v: [-1, -0.5, 0], date: '', pop: 100 },
    { artist: 'Ärger', title: 'h', v: [0.2, -1, 3], date: '2024-06-01', pop: 40 },
    { artist: 'ärger', title: 'i', v: [0.2, -1, 3], date: '2024-07', pop: 40 },
    { artist: 'Fourth', title: 'j', v: [-1, -0.5, 0], date: '2026-01-01', pop: null },
    { artist: 'Fifth', title: 'k', v: [3, 1, -2], date: '2024-06-30', pop: 69 },
  ].map((r, i) => ({ ...r, descriptors: desc({ tempo: [120, 120, 90, 120, 60, 0, 0, 150, 120, 120, 150, 100][i], key: i % 3 ? 'A' : 'C', loudness: -14 + (i % 4) }) }));
  let hdb: Db;
  beforeAll(() => {
    hdb = vectorCatalogue(rows);
  });
  afterAll(() => hdb?.close());

  const filterSets: RecommendFilters[] = [
    NONE,
    { maxPopularity: 70, excludeSameArtist: true },
    { maxPopularity: 40, excludeSameArtist: false, releasedAfter: '2024-06' },
    { maxPopularity: 100, excludeSameArtist: true, releasedAfter: '2024' },
    { maxPopularity: 0, excludeSameArtist: true },
    { maxPopularity: Number.NaN, excludeSameArtist: true, newDays: 400, today: new Date('2025-03-01T00:00:00Z') },
  ];
  for (const p of [{ method: 'cosine', windows: 'none' }, { method: 'cosine', windows: 'none', standardize: 'none' }, { method: 'features' }] as SimilarityParams[]) {
    it(`${JSON.stringify(p)}: every query, k, least and filter`, () => {
      for (const trackId of [1, 2, 6, 8, 12]) {
        for (const filters of filterSets) {
          for (const [k, least] of [[1, 0], [3, 2], [5, 5], [11, 11], [20, 3]]) {
            const prev = process.env.YASR_RECOMMEND_FULL;
            process.env.YASR_RECOMMEND_FULL = '1';
            const full = recommend(hdb, { trackId }, p, { k, least, filters });
            if (prev === undefined) delete process.env.YASR_RECOMMEND_FULL;
            else process.env.YASR_RECOMMEND_FULL = prev;
            const direct = recommendFromPacks(hdb, trackId, p, { k, least, filters });
            expect(direct).toBeDefined();
            expect(direct).toEqual(full);
          }
        }
      }
    });
  }

  it('tracks without a content hash: a query without one leaves out the others without one (null === null), as the full path does', () => {
    hdb.prepare('UPDATE tracks SET sha256 = NULL WHERE id IN (1, 7, 9)').run();
    try {
      for (const trackId of [1, 2]) {
        for (const p of [{ method: 'cosine', windows: 'none' }, { method: 'features' }] as SimilarityParams[]) {
          const a = { k: 20, least: 0, filters: NONE };
          process.env.YASR_RECOMMEND_FULL = '1';
          const full = recommend(hdb, { trackId }, p, a);
          delete process.env.YASR_RECOMMEND_FULL;
          expect(recommendFromPacks(hdb, trackId, p, a)).toEqual(full);
          expect(full.nearest.some((r) => r.trackId === 7)).toBe(trackId !== 1);
        }
      }
    } finally {
      for (const id of [1, 7, 9]) hdb.prepare('UPDATE tracks SET sha256 = ? WHERE id = ?').run(`sha-${id}`, id);
    }
  });

  it("the same artist however written is left out, as allowed() decides (a SQL lower() would keep 'ÉMILE')", () => {
    const r = recommendFromPacks(hdb, 1, { method: 'cosine', windows: 'none' }, { k: 20, least: 0, filters: { maxPopularity: 100, excludeSameArtist: true } })!;
    expect(r.nearest.map((x) => x.trackId).sort((x, y) => x - y)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // identical vectors: equal scores, ranked by id (tracks 4 and 5 tie with the query's own vector)
    expect(r.nearest.slice(0, 2).map((x) => [x.trackId, x.score])).toEqual([[4, r.nearest[0].score], [5, r.nearest[0].score]]);
  });
});
