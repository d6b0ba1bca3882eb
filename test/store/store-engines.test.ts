/**
 * The store's functions on both engines: each engine's results are checked against values worked
 * out by hand, and the two engines' results against each other (timestamps left out).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { engineOf, openDb, type Db } from '../../src/store/db.js';
import { failedSources, findSameRecording, linkSource, recordSourceFailure, resolveTrack, trackDetails, trackIdsPassing, tracksByIds, distinctTrackValues, upsertTrack, allTracks, getTrack } from '../../src/store/tracks.js';
import { deleteFeatures, featureMap, featureMeta, featureRowsFor, getFeature, listFeatureNames, putFeature } from '../../src/store/features.js';
import { getCheckpoint, markStage, stageCounts, stageFailures } from '../../src/store/checkpoints.js';
import {
  addMembers, addPlan, countPairs, countPlan, deactivate, findSets, forEachPairDistance, getNeighbours, getOrCreateSet, getTrackStats, iterateBlocks,
  members, pendingBlocks, putBlock, putNeighbours, putPairs, putState, putTrackStats, setState,
} from '../../src/store/similarity.js';
import { annMembers, deleteAnnIndex, getAnnIndex, listAnnIndexes, putBuiltAnnIndex, updateAnnIndex } from '../../src/store/ann.js';
import { addLike, likedIds, listLikes, removeLike } from '../../src/store/likes.js';
import { finishRun, listRuns, startRun } from '../../src/store/runs.js';
import { catalogueCounts, catalogueSignature, countTracks, similaritySets } from '../../src/store/summary.js';
import { ENGINES, PG_SKIP, stopPg, warnSkip } from '../helpers/postgres.js';

const opened: Db[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});
afterAll(stopPg);
warnSkip();

const HOSTILE = `'); DROP TABLE tracks;--`;
const UNICODE = 'Sigur Rós — Hoppípolla ✓ 日本語 🎵 "quoted" \\ back\tslash';
const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Everything the scenario reads back, for comparing the engines. */
function scenario(db: Db): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const t = (i: number, over: Partial<Parameters<typeof upsertTrack>[1]> = {}) =>
    upsertTrack(db, { source: `/music/${i}.wav`, kind: 'file', sha256: `sha${i}`, localPath: `/music/${i}.wav`, size: 1000 + i, duration: 30 + i / 4, meta: {}, ...over });
  out.upserts = [
    t(1, { meta: { artist: 'Alpha', title: HOSTILE, releaseDate: '2020-01-01', popularity: 10 } }),
    t(2, { meta: { artist: 'Beta', title: UNICODE, releaseDate: '2021-06-01', popularity: 80 } }),
    t(3, { meta: { artist: 'alpha', title: 'Three', popularity: null } }),
    t(1, { meta: { artist: 'Ignored' } }), // same source, same content: unchanged
    t(1, { source: '/elsewhere/1.wav' }), // the same audio elsewhere: a duplicate
    t(3, { sha256: 'sha3b' }), // the file changed
  ];
  out.tracks = allTracks(db).map(({ addedAt, ...rest }) => (expect(addedAt).toMatch(TS), rest));
  out.hostileStill = countTracks(db);
  linkSource(db, { source: 'deezer:77', kind: 'catalogue', trackId: 2, meta: { album: 'Takk' }, extra: { isrc: 'IS123', isPreview: true, statedDuration: 200.5 }, sourceMeta: JSON.stringify({ id: 77 }) });
  recordSourceFailure(db, '/music/bad.mp3', 'file', 'no audio: "bad" file');
  out.failed = failedSources(db);
  const details = trackDetails(db, 2)!;
  out.details = { ...details, addedAt: undefined };
  out.sameRecording = [findSameRecording(db, { isrc: 'IS123', artist: '', title: '', duration: null }), findSameRecording(db, { isrc: null, artist: 'beta', title: UNICODE, duration: 200 })];
  out.resolved = [resolveTrack(db, `Alpha - ${HOSTILE}`).id, resolveTrack(db, '#3').id, resolveTrack(db, '/music/2.wav').id];
  out.byIds = [...tracksByIds(db, [3, 1, 99]).keys()].sort();
  out.distinctArtists = distinctTrackValues(db, 'artist').sort();
  out.passing = [
    trackIdsPassing(db, { maxPopularity: 50, artistsOut: [], datesIn: null, notSha256: null }),
    trackIdsPassing(db, { maxPopularity: 100, artistsOut: ['Beta'], datesIn: null, notSha256: 'sha1' }),
    trackIdsPassing(db, { maxPopularity: 100, artistsOut: [], datesIn: ['2021-06-01', null], notSha256: 'nothing' }),
  ];

  // features: float32 blobs round trip bit for bit
  const v = Float32Array.from([1.5, -0, Math.PI, 1e-30, -3.4e38, 7]);
  for (const id of [1, 2, 3]) putFeature(db, id, 'mfcc', { rows: 2, cols: 3, data: v.map((x) => x * id) }, 4, `h${id}`, { note: `n${id}` });
  putFeature(db, 1, 'chroma', { rows: 1, cols: 1, data: Float32Array.from([0.25]) }, 4, 'h');
  putFeature(db, 1, 'mfcc', { rows: 1, cols: 2, data: Float32Array.from([9, 8]) }, 5, 'h1b', null); // replaced
  const f = getFeature(db, 1, 'mfcc')!;
  out.feature = { ...f, data: [...f.data] };
  out.feature2 = [...getFeature(db, 2, 'mfcc')!.data];
  out.featureMeta = featureMeta(db, 3, 'mfcc');
  out.names = listFeatureNames(db, 1);
  out.map = [...featureMap(db, 'mfcc')].map(([id, r]) => [id, r.rows, r.cols, [...r.data]]).sort((a, b) => (a[0] as number) - (b[0] as number));
  out.subset = [...featureRowsFor(db, 'mfcc', [3, 2])].map(([id, r]) => [id, [...r.data]]).sort((a, b) => (a[0] as number) - (b[0] as number));
  deleteFeatures(db, 1, ['mfcc']);
  out.namesAfter = listFeatureNames(db, 1);

  // checkpoints: attempts count repeats of the same input (NULL input included)
  markStage(db, { trackId: 1, stage: 'features', paramsHash: 'p', inputSha: null, status: 'failed', error: 'boom' });
  markStage(db, { trackId: 1, stage: 'features', paramsHash: 'p', inputSha: null, status: 'failed', error: 'boom again' });
  markStage(db, { trackId: 2, stage: 'features', paramsHash: 'p', inputSha: 'sha2', status: 'done', ms: 12.5 });
  markStage(db, { trackId: 2, stage: 'other', paramsHash: 'p', inputSha: 'sha2', status: 'failed', error: 'x' });
  const cp = getCheckpoint(db, 1, 'features')!;
  out.checkpoint = { ...cp, finishedAt: undefined };
  out.stageCounts = stageCounts(db);
  out.failures = [stageFailures(db), stageFailures(db, 'other')];

  // similarity result sets
  const s1 = getOrCreateSet(db, 'dtw', 'ph', { band: 0.1 });
  const s1again = getOrCreateSet(db, 'dtw', 'ph', { band: 0.1 });
  const s2 = getOrCreateSet(db, 'cosine', 'ph2', {});
  out.sets = [s1.id === s1again.id, findSets(db).map((s) => s.method), findSets(db, 'cosine').map((s) => s.paramsHash)];
  addMembers(db, s1.id, [1, 2, 3].map((id, idx) => ({ idx, trackId: id, inputSha: `sha${id}`, active: true })));
  deactivate(db, s1.id, 2);
  out.members = members(db, s1.id);
  const plan = [{ i0: 0, i1: 2, j0: 0, j1: 2, diagonal: true }, { i0: 0, i1: 2, j0: 2, j1: 3, diagonal: false }];
  addPlan(db, s1.id, plan);
  addPlan(db, s1.id, plan); // OR IGNORE
  putBlock(db, s1.id, plan[0], Float32Array.from([0.5]), 3);
  putBlock(db, s1.id, plan[0], Float32Array.from([0.75]), 4); // replaced
  out.plan = [countPlan(db, s1.id), pendingBlocks(db, s1.id)];
  out.blocks = [...iterateBlocks(db, s1.id)].map((b) => ({ ...b, data: [...b.data] }));
  putPairs(db, s2.id, Int32Array.from([0, 1, 0, 2, 1, 2]), Float32Array.from([0.5, NaN, 2]));
  putPairs(db, s2.id, Int32Array.from([0, 1]), Float32Array.from([0.25])); // replaced
  const pairs: [number, number, number][] = [];
  forEachPairDistance(db, s2.id, (a, b, d) => pairs.push([a, b, d]));
  out.pairs = [countPairs(db, s2.id), pairs];
  putNeighbours(db, s2.id, new Map([[1, { nearest: [{ trackId: 2, score: 0.9 }], farthest: [{ trackId: 3, score: -0.1 }] }]]));
  out.neighbours = [getNeighbours(db, s2.id, 1), getNeighbours(db, s2.id, 2)];
  putState(db, s2.id, 'mh', 10);
  putState(db, s2.id, 'mh2', 20);
  out.state = setState(db, s2.id);
  putTrackStats(db, s2.id, new Map([[1, { mu: 0.5, sd: 0.125 }], [2, { mu: 1, sd: 2, parts: [1, 2, 3] }]]));
  out.stats = [...getTrackStats(db, s2.id)].sort((a, b) => a[0] - b[0]);
  out.simSets = similaritySets(db).map((s) => ({ ...s, finishedAt: s.finishedAt === null ? null : 'set' }));

  // ANN index rows: float64 blobs
  const mean = Float64Array.from([0.1, -2, 1e300]);
  const id1 = putBuiltAnnIndex(db, { vector: 'timbre', definition: 'd1', params: { m: 16 }, backend: 'exact', dim: 3, fitMean: mean, fitStd: mean.map((x) => x * 2), generation: 1 }, [{ trackId: 1, inputSha: 'a' }, { trackId: 2, inputSha: 'b' }]);
  updateAnnIndex(db, id1, { removed: [1], added: [{ trackId: 3, inputSha: 'c' }], churn: 2, generation: 2 });
  const ann = getAnnIndex(db, 'timbre')!;
  expect(ann.builtAt).toMatch(TS);
  out.ann = { ...ann, id: undefined, builtAt: undefined, updatedAt: undefined, fitMean: [...ann.fitMean], fitStd: [...ann.fitStd] };
  out.annMembers = [...annMembers(db, id1)].sort((a, b) => a[0] - b[0]);
  out.annList = listAnnIndexes(db).map((a) => a.vector);
  deleteAnnIndex(db, 'timbre');
  out.annGone = getAnnIndex(db, 'timbre') ?? null;

  // likes, runs, counts
  out.likes = [addLike(db, 2, 'track'), addLike(db, 2, 'file'), addLike(db, 1, 'file'), listLikes(db).map((l) => [l.trackId, l.via]).sort(), [...likedIds(db)].sort(), removeLike(db, 1), removeLike(db, 1)];
  const r1 = startRun(db, 'ingest');
  const r2 = startRun(db, 'features'); // the first is now interrupted
  finishRun(db, r2, 'ok', { n: 1 });
  out.runs = listRuns(db).map((r) => [r.id - r1, r.command, r.status, r.report]);
  out.counts = catalogueCounts(db);
  const sig = catalogueSignature(db);
  putFeature(db, 3, 'chroma', { rows: 1, cols: 1, data: Float32Array.from([1]) }, 4, 'h');
  out.signatureMoves = catalogueSignature(db) !== sig;
  out.track3 = getTrack(db, 3)?.sha256;
  return out;
}

describe.each(ENGINES)('store on $engine', ({ engine, skip, fresh }) => {
  it.skipIf(skip)('every store function gives the values worked out by hand', () => {
    const db = openDb(fresh());
    opened.push(db);
    expect(engineOf(db)).toBe(engine);
    const o = scenario(db);
    expect(o.upserts).toEqual([
      { id: 1, status: 'new' }, { id: 2, status: 'new' }, { id: 3, status: 'new' },
      { id: 1, status: 'unchanged' }, { id: 1, status: 'duplicate' }, { id: 3, status: 'changed' },
    ]);
    expect((o.tracks as { title: string }[]).map((t) => t.title)).toEqual([HOSTILE, UNICODE, 'Three']);
    expect(o.hostileStill).toBe(3);
    expect(o.failed).toEqual([{ source: '/music/bad.mp3', error: 'no audio: "bad" file' }]);
    expect(o.details).toMatchObject({ album: 'Takk', isrc: 'IS123', isPreview: true, statedDuration: 200.5, sources: [{ source: '/music/2.wav', kind: 'file', meta: null }, { source: 'deezer:77', kind: 'catalogue', meta: { id: 77 } }] });
    expect(o.sameRecording).toEqual([2, 2]);
    expect(o.resolved).toEqual([1, 3, 2]);
    expect(o.byIds).toEqual([1, 3]);
    expect(o.distinctArtists).toEqual(['Alpha', 'Beta', 'alpha']); // byte order: upper case first
    expect(o.passing).toEqual([[1, 3], [3], [2]]);
    expect(o.feature).toEqual({ name: 'mfcc', version: 5, paramsHash: 'h1b', rows: 1, cols: 2, data: [9, 8], meta: null });
    expect(o.feature2).toEqual([...Float32Array.from([1.5, -0, Math.PI, 1e-30, -3.4e38, 7].map((x) => x * 2))]);
    expect(Object.is((o.feature2 as number[])[1], -0)).toBe(true);
    expect(o.featureMeta).toEqual({ note: 'n3' });
    expect(o.names).toEqual(['chroma', 'mfcc']);
    expect(o.namesAfter).toEqual(['mfcc']);
    expect((o.map as unknown[][]).map((r) => r[0])).toEqual([1, 2, 3]);
    expect((o.subset as unknown[][]).map((r) => r[0])).toEqual([2, 3]);
    expect(o.checkpoint).toMatchObject({ trackId: 1, stage: 'features', status: 'failed', error: 'boom again', attempts: 2, inputSha: null });
    expect(o.stageCounts).toEqual([{ stage: 'features', done: 1, failed: 1 }, { stage: 'other', done: 0, failed: 1 }]);
    expect(o.failures).toEqual([
      [{ trackId: 1, stage: 'features', error: 'boom again', path: '/music/1.wav' }, { trackId: 2, stage: 'other', error: 'x', path: '/music/2.wav' }],
      [{ trackId: 2, stage: 'other', error: 'x', path: '/music/2.wav' }],
    ]);
    expect(o.sets).toEqual([true, ['cosine', 'dtw'], ['ph2']]);
    expect((o.members as { active: boolean }[]).map((m) => m.active)).toEqual([true, true, false]);
    expect(o.plan).toEqual([{ planned: 2, done: 1 }, [{ i0: 0, i1: 2, j0: 2, j1: 3, diagonal: false }]]);
    expect(o.blocks).toEqual([{ i0: 0, i1: 2, j0: 0, j1: 2, diagonal: true, data: [0.75] }]);
    expect(o.pairs).toEqual([3, [[0, 1, 0.25], [0, 2, NaN], [1, 2, 2]]]);
    expect(o.neighbours).toEqual([{ nearest: [{ trackId: 2, score: 0.9 }], farthest: [{ trackId: 3, score: -0.1 }] }, undefined]);
    expect(o.state).toEqual({ membersHash: 'mh2', k: 20 });
    expect(o.stats).toEqual([[1, { mu: 0.5, sd: 0.125 }], [2, { mu: 1, sd: 2, parts: [1, 2, 3] }]]);
    expect(o.ann).toMatchObject({ vector: 'timbre', churn: 2, generation: 2, fitted: 2, dim: 3, fitMean: [0.1, -2, 1e300], fitStd: [0.2, -4, 2e300], params: { m: 16 } });
    expect(o.annMembers).toEqual([[2, 'b'], [3, 'c']]);
    expect(o.annGone).toBeNull();
    expect(o.likes).toEqual([true, false, true, [[1, 'file'], [2, 'track']], [[1, 'file'], [2, 'track']], true, false]);
    expect(o.runs).toEqual([[1, 'features', 'ok', { n: 1 }], [0, 'ingest', 'interrupted', null]]);
    expect(o.counts).toEqual({ tracks: 3, analysed: 1, favourites: 1, similaritySets: [{ method: 'cosine', tracks: 1 }, { method: 'dtw', tracks: 0 }] });
    expect(o.signatureMoves).toBe(true);
    expect(o.track3).toBe('sha3b');
  });
});

describe.skipIf(PG_SKIP !== null)('SQLite and PostgreSQL agree', () => {
  it('the same scenario reads back the same on both engines', () => {
    const lite = openDb(':memory:');
    const pg = openDb(ENGINES[1].fresh());
    opened.push(lite, pg);
    expect(JSON.parse(JSON.stringify(scenario(pg)))).toEqual(JSON.parse(JSON.stringify(scenario(lite))));
  });

  it('a 5 MB blob, NUL bytes and all, round trips unchanged', () => {
    const pg = openDb(ENGINES[1].fresh());
    opened.push(pg);
    const n = (5 * 1024 * 1024) / 4;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i) * (i % 7 === 0 ? 0 : 1e3);
    pg.prepare('INSERT INTO tracks (sha256) VALUES (?)').run('big');
    putFeature(pg, 1, 'big', { rows: 1024, cols: n / 1024, data }, 1, 'h');
    const back = getFeature(pg, 1, 'big')!;
    expect(back.data.length).toBe(n);
    expect(Buffer.from(back.data.buffer).equals(Buffer.from(data.buffer))).toBe(true);
  });
});
