/**
 * The timbre method (symmetrised KL + mutual proximity) and the hybrid weighting on a tiny
 * catalogue whose expected distances are worked out here, independently of the code: the
 * symmetrised KL of diagonal Gaussians in closed form, mutual proximity by its definition
 * (normal CDF by numerical integration), cosine and Euclidean distances by hand.
 */
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/db.js';
import { putFeature } from '../../../src/store/features.js';
import { markStage } from '../../../src/store/checkpoints.js';
import { FEATURES_STAGE } from '../../../src/pipeline/features-stage.js';
import { FEATURES_VERSION } from '../../../src/pipeline/feature-options.js';
import { analysedTracks } from '../../../src/pipeline/similarity/catalogue.js';
import { cosineModel, featuresModel, hybridModel, sampleIndices } from '../../../src/pipeline/similarity/vector-model.js';
import { supervectorModel, timbreMethodModel, timbreModel } from '../../../src/pipeline/similarity/timbre-model.js';
import { denseMatrix } from '../../../src/pipeline/similarity/dense.js';
import { blocksModel } from '../../../src/pipeline/similarity/blocks-model.js';
import { phi } from '../../helpers/normal.js';
import { methodNamed } from '../../../src/pipeline/similarity/registry.js';
import { normalizeParams } from '../../../src/pipeline/similarity/methods.js';

interface Diag {
  m: number[];
  v: number[]; // diagonal covariance
}

/** Four tracks. Nearest to track 0: by timbre 1, by cosine 2, by descriptors 3. */
const GAUSS: Diag[] = [
  { m: [0, 0], v: [1, 1] },
  { m: [0.5, 0], v: [1, 1] },
  { m: [3, 1], v: [2, 1] },
  { m: [-2, 3], v: [1, 3] },
];
const SUMMARY = [
  [1, 0, 0],
  [0, 1, 0],
  [1, 0.5, 0],
  [0, 0, 1],
];
const DESC = [
  [0, 0],
  [5, 5],
  [4, 0],
  [1, 0],
];

/** GMM mean supervectors (timbre_sv): nearest to track 0 by cosine is track 1 too. */
const SV = [
  [1, 0.2, 0],
  [0.9, 0.4, 0.1],
  [0, 1, 0.3],
  [-0.2, 0.5, 1],
];

const packDiag = (g: Diag): Float32Array => Float32Array.from([...g.m, g.v[0], 0, g.v[1]]);

/** Block patterns (3,000 values) of track i: a seeded pseudo-random vector, one level per track. */
function blockVector(i: number): Float32Array {
  let s = 1000 + i;
  const v = new Float32Array(3000);
  for (let k = 0; k < v.length; k++) {
    s = (s * 16807) % 2147483647;
    v[k] = i + (2 * s) / 2147483647;
  }
  return v;
}

function catalogue(): Db {
  const db = openDb(':memory:');
  const ins = db.prepare('INSERT INTO tracks (sha256, local_path, artist, title) VALUES (?, ?, ?, ?)');
  for (let i = 0; i < GAUSS.length; i++) {
    const id = Number(ins.run(`sha-${i}`, `/x/${i}.wav`, `artist ${i}`, `title ${i}`).lastInsertRowid);
    putFeature(db, id, 'timbre_summary', { rows: 1, cols: 3, data: Float32Array.from(SUMMARY[i]) }, FEATURES_VERSION, 'h');
    putFeature(db, id, 'descriptors', { rows: 1, cols: 2, data: Float32Array.from(DESC[i]) }, FEATURES_VERSION, 'h');
    // the same models as the default Gaussians (TIMBRE_GAUSS, with deltas) and as the MFCCs' alone
    putFeature(db, id, 'timbre_gauss', { rows: 1, cols: 5, data: packDiag(GAUSS[i]) }, FEATURES_VERSION, 'h');
    putFeature(db, id, 'timbre_gauss_delta', { rows: 1, cols: 5, data: packDiag(GAUSS[i]) }, FEATURES_VERSION, 'h');
    putFeature(db, id, 'timbre_sv', { rows: 1, cols: 3, data: Float32Array.from(SV[i]) }, FEATURES_VERSION, 'h');
    putFeature(db, id, 'block_patterns', { rows: 1, cols: 3000, data: blockVector(i) }, FEATURES_VERSION, 'h');
    // 1 to 3 windows of the summary's length, each the summary turned a little
    const windows = Array.from({ length: 1 + (i % 3) }, (_, w) => SUMMARY[i].map((v, k) => v + 0.3 * Math.sin(7 * i + 3 * w + k))).flat();
    putFeature(db, id, 'timbre_windows', { rows: 1 + (i % 3), cols: 3, data: Float32Array.from(windows) }, FEATURES_VERSION, 'h');
    markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: 'h', inputSha: `in${i}`, status: 'done' });
  }
  return db;
}

/** Symmetrised KL (mean of the two directions) of diagonal Gaussians, in closed form. */
function sklDiag(a: Diag, b: Diag): number {
  let s = 0;
  for (let k = 0; k < a.m.length; k++) {
    const dm = a.m[k] - b.m[k];
    s += a.v[k] / b.v[k] + b.v[k] / a.v[k] + dm * dm * (1 / a.v[k] + 1 / b.v[k]);
  }
  return s / 4 - a.m.length / 2;
}

const meanSd = (xs: number[]) => {
  const mu = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mu, sd: Math.sqrt(xs.reduce((s, x) => s + (x - mu) ** 2, 0) / xs.length) };
};

/** Timbre distances by definition: log(1 + SKL), then mutual proximity over each row's others. */
function timbreExpected(gs: Diag[]) {
  const n = gs.length;
  const L = gs.map((a) => gs.map((b) => Math.log1p(sklDiag(a, b))));
  const st = L.map((row, i) => meanSd(row.filter((_, j) => j !== i)));
  const mp = (d: number, i: { mu: number; sd: number }, j: { mu: number; sd: number }) => 1 - (1 - phi((d - i.mu) / i.sd)) * (1 - phi((d - j.mu) / j.sd));
  const M = L.map((row, i) => row.map((d, j) => (i === j ? 0 : mp(d, st[i], st[j]))));
  /** An outside model: its statistics over all n catalogue distances. */
  const query = (q: Diag) => {
    const row = gs.map((b) => Math.log1p(sklDiag(q, b)));
    const s = meanSd(row);
    return row.map((d, j) => mp(d, s, st[j]));
  };
  return { L, M, query, n };
}

const cos = (a: number[], b: number[]) => {
  const dot = a.reduce((s, x, k) => s + x * b[k], 0);
  return dot / Math.hypot(...a) / Math.hypot(...b);
};

/** Supervector distances by definition: 1 - cosine, then mutual proximity over each row's others. */
function svExpected(vs: number[][]) {
  const L = vs.map((a) => vs.map((b) => 1 - cos(a, b)));
  const st = L.map((row, i) => meanSd(row.filter((_, j) => j !== i)));
  const mp = (d: number, i: { mu: number; sd: number }, j: { mu: number; sd: number }) => 1 - (1 - phi((d - i.mu) / i.sd)) * (1 - phi((d - j.mu) / j.sd));
  const M = L.map((row, i) => row.map((d, j) => (i === j ? 0 : mp(d, st[i], st[j]))));
  const query = (q: number[]) => {
    const row = vs.map((b) => 1 - cos(q, b));
    const s = meanSd(row);
    return row.map((d, j) => mp(d, s, st[j]));
  };
  return { L, M, st, query };
}


const euclidScaled = (a: number[], b: number[]) => Math.hypot(...a.map((x, k) => x - b[k])) / Math.sqrt(a.length);

/** The documented hybrid: w0 timbre + w1 (1 - cos) / 2 + w2 features distance. */
const hybridExpected = (w: number[], i: number, j: number) => {
  const t = timbreExpected(GAUSS).M[i][j];
  return w[0] * t + (w[1] * (1 - cos(SUMMARY[i], SUMMARY[j]))) / 2 + w[2] * euclidScaled(DESC[i], DESC[j]);
};

const nearest = (row: ArrayLike<number>, self: number) => {
  let best = -1;
  for (let j = 0; j < row.length; j++) if (j !== self && (best < 0 || row[j] < row[best])) best = j;
  return best;
};

describe('timbreModel', () => {
  const db = catalogue();
  const { entries } = analysedTracks(db, ['timbre_gauss_delta']);
  const want = timbreExpected(GAUSS);

  it('without mutual proximity: log(1 + symmetrised KL), by closed form', () => {
    const m = timbreModel(db, entries, false);
    // by hand: tracks 0 and 1 differ by 0.5 in one mean: SKL = 1/4 (2 + 2 + 0.25 * 2) - 1 = 0.125
    expect(m.row(0)[1]).toBeCloseTo(Math.log1p(0.125), 12);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(m.row(i)[j]).toBeCloseTo(want.L[i][j], 6);
  });

  it('with mutual proximity: the definition over each track\'s distances to the others', () => {
    const m = timbreModel(db, entries, true);
    for (let i = 0; i < 4; i++) {
      const row = m.row(i);
      expect(row[i]).toBe(0);
      for (let j = 0; j < 4; j++) if (j !== i) expect(row[j]).toBeCloseTo(want.M[i][j], 6);
    }
    const stats = m.trackStats!();
    const l0 = want.L[0].filter((_, j) => j !== 0);
    expect(stats.get(entries[0].trackId)!.mu).toBeCloseTo(meanSd(l0).mu, 6);
    expect(stats.get(entries[0].trackId)!.sd).toBeCloseTo(meanSd(l0).sd, 6);
  });

  it('scores an outside model by the same definition (its statistics over the whole catalogue)', () => {
    const q: Diag = { m: [0.25, 0.5], v: [1.5, 0.5] };
    const m = timbreModel(db, entries, true);
    const got = m.query([packDiag(q)]);
    want.query(q).forEach((v, j) => expect(got[j]).toBeCloseTo(v, 6));
  });
  it("reads the Gaussians the timbre method names: with deltas by default, the MFCCs' alone with deltas: false", () => {
    // a catalogue whose two stored Gaussians differ: the MFCCs' ones are the models in reverse order
    const d2 = catalogue();
    const ids = analysedTracks(d2, ['timbre_gauss_delta']).entries.map((e) => e.trackId);
    ids.forEach((id, i) => putFeature(d2, id, 'timbre_gauss', { rows: 1, cols: 5, data: packDiag(GAUSS[GAUSS.length - 1 - i]) }, FEATURES_VERSION, 'h'));
    const e2 = analysedTracks(d2, ['timbre_gauss_delta']).entries;
    const rev = timbreExpected([...GAUSS].reverse());
    const method = methodNamed('timbre');
    const withDeltas = method.kind === 'vector' && method.model(d2, normalizeParams({ method: 'timbre', mp: false }), e2);
    const without = method.kind === 'vector' && method.model(d2, normalizeParams({ method: 'timbre', mp: false, deltas: false }), e2);
    if (!withDeltas || !without) throw new Error('timbre is a vector method');
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        expect(withDeltas.row(i)[j]).toBeCloseTo(want.L[i][j], 6);
        expect(without.row(i)[j]).toBeCloseTo(rev.L[i][j], 6);
      }
    }
    d2.close();
  });
});

describe('supervectorModel and timbre --supervector', () => {
  const db = catalogue();
  const { entries } = analysedTracks(db, ['timbre_gauss_delta', 'timbre_sv']);
  const want = svExpected(SV);

  it('without mutual proximity: 1 - cosine, by hand', () => {
    const m = supervectorModel(db, entries, false);
    // tracks 0 and 2: (1, 0.2, 0) . (0, 1, 0.3) = 0.2
    expect(m.row(0)[2]).toBeCloseTo(1 - 0.2 / Math.sqrt(1.04) / Math.sqrt(1.09), 7);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) expect(m.row(i)[j]).toBeCloseTo(want.L[i][j], 7);
  });

  it('with mutual proximity: the definition, for rows, pairs and an outside supervector', () => {
    const m = supervectorModel(db, entries, true);
    for (let i = 0; i < 4; i++) {
      expect(m.row(i)[i]).toBe(0);
      for (let j = 0; j < 4; j++) if (j !== i) expect(m.row(i)[j]).toBeCloseTo(want.M[i][j], 6);
      expect(Array.from(m.pairs(i, [2, i, 0]))).toEqual([2, i, 0].map((j) => m.row(i)[j]));
    }
    const q = [0.5, 0.5, 0.2];
    const got = m.query([Float32Array.from(q)]);
    want.query(q).forEach((v, j) => expect(got[j]).toBeCloseTo(v, 6));
  });

  it('a zero supervector is at distance 1 from every track (cosine 0), never NaN', () => {
    const d2 = catalogue();
    const ids = analysedTracks(d2, ['timbre_sv']).entries.map((e) => e.trackId);
    putFeature(d2, ids[3], 'timbre_sv', { rows: 1, cols: 3, data: new Float32Array(3) }, FEATURES_VERSION, 'h');
    const e2 = analysedTracks(d2, ['timbre_sv']).entries;
    const raw = supervectorModel(d2, e2, false);
    expect(Array.from(raw.row(3))).toEqual([1, 1, 1, 0]);
    for (let i = 0; i < 4; i++) expect(supervectorModel(d2, e2, true).row(i).every(Number.isFinite)).toBe(true);
    d2.close();
  });

  it("timbre --supervector is the mean of the Gaussian's and the supervector's distances, each with mutual proximity; the default the Gaussian's", () => {
    const method = methodNamed('timbre');
    if (method.kind !== 'vector') throw new Error('timbre is a vector method');
    const sv = method.model(db, normalizeParams({ method: 'timbre', supervector: true }), entries);
    const def = method.model(db, normalizeParams({ method: 'timbre' }), entries);
    const g = timbreExpected(GAUSS);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        if (i === j) continue;
        expect(sv.row(i)[j]).toBeCloseTo(0.5 * (g.M[i][j] + want.M[i][j]), 6);
        expect(def.row(i)[j]).toBeCloseTo(g.M[i][j], 6);
      }
    }
    // an outside track gives [Gaussian, supervector]
    const q: Diag = { m: [0.25, 0.5], v: [1.5, 0.5] };
    const qv = [0.5, 0.5, 0.2];
    const got = sv.query(method.queryInputs(normalizeParams({ method: 'timbre', supervector: true }), { vectors: { timbre_gauss_delta: packDiag(q), timbre_sv: Float32Array.from(qv) } } as never));
    const tg = g.query(q);
    const tv = want.query(qv);
    for (let j = 0; j < 4; j++) expect(got[j]).toBeCloseTo(0.5 * (tg[j] + tv[j]), 6);
  });

  it('stored statistics (the Gaussian as mu and sd, the supervector as parts) give the same rows', () => {
    const p = { feature: 'timbre_gauss_delta', mp: true, supervector: true };
    const fresh = timbreMethodModel(db, entries, p);
    const stats = fresh.trackStats!();
    const v = supervectorModel(db, entries, true).trackStats!();
    for (const [id, s] of stats) expect(s.parts).toEqual([v.get(id)!.mu, v.get(id)!.sd]);
    const stored = timbreMethodModel(db, entries, p, undefined, stats);
    for (let i = 0; i < 4; i++) Array.from(fresh.row(i)).forEach((x, j) => expect(stored.row(i)[j]).toBeCloseTo(x, 6));
  });
});

describe('mutual proximity from a sample (the candidates path)', () => {
  const db = catalogue();
  const { entries } = analysedTracks(db, ['timbre_gauss_delta']);
  const want = timbreExpected(GAUSS);

  it('a seeded sample: distinct ascending indices, the same every time, all of them when not fewer', () => {
    const s = Array.from(sampleIndices(1000, 50));
    expect(s.length).toBe(50);
    expect(new Set(s).size).toBe(50);
    expect(s).toEqual([...s].sort((a, b) => a - b));
    expect(s.every((i) => i >= 0 && i < 1000)).toBe(true);
    expect(Array.from(sampleIndices(1000, 50))).toEqual(s);
    expect(Array.from(sampleIndices(4, 9))).toEqual([0, 1, 2, 3]);
  });

  it("each track's statistics over the sampled others only, then mutual proximity by its definition", () => {
    const sample = Array.from(sampleIndices(4, 2));
    const m = timbreModel(db, entries, true, undefined, undefined, { mpSample: 2 });
    const st = [0, 1, 2, 3].map((i) => meanSd(sample.filter((j) => j !== i).map((j) => want.L[i][j])));
    const stats = m.trackStats!();
    for (let i = 0; i < 4; i++) {
      expect(stats.get(entries[i].trackId)!.mu).toBeCloseTo(st[i].mu, 6);
      expect(stats.get(entries[i].trackId)!.sd).toBeCloseTo(st[i].sd || 1, 6);
    }
    const mp = (d: number, a: { mu: number; sd: number }, b: { mu: number; sd: number }) => 1 - (1 - phi((d - a.mu) / (a.sd || 1))) * (1 - phi((d - b.mu) / (b.sd || 1)));
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) expect(m.row(i)[j]).toBeCloseTo(mp(want.L[i][j], st[i], st[j]), 6);
    // a sample as large as the catalogue: the all-pairs statistics, to the bit
    const all = timbreModel(db, entries, true);
    const big = timbreModel(db, entries, true, undefined, undefined, { mpSample: 3 });
    for (let i = 0; i < 4; i++) expect(Array.from(big.row(i))).toEqual(Array.from(all.row(i)));
  });
});

describe('pairs(i, js): the row values of the listed tracks only', () => {
  const db = catalogue();
  const { entries } = analysedTracks(db, ['timbre_gauss_delta']);
  const models = {
    'cosine zscore': cosineModel(db, entries, 'timbre_summary', true),
    'cosine raw': cosineModel(db, entries, 'timbre_summary', false),
    'cosine with windows': cosineModel(db, entries, 'timbre_summary', true, undefined, 'timbre_windows'),
    features: featuresModel(db, entries, true),
    'timbre mp': timbreModel(db, entries, true),
    'timbre sampled mp': timbreModel(db, entries, true, undefined, undefined, { mpSample: 2 }),
    'timbre raw': timbreModel(db, entries, false),
    hybrid: hybridModel(db, entries, 'timbre_summary', true, [0.5, 0.25, 0.25]),
    'hybrid with blocks': hybridModel(db, entries, 'timbre_summary', true, [0.25, 0.25, 0.25, 0.25]),
    'hybrid with blocks, sampled statistics': hybridModel(db, entries, 'timbre_summary', true, [0.25, 0, 0.25, 0.5], undefined, undefined, { mpSample: 2 }),
  };
  it.each(Object.keys(models))('%s: the same bits as row(i)[j], in the order asked, self included', (name) => {
    const m = models[name as keyof typeof models];
    for (let i = 0; i < 4; i++) {
      const row = m.row(i);
      const js = [3, 0, 2, 1, i];
      expect(Array.from(m.pairs(i, js))).toEqual(js.map((j) => row[j]));
      expect(m.pairs(i, []).length).toBe(0);
    }
  });
});

describe('hybridModel', () => {
  const db = catalogue();
  const { entries } = analysedTracks(db, ['timbre_summary', 'descriptors', 'timbre_gauss_delta']);

  it('the three components order track 0\'s neighbours differently (the fixture works)', () => {
    expect(nearest(timbreModel(db, entries, true).row(0), 0)).toBe(1);
    expect(nearest(cosineModel(db, entries, 'timbre_summary', false).row(0).map((v) => -v), 0)).toBe(2);
    expect(nearest(featuresModel(db, entries, false).row(0), 0)).toBe(3);
  });

  it('lets each weight decide the nearest neighbour', () => {
    const nn = (w: [number, number, number]) => nearest(hybridModel(db, entries, 'timbre_summary', false, w).row(0), 0);
    expect(nn([1, 0, 0])).toBe(1);
    expect(nn([0, 1, 0])).toBe(2);
    expect(nn([0, 0, 1])).toBe(3);
  });

  it('equals w0 timbre + w1 (1 - cosine) / 2 + w2 features distance, computed independently', () => {
    for (const w of [[0.5, 0.25, 0.25], [0.2, 0.7, 0.1], [0.1, 0.3, 0.6]] as [number, number, number][]) {
      const m = hybridModel(db, entries, 'timbre_summary', false, w);
      for (let i = 0; i < 4; i++) {
        const row = m.row(i);
        for (let j = 0; j < 4; j++) if (j !== i) expect(row[j]).toBeCloseTo(hybridExpected(w, i, j), 6);
      }
    }
    // one entry by hand for the cosine and features parts: track 0 vs 2,
    // cos = 1 / sqrt(1.25), features = |(4, 0)| / sqrt(2)
    const m = hybridModel(db, entries, 'timbre_summary', false, [0, 0.5, 0.5]);
    expect(m.row(0)[2]).toBeCloseTo((0.5 * (1 - 1 / Math.sqrt(1.25))) / 2 + (0.5 * 4) / Math.sqrt(2), 6);
  });

  it('scores an outside track ([summary, descriptors, gaussian]) by the same formula', () => {
    const q: Diag = { m: [0.25, 0.5], v: [1.5, 0.5] };
    const qs = [0.5, 1, -0.5];
    const qd = [2, 1];
    const w: [number, number, number] = [0.5, 0.3, 0.2];
    const got = hybridModel(db, entries, 'timbre_summary', false, w).query([Float32Array.from(qs), Float32Array.from(qd), packDiag(q)]);
    const t = timbreExpected(GAUSS).query(q);
    for (let j = 0; j < 4; j++) {
      expect(got[j]).toBeCloseTo(w[0] * t[j] + (w[1] * (1 - cos(qs, SUMMARY[j]))) / 2 + w[2] * euclidScaled(qd, DESC[j]), 6);
    }
  });

  it('adds w3 times the blocks distance (equal pattern weights, DSN) as a fourth part', () => {
    const b = blocksModel(db, entries, [1, 1, 1, 1, 1, 1], 'dsn');
    for (const w of [[0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4], [0, 0, 0, 1]]) {
      const m = hybridModel(db, entries, 'timbre_summary', false, w);
      for (let i = 0; i < 4; i++) {
        const row = m.row(i);
        const br = b.row(i);
        for (let j = 0; j < 4; j++) if (j !== i) expect(row[j]).toBeCloseTo(hybridExpected([w[0], w[1], w[2]], i, j) + w[3] * br[j], 6);
      }
    }
    // a blocks weight of 0 is the three-part hybrid, to the bit
    const three = hybridModel(db, entries, 'timbre_summary', false, [0.5, 0.25, 0.25]);
    const four = hybridModel(db, entries, 'timbre_summary', false, [0.5, 0.25, 0.25, 0]);
    for (let i = 0; i < 4; i++) expect(Array.from(four.row(i))).toEqual(Array.from(three.row(i)));
  });

  it('keeps both parts statistics (timbre mu, sd; blocks parts); a model built on them agrees, for rows and an outside track', () => {
    const w = [0.25, 0, 0.25, 0.5];
    const fresh = hybridModel(db, entries, 'timbre_summary', false, w);
    const stats = fresh.trackStats!();
    const t = timbreModel(db, entries, true).trackStats!();
    const b = blocksModel(db, entries, [1, 1, 1, 1, 1, 1], 'dsn').trackStats!();
    expect(stats.size).toBe(4);
    for (const [id, s] of stats) {
      expect([s.mu, s.sd]).toEqual([t.get(id)!.mu, t.get(id)!.sd]);
      expect(s.parts).toEqual(b.get(id)!.parts);
    }
    const stored = hybridModel(db, entries, 'timbre_summary', false, w, undefined, stats);
    for (let i = 0; i < 4; i++) Array.from(fresh.row(i)).forEach((v, j) => expect(stored.row(i)[j]).toBeCloseTo(v, 6));
    const raw = [Float32Array.from([0.5, 1, -0.5]), Float32Array.from([2, 1]), packDiag({ m: [0.25, 0.5], v: [1.5, 0.5] }), blockVector(7)];
    const a = fresh.query(raw);
    const q = stored.query(raw);
    Array.from(a).forEach((v, j) => expect(q[j]).toBeCloseTo(v, 6));
    // without a blocks part there is nothing of blocks to keep
    for (const s of hybridModel(db, entries, 'timbre_summary', false, [0.5, 0.25, 0.25]).trackStats!().values()) expect(s.parts).toBeUndefined();
  });

  it('denseMatrix scales --weights to sum to 1 before mixing', () => {
    const m = denseMatrix(db, { method: 'hybrid', standardize: 'none', weights: [2, 1, 1] });
    expect(m.n).toBe(4);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        expect(m.data[i * 4 + j]).toBeCloseTo(i === j ? 0 : hybridExpected([0.5, 0.25, 0.25], i, j), 5);
      }
    }
  });
});

describe('featuresModel compares the descriptors as DESCRIPTOR_VIEW sees them', () => {
  it('level descriptors, the flatness and a tempo octave away count nothing; the rest counts, scaled by the 12 compared', () => {
    const db = openDb(':memory:');
    const ins = db.prepare('INSERT INTO tracks (sha256, local_path) VALUES (?, ?)');
    // DESCRIPTOR_VECTOR_NAMES order: tempo_log2 0 (confidence * log2(tempo / 120)), tempo_confidence 1,
    // loudness 5, energy 6, danceability 7, spectral_flatness 10
    const base = [0.5, 0.8, 0.3, 0.1, 1, 0.6, 0.7, 0.4, 0.2, 0.3, 0.1, 0.5, 0.4, 0.6];
    const louder = base.map((v, k) => (k === 5 ? v + 0.086 : k === 6 ? v + 0.2 : k === 10 ? v + 0.3 : v));
    const doubleTempo = base.map((v, k) => (k === 0 ? v + base[1] : v));
    const danceable = base.map((v, k) => (k === 7 ? v + 1 : v));
    [base, louder, doubleTempo, danceable].forEach((v, i) => {
      const id = Number(ins.run(`s${i}`, `/x/${i}.wav`).lastInsertRowid);
      putFeature(db, id, 'descriptors', { rows: 1, cols: 14, data: Float32Array.from(v) }, FEATURES_VERSION, 'h');
      markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: 'h', inputSha: `in${i}`, status: 'done' });
    });
    const { entries } = analysedTracks(db, ['descriptors']);
    const row = featuresModel(db, entries, false).row(0);
    expect(row[1]).toBe(0);
    expect(row[2]).toBeCloseTo(0, 6);
    expect(row[3]).toBeCloseTo(1 / Math.sqrt(12), 6);
    db.close();
  });
});
