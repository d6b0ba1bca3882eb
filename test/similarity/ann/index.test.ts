/**
 * The ANN backends (src/similarity/ann/) against brute force on seeded random unit vectors: exact
 * on a tiny set, high recall on a few thousand clustered vectors; add, remove, save and load round
 * trips; bad values refused with one clear line. usearch is an optional dependency: where it does
 * not load its checks are skipped (and say so).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { annBackend, annBackendStatus, buildAnnIndex, type AnnBackend } from '../../../src/similarity/ann/index.js';
import { seededRandom } from '../../../src/util/random.js';

const dir = mkdtempSync(path.join(tmpdir(), 'yasr-ann-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const status = annBackendStatus();
const usearchLoads = status.find((s) => s.name === 'usearch')!.loaded;
if (!usearchLoads) console.warn(`usearch does not load here, its checks are skipped: ${status.find((s) => s.name === 'usearch')!.reason}`);
const BACKENDS = usearchLoads ? ['usearch', 'ivf'] : ['ivf'];

/** n unit vectors: around `clusters` seeded centres (spread `spread`), or uniform on the sphere. */
function vectors(n: number, dim: number, seed: number, clusters = 0, spread = 0.6): Float32Array {
  const r = seededRandom(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, g));
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = clusters ? centres[Math.floor(r() * clusters)] : null;
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const v = (c ? c[k] : 0) + (c ? spread : 1) * g();
      out[i * dim + k] = v;
      s += v * v;
    }
    for (let k = 0; k < dim; k++) out[i * dim + k] /= Math.sqrt(s);
  }
  return out;
}

/** Brute force: the k keys of highest inner product (float64 over the float32 values), ties to the smaller key. */
function bruteForce(x: Float32Array, keys: number[], dim: number, q: Float32Array, qo: number, k: number): number[] {
  const s = keys.map((key, i) => {
    let d = 0;
    for (let t = 0; t < dim; t++) d += x[i * dim + t] * q[qo + t];
    return [d, key] as [number, number];
  });
  s.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  return s.slice(0, k).map((e) => e[1]);
}

function rowKeys(m: { k: number; keys: Float64Array }, q: number): number[] {
  return Array.from(m.keys.subarray(q * m.k, (q + 1) * m.k)).filter((x) => x >= 0);
}

describe.each(BACKENDS)('ANN backend %s', (name) => {
  const b: AnnBackend = annBackend(name);

  it('is exact on a tiny set: every query finds the brute-force top 5 in order, scores are the inner products', () => {
    const dim = 8;
    const n = 50;
    const x = vectors(n, dim, 3);
    const keys = Array.from({ length: n }, (_, i) => 1000 + 7 * i);
    const idx = buildAnnIndex(b, dim, keys, x);
    expect(idx.size()).toBe(n);
    const m = idx.search(x, 5);
    for (let q = 0; q < n; q++) {
      expect(rowKeys(m, q)).toEqual(bruteForce(x, keys, dim, x, q * dim, 5));
      // the first is the item itself, inner product 1
      expect(m.scores[q * 5]).toBeCloseTo(1, 5);
      const j = keys.indexOf(m.keys[q * 5 + 1]);
      let d = 0;
      for (let t = 0; t < dim; t++) d += x[q * dim + t] * x[j * dim + t];
      expect(m.scores[q * 5 + 1]).toBeCloseTo(d, 5);
    }
    // k above the size: the rest is padded with -1 and NaN
    const all = idx.search(x.subarray(0, dim), n + 3);
    expect(rowKeys(all, 0)).toEqual(bruteForce(x, keys, dim, x, 0, n));
    expect(Array.from(all.keys.subarray(n))).toEqual([-1, -1, -1]);
    expect(Number.isNaN(all.scores[n])).toBe(true);
  });

  it('finds at least 95 % of the brute-force top 10 among 3,000 clustered vectors of 40 values', () => {
    const dim = 40;
    const n = 3000;
    const x = vectors(n, dim, 11, 60);
    const keys = Array.from({ length: n }, (_, i) => i);
    const idx = buildAnnIndex(b, dim, keys, x);
    const queries = 200;
    const m = idx.search(x.subarray(0, queries * dim), 10);
    let hit = 0;
    for (let q = 0; q < queries; q++) {
      const want = new Set(bruteForce(x, keys, dim, x, q * dim, 10));
      hit += rowKeys(m, q).filter((key) => want.has(key)).length;
    }
    expect(hit / (queries * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('add, remove and add again: removed keys are never found, a re-added key has its new vector', () => {
    const dim = 6;
    const x = vectors(40, dim, 5);
    const keys = Array.from({ length: 30 }, (_, i) => i + 1);
    const idx = buildAnnIndex(b, dim, keys, x.subarray(0, 30 * dim));
    idx.add([31, 32, 33, 34, 35, 36, 37, 38, 39, 40], x.subarray(30 * dim));
    expect(idx.size()).toBe(40);
    expect(idx.remove([3, 7, 7, 99])).toBe(2);
    expect(idx.size()).toBe(38);
    expect(idx.has(3)).toBe(false);
    expect(idx.has(4)).toBe(true);
    const live = Array.from({ length: 40 }, (_, i) => i + 1).filter((k) => k !== 3 && k !== 7);
    const liveX = new Float32Array(live.length * dim);
    live.forEach((k, i) => liveX.set(x.subarray((k - 1) * dim, k * dim), i * dim));
    const m = idx.search(x, 39);
    for (let q = 0; q < 40; q++) {
      expect(rowKeys(m, q)).toEqual(bruteForce(liveX, live, dim, x, q * dim, 38));
    }
    // key 3 comes back with track 8's vector (a re-analysed track)
    idx.add([3], x.subarray(7 * dim, 8 * dim));
    const again = idx.search(x.subarray(7 * dim, 8 * dim), 2);
    expect(new Set(rowKeys(again, 0))).toEqual(new Set([3, 8]));
    expect(() => idx.add([4], x.subarray(0, dim))).toThrow('ANN key 4 is already in the index');
  });

  it('save and load: the loaded index answers every query as the saved one did', () => {
    const dim = 12;
    const n = 400;
    const x = vectors(n, dim, 9, 10);
    const keys = Array.from({ length: n }, (_, i) => 5 * i);
    const idx = buildAnnIndex(b, dim, keys, x);
    idx.remove([0, 5, 10]);
    const file = path.join(dir, `${name}.index`);
    idx.save(file);
    const back = b.load(file, dim);
    expect(back.size()).toBe(n - 3);
    expect(back.has(5)).toBe(false);
    const a = idx.search(x, 8);
    const c = back.search(x, 8);
    expect(Array.from(c.keys)).toEqual(Array.from(a.keys));
    expect(Array.from(c.scores)).toEqual(Array.from(a.scores));
    // the loaded index takes more items
    back.add([5], x.subarray(dim, 2 * dim));
    expect(rowKeys(back.search(x.subarray(dim, 2 * dim), 1), 0)).toEqual([5]);
  });

  it('refuses bad values with one clear line; a file that is not an index does not load', () => {
    const idx = b.create(4);
    expect(idx.search(new Float32Array(4), 3).keys).toEqual(Float64Array.of(-1, -1, -1));
    expect(() => idx.add([1], new Float32Array(3))).toThrow('invalid ANN vectors: 3 (expected 1 keys x 4 values)');
    expect(() => idx.add([-1], new Float32Array(4))).toThrow('invalid ANN key: -1 (expected a non-negative integer)');
    expect(() => idx.add([1.5], new Float32Array(4))).toThrow('invalid ANN key: 1.5');
    expect(() => idx.search(new Float32Array(4), 0)).toThrow('invalid k: 0 (expected a positive integer)');
    expect(() => idx.search(new Float32Array(5), 1)).toThrow('invalid ANN queries: 5 (expected a multiple of dim=4)');
    const junk = path.join(dir, `${name}-junk.index`);
    writeFileSync(junk, 'not an index at all');
    expect(() => b.load(junk, 4)).toThrow();
    expect(() => b.load(path.join(dir, 'missing.index'), 4)).toThrow();
    // a saved index of another dimension
    const other = buildAnnIndex(b, 3, [1, 2], Float32Array.of(1, 0, 0, 0, 1, 0));
    const f3 = path.join(dir, `${name}-3.index`);
    other.save(f3);
    expect(() => b.load(f3, 4)).toThrow();
  });
});

describe('annBackend', () => {
  it('names the backends; a bad name is one clear line', () => {
    expect(annBackend('ivf').name).toBe('ivf');
    expect(() => annBackend('faiss')).toThrow('invalid ANN backend: "faiss" (expected one of usearch, ivf or auto)');
    const before = process.env.YASR_ANN_BACKEND;
    try {
      process.env.YASR_ANN_BACKEND = 'nope';
      expect(() => annBackend()).toThrow('invalid YASR_ANN_BACKEND: "nope"');
      process.env.YASR_ANN_BACKEND = 'ivf';
      expect(annBackend().name).toBe('ivf');
      delete process.env.YASR_ANN_BACKEND;
      expect(annBackend().name).toBe(usearchLoads ? 'usearch' : 'ivf');
    } finally {
      if (before === undefined) delete process.env.YASR_ANN_BACKEND;
      else process.env.YASR_ANN_BACKEND = before;
    }
  });
});
