/**
 * Single-Gaussian timbre models, symmetrised KL and mutual proximity against values worked out
 * independently of src/similarity/gaussian.ts: naive mean/covariance, the textbook directed KL
 * divergence of two multivariate normals (with its log-determinant terms, inverted by
 * Gauss-Jordan rather than Cholesky), hand-computed cases, the normal CDF by numerical
 * integration and mutual proximity by its definition on a small matrix.
 */
import { describe, expect, it } from 'vitest';
import {
  fitGaussian,
  gaussianLength,
  mpDistance,
  mutualProximityStats,
  normalCdf,
  prepareGaussians,
  skl,
} from '../../src/similarity/gaussian.js';
import { phi } from '../helpers/normal.js';

type Mat = number[][];

/** Inverse by Gauss-Jordan elimination with partial pivoting. */
function inverse(a: Mat): Mat {
  const d = a.length;
  const m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const v = m[c][c];
    for (let k = 0; k < 2 * d; k++) m[c][k] /= v;
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let k = 0; k < 2 * d; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row) => row.slice(d));
}

/** Determinant by elimination. */
function det(a: Mat): number {
  const m = a.map((r) => r.slice());
  const d = m.length;
  let out = 1;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (p !== c) {
      [m[c], m[p]] = [m[p], m[c]];
      out = -out;
    }
    out *= m[c][c];
    for (let r = c + 1; r < d; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k < d; k++) m[r][k] -= f * m[c][k];
    }
  }
  return out;
}

const mul = (a: Mat, b: Mat): Mat => a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
const trace = (a: Mat): number => a.reduce((s, row, i) => s + row[i], 0);
const quadForm = (v: number[], a: Mat): number => v.reduce((s, x, i) => s + x * a[i].reduce((t, y, j) => t + y * v[j], 0), 0);

/** Textbook KL(p || q) of two multivariate normals. */
function klDirected(mp: number[], Sp: Mat, mq: number[], Sq: Mat): number {
  const d = mp.length;
  const iq = inverse(Sq);
  const dm = mq.map((x, i) => x - mp[i]);
  return 0.5 * (trace(mul(iq, Sp)) + quadForm(dm, iq) - d + Math.log(det(Sq) / det(Sp)));
}

/**
 * The symmetrised divergence in skl's convention: the mean of the two directed divergences,
 * (KL(p||q) + KL(q||p)) / 2 (the log-determinants cancel). This is half of Mandel & Ellis's
 * KL_s = KL(p||q) + KL(q||p) (ISMIR 2005), i.e. 1/4 [tr + tr + quad] - d/2 as skl documents.
 */
function symKl(m1: number[], S1: Mat, m2: number[], S2: Mat): number {
  return (klDirected(m1, S1, m2, S2) + klDirected(m2, S2, m1, S1)) / 2;
}

/** Packed model (mean, then the upper triangle of the covariance row by row). */
/** The upper triangle of S row by row, off-diagonal values times `off`. */
const upper = (S: Mat, off: number): number[] => S.flatMap((row, a) => row.slice(a).map((x, k) => (k === 0 ? x : off * x)));

function pack(m: number[], S: Mat): Float32Array {
  const out = [...m];
  for (let a = 0; a < m.length; a++) for (let b = a; b < m.length; b++) out.push(S[a][b]);
  return Float32Array.from(out);
}

describe('gaussianLength', () => {
  it('is d means plus the d(d+1)/2 upper-triangle covariances', () => {
    expect(gaussianLength(1)).toBe(2);
    expect(gaussianLength(2)).toBe(5);
    expect(gaussianLength(3)).toBe(9);
    expect(gaussianLength(13)).toBe(13 + 91);
  });
});

describe('fitGaussian', () => {
  it('packs the mean, then the sample covariance (T - 1) with the ridge, by hand', () => {
    // [d = 2, T = 4]: rows x = 1 2 3 6 (mean 3), y = 2 0 1 1 (mean 1)
    // deviations x: -2 -1 0 3, y: 1 -1 0 0; cov xx = 14/3, yy = 2/3, xy = -1/3
    // ridge = 1e-3 * trace / d = 1e-3 * (16/3) / 2
    const g = fitGaussian([1, 2, 3, 6, 2, 0, 1, 1], 2, 4);
    const r = (1e-3 * 16) / 3 / 2;
    expect(g.length).toBe(5);
    const want = [3, 1, 14 / 3 + r, -1 / 3, 2 / 3 + r];
    want.forEach((v, i) => expect(g[i]).toBeCloseTo(v, 6));
  });

  it('matches a naive mean and covariance on a 3 x 6 matrix', () => {
    const d = 3;
    const T = 6;
    const rows = [
      [0.5, -1, 2, 3.5, 0, 1],
      [4, 4.5, 3, 5, 6, 2],
      [-2, 0, 1, -1, 3, 0.25],
    ];
    const mean = rows.map((r) => r.reduce((s, x) => s + x, 0) / T);
    const cov = rows.map((ra, a) => rows.map((rb, b) => ra.reduce((s, x, t) => s + (x - mean[a]) * (rb[t] - mean[b]), 0) / (T - 1)));
    const ridge = (1e-3 * trace(cov)) / d;
    const want = pack(mean, cov.map((row, a) => row.map((x, b) => x + (a === b ? ridge : 0))));
    const g = fitGaussian(rows.flat(), d, T);
    expect(g.length).toBe(gaussianLength(d));
    want.forEach((v, i) => expect(g[i]).toBeCloseTo(v, 5));
  });

  it('gives a constant signal the minimum ridge of 1e-6', () => {
    const g = fitGaussian([2, 2, 2, -1, -1, -1], 2, 3);
    expect(Array.from(g.slice(0, 2))).toEqual([2, -1]);
    expect(g[2]).toBeCloseTo(1e-6, 12);
    expect(g[3]).toBe(0);
    expect(g[4]).toBeCloseTo(1e-6, 12);
  });
});

describe('prepareGaussians', () => {
  it('unpacks the mean and symmetric covariance and inverts it', () => {
    const S: Mat = [
      [2, 0.5, 0],
      [0.5, 1, 0.25],
      [0, 0.25, 3],
    ];
    const g = prepareGaussians([pack([1, 0, -1], S)], 3);
    expect(Array.from(g.mean)).toEqual([1, 0, -1]);
    // upper triangles row by row; the inverse's off-diagonal values doubled
    expect(Array.from(g.packedCov)).toEqual(upper(S, 1));
    upper(inverse(S), 2).forEach((v, i) => expect(g.packedInv[i]).toBeCloseTo(v, 12));
  });

  it('falls back to a scaled identity (d / trace) for a covariance that is not positive definite', () => {
    const g = prepareGaussians([pack([0, 0], [[1, 2], [2, 1]])], 2);
    expect(Array.from(g.packedInv)).toEqual([1, 0, 1]); // d / trace = 2 / 2
  });

  it('a model after a degenerate one is inverted on its own (nothing carried over between models)', () => {
    const S: Mat = [
      [2, 0.5],
      [0.5, 1],
    ];
    const g = prepareGaussians([pack([0, 0], [[1, 2], [2, 1]]), pack([0, 0], S)], 2);
    upper(inverse(S), 2).forEach((v, i) => expect(g.packedInv[3 + i]).toBeCloseTo(v, 12));
  });
});

describe('skl (symmetrised KL divergence)', () => {
  it('1-D by hand: N(0, 1) and N(1, 4) -> (0.5 (ln 4 - 0.5) + 0.5 (4 - ln 4)) / 2 = 0.875', () => {
    const g = prepareGaussians([pack([0], [[1]]), pack([1], [[4]])], 1);
    expect(skl(g, 0, 1)).toBeCloseTo(0.875, 12);
    expect(skl(g, 0, 1)).toBeCloseTo(symKl([0], [[1]], [1], [[4]]), 12);
  });

  it('2-D by hand, means differing only in the second dimension', () => {
    // S1 = diag(1, 2), S2 = diag(2, 1), m2 - m1 = (0, 2):
    // tr(S1^-1 S2) = 2 + 1/2, tr(S2^-1 S1) = 1/2 + 2, quad = 4 (1/2 + 1) = 6
    // -> 1/4 (2.5 + 2.5 + 6) - 2/2 = 1.75
    const m1 = [0, 0];
    const S1: Mat = [[1, 0], [0, 2]];
    const m2 = [0, 2];
    const S2: Mat = [[2, 0], [0, 1]];
    const g = prepareGaussians([pack(m1, S1), pack(m2, S2)], 2);
    expect(skl(g, 0, 1)).toBeCloseTo(1.75, 12);
    expect(symKl(m1, S1, m2, S2)).toBeCloseTo(1.75, 12); // the convention, from the directed form
  });

  it('equals the closed form for full 3-D covariances, in both orders', () => {
    const m1 = [1, 0, -1];
    const S1: Mat = [
      [2, 0.5, 0],
      [0.5, 1, 0.25],
      [0, 0.25, 3],
    ];
    const m2 = [0, 2, 1];
    const S2: Mat = [
      [1, 0, 0.5],
      [0, 2, 0],
      [0.5, 0, 1.5],
    ];
    const m3 = [1, 0.5, -1]; // same covariance as 1: only the mean term
    const g = prepareGaussians([pack(m1, S1), pack(m2, S2), pack(m3, S1)], 3);
    const want12 = symKl(m1, S1, m2, S2);
    expect(want12).toBeGreaterThan(1);
    expect(skl(g, 0, 1)).toBeCloseTo(want12, 10);
    expect(skl(g, 1, 0)).toBeCloseTo(want12, 10);
    // equal covariances: 1/4 * 2 dm' S^-1 dm = dm' S^-1 dm / 2
    expect(skl(g, 0, 2)).toBeCloseTo(quadForm([0, 0.5, 0], inverse(S1)) / 2, 10);
    expect(skl(g, 0, 2)).toBeCloseTo(symKl(m1, S1, m3, S1), 10);
    expect(skl(g, 1, 2)).toBeCloseTo(symKl(m2, S2, m3, S1), 10);
    expect(skl(g, 1, 1)).toBeCloseTo(0, 12);
  });

  it('is 0 for identical models and positive when only the covariance differs', () => {
    const S: Mat = [[1, 0.3], [0.3, 2]];
    const g = prepareGaussians([pack([1, 2], S), pack([1, 2], S), pack([1, 2], [[3, 0.3], [0.3, 2]])], 2);
    expect(skl(g, 0, 1)).toBeCloseTo(0, 12);
    expect(skl(g, 0, 2)).toBeCloseTo(symKl([1, 2], S, [1, 2], [[3, 0.3], [0.3, 2]]), 7); // 0.3 is stored as float32
    expect(skl(g, 0, 2)).toBeGreaterThan(0.05);
  });

  it('scores an outside model (a set of one, q) as if it were in the set', () => {
    const m = [0.5, -1];
    const S: Mat = [[1.5, -0.25], [-0.25, 0.75]];
    const others = [pack([0, 0], [[1, 0], [0, 2]]), pack([2, 1], [[2, 0.5], [0.5, 1]])];
    const q = prepareGaussians([pack(m, S)], 2);
    const g = prepareGaussians(others, 2);
    expect(skl(g, 0, 0, q)).toBeCloseTo(symKl(m, S, [0, 0], [[1, 0], [0, 2]]), 12);
    expect(skl(g, 0, 1, q)).toBeCloseTo(symKl(m, S, [2, 1], [[2, 0.5], [0.5, 1]]), 12);
  });

  it('on models fitted by fitGaussian, equals the closed form of the naive fits', () => {
    const a = [
      [0, 1, 3, 2, 4, 1, 0, 2],
      [1, 1, 0, 2, 3, 2, 1, 0],
    ];
    const b = [
      [5, 4, 6, 7, 5, 6, 4, 5],
      [2, 3, 1, 0, 2, 4, 3, 1],
    ];
    const naive = (rows: number[][]) => {
      const T = rows[0].length;
      const mean = rows.map((r) => r.reduce((s, x) => s + x, 0) / T);
      const cov = rows.map((ra, i) => rows.map((rb, j) => ra.reduce((s, x, t) => s + (x - mean[i]) * (rb[t] - mean[j]), 0) / (T - 1)));
      const ridge = (1e-3 * trace(cov)) / rows.length;
      return { mean, cov: cov.map((row, i) => row.map((x, j) => x + (i === j ? ridge : 0))) };
    };
    const g = prepareGaussians([fitGaussian(a.flat(), 2, 8), fitGaussian(b.flat(), 2, 8)], 2);
    const na = naive(a);
    const nb = naive(b);
    const want = symKl(na.mean, na.cov, nb.mean, nb.cov);
    expect(skl(g, 0, 1) / want).toBeCloseTo(1, 5); // float32 storage of the models
  });
});

describe('normalCdf', () => {
  it('matches tabulated values of the standard normal CDF', () => {
    // |erf error| < 1.5e-7 -> |CDF error| < 7.5e-8
    const table: [number, number][] = [[0, 0.5], [1, 0.841344746], [-1, 0.158655254], [-1.96, 0.0249979], [1.96, 0.9750021], [2.5, 0.993790335], [-3, 0.001349898]];
    for (const [z, p] of table) expect(Math.abs(normalCdf(z) - p)).toBeLessThan(1e-7);
  });

  it('agrees with numerical integration of the density within the stated 1.5e-7 erf error', () => {
    for (let z = -5; z <= 5; z += 0.37) {
      expect(Math.abs(normalCdf(z) - phi(z))).toBeLessThan(7.5e-8);
      expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 12);
    }
  });
});

describe('mutual proximity', () => {
  // A symmetric 4 x 4 distance matrix. The diagonal is set to 100 so that a statistic that
  // counted the self-distance would be far off: mutual proximity fits each item's distances
  // to the others only.
  const D: Mat = [
    [100, 1, 2, 3],
    [1, 100, 4, 5],
    [2, 4, 100, 9],
    [3, 5, 9, 100],
  ];
  const n = 4;
  // by hand (population mean and std of each row's off-diagonal entries):
  // row 0: {1,2,3} mu 2, var 2/3; row 1: {1,4,5} mu 10/3, var 26/9;
  // row 2: {2,4,9} mu 5, var 26/3; row 3: {3,5,9} mu 17/3, var 56/9
  const mu = [2, 10 / 3, 5, 17 / 3];
  const sd = [Math.sqrt(2 / 3), Math.sqrt(26) / 3, Math.sqrt(26 / 3), Math.sqrt(56) / 3];

  it('fits each row by the mean and std of its distances to the others (self excluded)', () => {
    const s = mutualProximityStats((i) => D[i], n);
    for (let i = 0; i < n; i++) {
      expect(s.mu[i]).toBeCloseTo(mu[i], 12);
      expect(s.sd[i]).toBeCloseTo(sd[i], 12);
    }
  });

  it('skips non-finite distances and uses sd 1 for a row without spread', () => {
    const s = mutualProximityStats((i) => [[0, 2, NaN, 4], [2, 0, 3, 3], [NaN, 3, 0, 3], [4, 3, 3, 0]][i], 4);
    expect(s.mu[0]).toBeCloseTo(3, 12); // {2, 4}
    expect(s.sd[0]).toBeCloseTo(1, 12);
    expect(s.mu[2]).toBeCloseTo(3, 12); // {3, 3}: no spread
    expect(s.sd[2]).toBe(1);
  });

  it('mpDistance is 1 - P(X_i > d) P(X_j > d) under each item\'s normal fit, by hand', () => {
    // d at both means: 1 - 0.5 * 0.5
    expect(mpDistance(3, 3, 2, 3, 0.5)).toBeCloseTo(0.75, 7);
    // d one sd above i's mean and one sd below j's: 1 - (1 - Phi(1)) Phi(1)
    const p1 = 0.8413447460685429;
    expect(mpDistance(2, 1, 1, 4, 2)).toBeCloseTo(1 - (1 - p1) * p1, 7);
    // asymmetric statistics: d = 2 between rows 0 and 2 of D -> 1 - 0.5 * Phi(3 / sqrt(26/3))
    expect(mpDistance(2, mu[0], sd[0], mu[2], sd[2])).toBeCloseTo(0.5770448868667635, 7);
    expect(mpDistance(2, mu[2], sd[2], mu[0], sd[0])).toBeCloseTo(0.5770448868667635, 7);
  });

  it('gives the whole 4 x 4 matrix its definition, which reorders neighbours by the rows\' spreads', () => {
    const s = mutualProximityStats((i) => D[i], n);
    const byDefinition = (i: number, j: number) => 1 - (1 - phi((D[i][j] - mu[i]) / sd[i])) * (1 - phi((D[i][j] - mu[j]) / sd[j]));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const got = mpDistance(D[i][j], s.mu[i], s.sd[i], s.mu[j], s.sd[j]);
        expect(got).toBeCloseTo(byDefinition(i, j), 6);
        expect(got).toBeGreaterThan(0);
        expect(got).toBeLessThan(1);
      }
    }
    // Row 3's raw nearest is 0 (3 < 5), but MP makes 1 the nearer (0.9011 < 0.9054): 0 is a
    // "hub" whose other distances are all short, so 3 is not especially close from its side.
    const mp = (i: number, j: number) => mpDistance(D[i][j], s.mu[i], s.sd[i], s.mu[j], s.sd[j]);
    expect(D[3][0]).toBeLessThan(D[3][1]);
    expect(mp(3, 1)).toBeLessThan(mp(3, 0));
    expect(mp(3, 1)).toBeCloseTo(0.9011, 4);
    expect(mp(3, 0)).toBeCloseTo(0.9054, 4);
  });
});
