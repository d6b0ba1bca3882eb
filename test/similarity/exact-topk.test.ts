/**
 * The exact top-k against brute force: every float64 score worked out here pair by pair, then
 * sorted (highest first, ties by the smaller index; the farthest lowest first). The lists must be
 * identical, scores to the bit, on every backend that loads here and with either candidate scan
 * (SIMD or JavaScript): random data, exact ties, near-ties below float32 resolution, k >= n - 1,
 * n = 0, 1, 2, zero and non-finite rows, odd dimensions, and window matching.
 */
import { describe, expect, it } from 'vitest';
import { YasrError } from '../../src/errors.js';
import { BACKEND_NAMES, type BackendName } from '../../src/similarity/backends/backend.js';
import { backendStatus } from '../../src/similarity/backends/select.js';
import { cosineSimilarity, cosineTopK, standardize, windowMatchScores } from '../../src/similarity/cosine.js';
import { WINDOW_THREADS_FROM, unitRowsTopK, windowMatchTopK, windowScore, windowScorer, type TopKResult } from '../../src/similarity/exact-topk.js';
import { seededRandom } from '../../src/util/random.js';

const loaded = backendStatus().filter((s) => s.loaded).map((s) => s.name);
const skipped = BACKEND_NAMES.filter((n) => !loaded.includes(n));
if (skipped.length) console.log(`[yasr tests] exact top-k: backends ${skipped.join(', ')} do not load here and are not compared`);

/** The documented score arithmetic, written out again: x * (1 / sqrt(sum x^2)), then a dot product in index order. */
function unit64(x: ArrayLike<number>, dim: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length / dim; i++) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += x[i * dim + t] * x[i * dim + t];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let t = 0; t < dim; t++) out[i * dim + t] = x[i * dim + t] * inv;
  }
  return out;
}

interface Lists {
  index: number[][];
  score: number[][];
  farIndex: number[][];
  farScore: number[][];
}

/** Every pair scored by `score(i, j)`, sorted; non-finite scores and i itself left out. */
function brute(n: number, k: number, least: number, score: (i: number, j: number) => number): Lists {
  const out: Lists = { index: [], score: [], farIndex: [], farScore: [] };
  for (let i = 0; i < n; i++) {
    const all: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      const s = score(i, j);
      if (j !== i && Number.isFinite(s)) all.push([s, j]);
    }
    const near = [...all].sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k);
    const far = [...all].sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, least);
    const pad = (l: [number, number][], m: number) => [...l.map((x) => x[1]), ...Array<number>(m - l.length).fill(-1)];
    const padS = (l: [number, number][], m: number) => [...l.map((x) => x[0]), ...Array<number>(m - l.length).fill(NaN)];
    out.index.push(pad(near, k));
    out.score.push(padS(near, k));
    out.farIndex.push(pad(far, least));
    out.farScore.push(padS(far, least));
  }
  return out;
}

function bruteCosine(U: Float64Array, dim: number, k: number, least: number): Lists {
  return brute(U.length / dim, k, least, (i, j) => {
    let acc = 0;
    for (let t = 0; t < dim; t++) acc += U[i * dim + t] * U[j * dim + t];
    return acc;
  });
}

/** Rows of r as plain arrays; scores compared bit for bit (Object.is: NaN equals NaN). */
function expectLists(r: TopKResult, want: Lists, label: string): void {
  const rows = (a: ArrayLike<number>, k: number) => Array.from({ length: r.n }, (_, i) => Array.from(a).slice(i * k, i * k + k));
  expect(rows(r.index, r.k), `${label}: nearest`).toEqual(want.index);
  const bits = (xs: number[][], ys: number[][]) => xs.every((row, i) => row.every((x, q) => Object.is(x, ys[i][q])));
  expect(bits(rows(r.score, r.k), want.score), `${label}: nearest scores`).toBe(true);
  if (want.farIndex[0]?.length) {
    expect(r.farthest, label).toBeDefined();
    expect(rows(r.farthest!.index, r.farthest!.k), `${label}: farthest`).toEqual(want.farIndex);
    expect(bits(rows(r.farthest!.score, r.farthest!.k), want.farScore), `${label}: farthest scores`).toBe(true);
  }
}

/** Every loaded backend, with each candidate scan, and small blocks (many tiles) as well as its own. */
const VARIANTS = loaded.flatMap((backend) => [
  { backend, simdScan: true, blockSize: undefined as number | undefined },
  { backend, simdScan: false, blockSize: 7 },
  { backend, simdScan: true, blockSize: 16 },
]);

function checkAll(U: Float64Array, dim: number, k: number, least: number, label: string): TopKResult[] {
  const want = bruteCosine(U, dim, k, least);
  return VARIANTS.map((v) => {
    const r = unitRowsTopK(U, dim, { k, least, backend: v.backend as BackendName, simdScan: v.simdScan, blockSize: v.blockSize });
    expect(r.backend).toBe(v.backend);
    expectLists(r, want, `${label} [${v.backend}, ${v.simdScan ? 'simd' : 'js'} scan, block ${v.blockSize ?? 'default'}]`);
    return r;
  });
}

function randomRows(n: number, dim: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n * dim }, () => r() * 2 - 1);
}

describe('unitRowsTopK / cosineTopK against brute force', () => {
  it('random rows, blocks smaller than n, nearest and farthest', () => {
    const dim = 40;
    const U = unit64(randomRows(157, dim, 1), dim);
    checkAll(U, dim, 7, 3, 'random 157 x 40');
  });

  it('odd dimensions: 1, 3, 5, 67', () => {
    for (const dim of [1, 3, 5, 67]) checkAll(unit64(randomRows(41, dim, dim), dim), dim, 4, 2, `dim ${dim}`);
  });

  it('exact ties (duplicated rows) go to the smaller index', () => {
    const dim = 5;
    const base = randomRows(12, dim, 3);
    const r = seededRandom(4);
    // 12 distinct rows, each 1-4 times, shuffled
    const order: number[] = [];
    for (let b = 0; b < 12; b++) for (let c = 0; c <= (b % 4); c++) order.push(b);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const x = new Float64Array(order.length * dim);
    order.forEach((b, i) => x.set(base.subarray(b * dim, b * dim + dim), i * dim));
    const U = unit64(x, dim);
    const [res] = checkAll(U, dim, 6, 4, 'duplicates');
    // a duplicate's first neighbour is its twin at score 1 (the smaller index of its copies)
    const i = order.findIndex((b, p) => order.indexOf(b) !== p);
    expect(res.index[i * 6]).toBe(order.indexOf(order[i]));
  });

  it('near-ties closer than float32 can tell apart are ranked by their float64 scores', () => {
    // the last row q = e0; row j < n - 1: cosine c_j with q, the c_j 3e-9 apart (about 20 per
    // float32 step) in shuffled order, the 9 largest just above 0.5 (a float32) and within half a
    // float32 step of it, so their float32 scores all round to 0.5, below the float64 9th best; the
    // rest of each row nearly one direction, so the rows are each other's neighbours (~0.99) and
    // only q's own list decides which pairs (j, q) count
    const dim = 8;
    const n = 60;
    const r = seededRandom(6);
    const perm = Array.from({ length: n - 1 }, (_, j) => j);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const x = new Float64Array(n * dim);
    x[(n - 1) * dim] = 1;
    for (let j = 0; j < n - 1; j++) {
      const c = 0.5 + 2.9e-8 - (n - 2 - perm[j]) * 3e-9;
      const v = Array.from({ length: dim - 1 }, (_, t) => 1 + t + 0.05 * r());
      const norm = Math.hypot(...v);
      x[j * dim] = c;
      for (let t = 1; t < dim; t++) x[j * dim + t] = (v[t - 1] / norm) * Math.sqrt(1 - c * c);
    }
    const U = unit64(x, dim);
    // q's nearest: the 9 largest c_j, which float32 cannot tell apart from each other or the 10th
    const byC = Array.from({ length: n - 1 }, (_, j) => j).sort((p, q) => perm[q] - perm[p]);
    expect(byC.slice(0, 10).map((j) => Math.fround(U[j * dim]))).toEqual(Array(10).fill(0.5));
    const [res] = checkAll(U, dim, 9, 0, 'near-ties');
    expect(Array.from(res.index.subarray((n - 1) * 9))).toEqual(byC.slice(0, 9));
  });

  it('k >= n - 1 pads with -1 and NaN; n = 0, 1, 2', () => {
    const dim = 3;
    const U6 = unit64(randomRows(6, dim, 8), dim);
    checkAll(U6, dim, 5, 5, 'k = n - 1');
    const [r] = checkAll(U6, dim, 9, 7, 'k > n');
    expect(Array.from(r.index.subarray(0, 9)).filter((j) => j === -1)).toHaveLength(4);
    for (const n of [0, 1, 2]) {
      const res = checkAll(unit64(randomRows(n, dim, 9), dim), dim, 3, 2, `n = ${n}`);
      expect(res[0].index).toHaveLength(3 * n);
    }
    const two = unitRowsTopK(unit64(randomRows(2, dim, 9), dim), dim, { k: 3 });
    expect(Array.from(two.index)).toEqual([1, -1, -1, 0, -1, -1]);
    expect(two.score[0]).toBe(two.score[3]); // symmetric to the bit
  });

  it('zero rows score 0 with every other row (another zero row too); non-finite rows are left out', () => {
    const dim = 4;
    const x = randomRows(30, dim, 10);
    for (const z of [4, 11, 12]) x.fill(0, z * dim, z * dim + dim);
    x[20 * dim + 2] = NaN;
    x[21 * dim] = Infinity;
    const U = unit64(x, dim);
    const res = checkAll(U, dim, 30, 30, 'zero and non-finite rows');
    const r = res[0];
    // zero row 4: every listable other row at 0, by index (rows 20 and 21 are not listable)
    const listed = Array.from(r.index.subarray(4 * 30, 5 * 30)).filter((j) => j >= 0);
    expect(listed).toEqual(Array.from({ length: 30 }, (_, j) => j).filter((j) => j !== 4 && j !== 20 && j !== 21));
    expect(Array.from(r.score.subarray(4 * 30, 4 * 30 + 27)).every((s) => s === 0)).toBe(true);
    expect(Array.from(r.index.subarray(20 * 30, 21 * 30)).every((j) => j === -1)).toBe(true);
    expect(Array.from(r.index).includes(21)).toBe(false);
  });

  it('cosineTopK scores are float64 cosines (to 1e-12 of cosineSimilarity), z-scored on request', () => {
    const dim = 6;
    const x = randomRows(50, dim, 11).map((v) => v * 10 + 100);
    const r = cosineTopK(x, dim, { k: 3, standardize: true });
    const z = standardize(x, dim);
    const want = bruteCosine(unit64(z, dim), dim, 3, 0);
    expectLists(r, want, 'standardised');
    for (let i = 0; i < 50; i++) {
      const j = r.index[i * 3];
      expect(r.score[i * 3]).toBeCloseTo(cosineSimilarity(z.subarray(i * dim, i * dim + dim), z.subarray(j * dim, j * dim + dim)), 12);
    }
  });

  it('rejects bad options in one line', () => {
    const U = unit64(randomRows(4, 2, 1), 2);
    expect(() => unitRowsTopK(U, 2, { k: 0 })).toThrow('invalid k: 0 (expected a positive integer)');
    expect(() => unitRowsTopK(U, 2, { least: -1 })).toThrow(YasrError);
    expect(() => unitRowsTopK(U, 2, { blockSize: 0 })).toThrow(YasrError);
    expect(() => unitRowsTopK(U, 3)).toThrow('invalid vectors length: 8 (expected a multiple of dim=3)');
    expect(() => cosineTopK(U, 0)).toThrow(YasrError);
  });
});

describe('windowMatchTopK against windowMatchScores', () => {
  /** n tracks, track i with wins(i) windows, all rows unit length. */
  function catalogue(n: number, dim: number, wins: (i: number) => number, seed: number) {
    const C = unit64(randomRows(n, dim, seed), dim);
    const start = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) start[i + 1] = start[i] + wins(i);
    const W = unit64(randomRows(start[n], dim, seed + 1), dim);
    const owner = new Int32Array(start[n]);
    for (let i = 0; i < n; i++) owner.fill(i, start[i], start[i + 1]);
    return { C, W, start, owner };
  }

  function check(n: number, dim: number, wins: (i: number) => number, k: number, least: number, seed: number, nanWindows: number[] = []): TopKResult[] {
    const { C, W, start, owner } = catalogue(n, dim, wins, seed);
    for (const w of nanWindows) W.fill(NaN, w * dim, w * dim + dim);
    // the model's rows: windowMatchScores of each track's summary and windows
    const rows = Array.from({ length: n }, (_, i) => windowMatchScores(C.subarray(i * dim, i * dim + dim), W.subarray(start[i] * dim, start[i + 1] * dim), C, W, owner, dim));
    const want = brute(n, k, least, (i, j) => rows[i][j]);
    const scorer = windowScorer(C, W, start, dim);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        expect(Object.is(windowScore(C, W, start, dim, i, j), rows[i][j])).toBe(true);
        expect(Object.is(scorer(i, j), rows[i][j])).toBe(true);
      }
    }
    return VARIANTS.map((v) => {
      const r = windowMatchTopK(C, W, start, dim, { k, least, backend: v.backend as BackendName, simdScan: v.simdScan, blockSize: v.blockSize });
      expectLists(r, want, `windows [${v.backend}, ${v.simdScan ? 'simd' : 'js'} scan, block ${v.blockSize ?? 'default'}]`);
      return r;
    });
  }

  it('tracks with 0 to 5 windows, blocks smaller than n; a NaN window never counts', () => {
    check(53, 7, (i) => (i * 7) % 6, 5, 3, 20, [2, 17, 18]);
  });

  it('many windows per track (a chunk of windows per tile)', () => {
    check(12, 40, (i) => 30 + i, 4, 2, 21);
  });

  it('with each summary as its only window it is plain cosine', () => {
    const dim = 9;
    const C = unit64(randomRows(40, dim, 30), dim);
    const start = Int32Array.from({ length: 41 }, (_, i) => i);
    const a = windowMatchTopK(C, C, start, dim, { k: 6, least: 2 });
    const b = unitRowsTopK(C, dim, { k: 6, least: 2 });
    expect(Array.from(a.index)).toEqual(Array.from(b.index));
    expect(Array.from(a.score)).toEqual(Array.from(b.score));
    expect(Array.from(a.farthest!.index)).toEqual(Array.from(b.farthest!.index));
  });

  it('gives the same lists on three threads as on one (bands of rows shared out, lists merged; ties included)', () => {
    const n = WINDOW_THREADS_FROM + 37;
    const { C, W, start } = catalogue(n, 5, (i) => i % 4, 22);
    // exact ties: tracks 10 and 11 are copies of track 9, summary and windows
    for (const t of [10, 11]) {
      C.copyWithin(t * 5, 9 * 5, 10 * 5);
      W.copyWithin(start[t] * 5, start[9] * 5, start[9] * 5 + Math.min(start[t + 1] - start[t], start[10] - start[9]) * 5);
    }
    const one = windowMatchTopK(C, W, start, 5, { k: 5, least: 3, blockSize: 64 });
    const three = windowMatchTopK(C, W, start, 5, { k: 5, least: 3, blockSize: 64, threads: 3 });
    const same = (a: Float64Array | Int32Array, b: Float64Array | Int32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    expect(same(three.index, one.index)).toBe(true);
    expect(same(three.score, one.score)).toBe(true);
    expect(same(three.farthest!.index, one.farthest!.index)).toBe(true);
    expect(same(three.farthest!.score, one.farthest!.score)).toBe(true);
    expect(() => windowMatchTopK(C, W, start, 5, { threads: 0 })).toThrow('invalid threads: 0');
  });

  it('rejects inconsistent shapes', () => {
    const C = new Float64Array(6);
    expect(() => windowMatchTopK(C, new Float64Array(4), Int32Array.from([0, 1, 2, 3]), 2)).toThrow(YasrError);
    expect(() => windowMatchTopK(C, new Float64Array(4), Int32Array.from([0, 2, 1, 2]), 2)).toThrow('invalid start[2]: 1 (expected >= start[1] = 2)');
  });
});
