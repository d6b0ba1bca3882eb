/**
 * The blocks model against a brute-force evaluation of its definition, written out here: per
 * pattern the L1 distance matrix, each row's mean and population standard deviation over the
 * other tracks, distance space normalisation (or one global z-score per pattern), the weighted
 * mean, the logistic function; an outside query's statistics over its n distances. Then the
 * statistics stored by `yasr similarity` and read back for a query.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/db.js';
import { putFeature } from '../../../src/store/features.js';
import { markStage } from '../../../src/store/checkpoints.js';
import { findSets, getTrackStats } from '../../../src/store/similarity.js';
import { FEATURES_STAGE } from '../../../src/pipeline/features-stage.js';
import { FEATURES_VERSION } from '../../../src/pipeline/feature-options.js';
import { analysedTracks } from '../../../src/pipeline/similarity/catalogue.js';
import { blocksModel } from '../../../src/pipeline/similarity/blocks-model.js';
import { runSimilarity, vectorModelFor } from '../../../src/pipeline/similarity/run-similarity.js';
import { normalizeParams, hashOf } from '../../../src/pipeline/similarity/methods.js';
import { denseMatrix } from '../../../src/pipeline/similarity/dense.js';
import { sampleIndices, type VectorModel } from '../../../src/pipeline/similarity/vector-model.js';
import { blockPatternLayout } from '../../../src/dsp/block-level.js';

const layout = blockPatternLayout();
const D = 3000;

/** Pattern vectors: track t's pattern p is a pseudo-random vector around a level of its own. */
function vectors(n: number, seed = 5): Float32Array[] {
  let s = seed;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return Array.from({ length: n }, () => {
    const v = new Float32Array(D);
    for (const p of layout) {
      const level = rnd() * 4;
      for (let k = 0; k < p.length; k++) v[p.offset + k] = level + rnd();
    }
    return v;
  });
}

function catalogue(vs: Float32Array[]): Db {
  const db = openDb(':memory:');
  const ins = db.prepare('INSERT INTO tracks (sha256, local_path, artist, title) VALUES (?, ?, ?, ?)');
  vs.forEach((v, i) => {
    const id = Number(ins.run(`sha-${i}`, `/x/${i}.wav`, `artist ${i}`, `title ${i}`).lastInsertRowid);
    putFeature(db, id, 'block_patterns', { rows: 1, cols: v.length, data: v }, FEATURES_VERSION, 'h');
    markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: 'h', inputSha: `in${i}`, status: 'done' });
  });
  return db;
}

/** The definition, brute force: distance of track i (or an outside vector) to every track. */
function brute(vs: Float32Array[], weights: number[], norm: 'dsn' | 'zscore', query: Float32Array | number, sample?: number[]): number[] {
  const n = vs.length;
  const dist = (a: Float32Array, b: Float32Array, p: number) => {
    let s = 0;
    for (let k = layout[p].offset; k < layout[p].offset + layout[p].length; k++) s += Math.abs(a[k] - b[k]);
    return s;
  };
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  const std = (x: number[]) => Math.sqrt(mean(x.map((v) => (v - mean(x)) ** 2)));
  const z = new Array(n).fill(0);
  const wSum = weights.reduce((a, b) => a + b, 0);
  layout.forEach((_, p) => {
    if (weights[p] === 0) return;
    const M = vs.map((a) => vs.map((b) => dist(a, b, p)));
    // a catalogue track's statistics: over its distances to the others (of the sample, when given)
    const others = (i: number) => M[i].filter((_, j) => j !== i && (!sample || sample.includes(j)));
    const q = typeof query === 'number' ? M[query] : vs.map((b) => dist(query, b, p));
    // an outside track's statistics: over its n distances; a catalogue track's: over the others
    const qStats = typeof query === 'number' ? others(query) : q;
    const all = M.flatMap((r, i) => r.filter((_, j) => j !== i));
    for (let j = 0; j < n; j++) {
      const zz =
        norm === 'dsn'
          ? ((q[j] - mean(qStats)) / std(qStats) + (q[j] - mean(others(j))) / std(others(j))) / 2
          : (q[j] - mean(all)) / std(all);
      z[j] += (weights[p] / wSum) * zz;
    }
  });
  return z.map((v, j) => (j === query ? 0 : 1 / (1 + Math.exp(-v))));
}

describe('blocks model', () => {
  const vs = vectors(6);
  const db = catalogue(vs);
  const entries = analysedTracks(db, ['block_patterns']).entries;

  it('scores every row as the definition does: DSN, equal weights', () => {
    const m = blocksModel(db, entries, [1, 1, 1, 1, 1, 1], 'dsn');
    expect(m.orientation).toBe('distance');
    for (let i = 0; i < vs.length; i++) {
      const want = brute(vs, [1, 1, 1, 1, 1, 1], 'dsn', i);
      Array.from(m.row(i)).forEach((v, j) => expect(v).toBeCloseTo(want[j], 6));
    }
  });

  it('with unequal weights (a zero weight leaves its pattern out) and the global z-score', () => {
    const w = [0, 2, 1, 3, 0, 1];
    for (const norm of ['dsn', 'zscore'] as const) {
      const m = blocksModel(db, entries, w, norm);
      for (let i = 0; i < vs.length; i++) {
        const want = brute(vs, w, norm, i);
        Array.from(m.row(i)).forEach((v, j) => expect(v).toBeCloseTo(want[j], 6));
      }
    }
  });

  /** Two models of the same tracks give the same bits: rows, listed pairs, a query, statistics. */
  const expectSameBits = (a: VectorModel, b: VectorModel) => {
    const q = vectors(1, 7)[0];
    for (let i = 0; i < vs.length; i++) {
      expect(Array.from(a.row(i))).toEqual(Array.from(b.row(i)));
      expect(Array.from(a.pairs(i, [4, 1]))).toEqual(Array.from(b.pairs(i, [4, 1])));
    }
    expect(Array.from(a.query([q]))).toEqual(Array.from(b.query([q])));
    expect([...a.trackStats!().values()]).toEqual([...b.trackStats!().values()]);
  };

  it('gives the same bits with the WebAssembly L1 kernel and in JavaScript (rows, pairs, sampled statistics, a query)', () => {
    for (const options of [{}, { mpSample: 3 }]) {
      expectSameBits(
        blocksModel(db, entries, [1, 2, 1, 1, 0, 1], 'dsn', undefined, undefined, options),
        blocksModel(db, entries, [1, 2, 1, 1, 0, 1], 'dsn', undefined, undefined, { ...options, kernel: 'js' }),
      );
    }
  });

  it('gives the same bits when threads compute the pairs (statistics, rows, pairs, a query)', () => {
    expectSameBits(
      blocksModel(db, entries, [1, 2, 1, 1, 0, 1], 'dsn', undefined, undefined, { threads: 3, threadsFrom: 0 }),
      blocksModel(db, entries, [1, 2, 1, 1, 0, 1], 'dsn'),
    );
  });

  it('scores listed pairs with the values of the row (both norms; distances from the pair cache, or computed when a sample leaves it out)', () => {
    for (const norm of ['dsn', 'zscore'] as const) {
      for (const options of [{}, { mpSample: 3 }]) {
        const m = blocksModel(db, entries, [1, 2, 1, 1, 1, 1], norm, undefined, undefined, options);
        for (let i = 0; i < vs.length; i++) {
          const js = [5, i, 0, 3, vs.length - 1];
          const r = m.row(i);
          expect(Array.from(m.pairs(i, js))).toEqual(js.map((j) => r[j]));
        }
      }
    }
  });

  it('gives each row the values of pairs() when rows are asked in any order (the pair cache read for several rows at once)', () => {
    const many = vectors(40, 9);
    const db40 = catalogue(many);
    const e40 = analysedTracks(db40, ['block_patterns']).entries;
    const all = Array.from({ length: 40 }, (_, j) => j);
    for (const norm of ['dsn', 'zscore'] as const) {
      const m = blocksModel(db40, e40, [1, 2, 1, 1, 1, 1], norm);
      for (const i of [3, 39, 0, 17, 16, 31, 5, 15, 32, 33, 1, 38, 20]) expect(Array.from(m.row(i)), `row ${i}`).toEqual(Array.from(m.pairs(i, all)));
    }
  });

  it('with a sample (candidate runs) takes each track statistics over its distances to the sampled tracks only', () => {
    const sample = Array.from(sampleIndices(vs.length, 3));
    expect(sample).toHaveLength(3);
    const m = blocksModel(db, entries, [1, 1, 1, 1, 1, 1], 'dsn', undefined, undefined, { mpSample: 3 });
    for (let i = 0; i < vs.length; i++) {
      const want = brute(vs, [1, 1, 1, 1, 1, 1], 'dsn', i, sample);
      Array.from(m.row(i)).forEach((v, j) => expect(v).toBeCloseTo(want[j], 6));
      const js = [0, 2, 4];
      Array.from(m.pairs(i, js)).forEach((v, q) => expect(v).toBeCloseTo(want[js[q]], 6));
    }
    // a sample as large as the others is no sample: the all-pairs statistics
    const all = blocksModel(db, entries, [1, 1, 1, 1, 1, 1], 'dsn', undefined, undefined, { mpSample: vs.length - 1 });
    const exact = blocksModel(db, entries, [1, 1, 1, 1, 1, 1], 'dsn');
    for (let i = 0; i < vs.length; i++) expect(Array.from(all.row(i))).toEqual(Array.from(exact.row(i)));
  });

  it('scores an outside vector with its own statistics over its distances to the catalogue', () => {
    const q = vectors(1, 99)[0];
    for (const norm of ['dsn', 'zscore'] as const) {
      const got = blocksModel(db, entries, [1, 2, 1, 1, 1, 1], norm).query([q]);
      const want = brute(vs, [1, 2, 1, 1, 1, 1], norm, q);
      Array.from(got).forEach((v, j) => expect(v).toBeCloseTo(want[j], 6));
    }
    // a catalogue track's own vector from outside: itself is the nearest, by far
    const self = blocksModel(db, entries, [1, 1, 1, 1, 1, 1], 'dsn').query([vs[2]]);
    expect(Array.from(self).indexOf(Math.min(...self))).toBe(2);
  });

  it('is symmetric with 0 on the diagonal, in (0, 1) elsewhere (the dense matrix of evaluate)', () => {
    const m = denseMatrix(db, { method: 'blocks' });
    const n = m.n;
    for (let i = 0; i < n; i++) {
      expect(m.data[i * n + i]).toBe(0);
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        expect(m.data[i * n + j]).toBeGreaterThan(0);
        expect(m.data[i * n + j]).toBeLessThan(1);
        expect(m.data[i * n + j]).toBeCloseTo(m.data[j * n + i], 6);
      }
    }
  });

  it('stores each pattern statistics with yasr similarity; a query model built on them needs no n^2 pass and agrees', async () => {
    const s = await runSimilarity(db, { method: 'blocks' }, { k: 3, workers: 1 });
    expect(s.tracks).toBe(6);
    const set = findSets(db, 'blocks').find((x) => x.paramsHash === hashOf(normalizeParams({ method: 'blocks' })))!;
    const stats = getTrackStats(db, set.id);
    expect(stats.size).toBe(6);
    for (const st of stats.values()) {
      expect(st.parts).toHaveLength(12);
      expect([st.mu, st.sd]).toEqual(st.parts!.slice(0, 2));
    }
    const fresh = blocksModel(db, entries, [1, 1, 1, 1, 1, 1], 'dsn');
    const stored = vectorModelFor(db, normalizeParams({ method: 'blocks' }), entries, undefined, stats);
    const q = vectors(1, 42)[0];
    const a = fresh.query([q]);
    const b = stored.query([q]);
    Array.from(a).forEach((v, j) => expect(b[j]).toBeCloseTo(v, 6));
    for (let i = 0; i < 6; i++) Array.from(fresh.row(i)).forEach((v, j) => expect(stored.row(i)[j]).toBeCloseTo(v, 6));
  });

  it('refuses a stored vector of another length with a message to analyse again', () => {
    const bad = catalogue([...vectors(2), new Float32Array(10)]);
    const e = analysedTracks(bad, ['block_patterns']).entries;
    expect(() => blocksModel(bad, e, [1, 1, 1, 1, 1, 1], 'dsn')).toThrow('track #3: block_patterns has 10 values, this yasr expects 3000; run yasr features again');
  });
});
