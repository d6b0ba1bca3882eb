/**
 * Single-Gaussian timbre models (Mandel & Ellis 2005; Musly's idea): each track's MFCC frames
 * summarised by their mean and full covariance, compared by the symmetrised Kullback-Leibler
 * divergence. Optionally normalised by mutual proximity (Schnitzer et al. 2012), which removes
 * much of the "hub" effect of such distance spaces.
 */
import { badParameter } from '../errors.js';

/** Packed model: mean (d) then the upper triangle of the covariance, row by row (d(d+1)/2). */
export function gaussianLength(d: number): number {
  return d + (d * (d + 1)) / 2;
}

/**
 * Fit a Gaussian to a feature matrix in librosa layout [d, T] (row-major). A small ridge
 * (1e-3 of the mean variance, at least 1e-6) keeps the covariance invertible for constant
 * or very short signals.
 */
export function fitGaussian(data: ArrayLike<number>, d: number, T: number): Float32Array {
  if (!Number.isInteger(d) || d < 1) throw badParameter('d', d, 'a positive integer');
  const out = new Float32Array(gaussianLength(d));
  const mean = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    let s = 0;
    for (let t = 0; t < T; t++) s += data[k * T + t];
    mean[k] = T ? s / T : 0;
  }
  const cov = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += (data[a * T + t] - mean[a]) * (data[b * T + t] - mean[b]);
      cov[a * d + b] = cov[b * d + a] = T > 1 ? s / (T - 1) : 0;
    }
  }
  let tr = 0;
  for (let a = 0; a < d; a++) tr += cov[a * d + a];
  const ridge = Math.max(1e-6, (1e-3 * tr) / d);
  out.set(mean, 0);
  let p = d;
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) out[p++] = cov[a * d + b] + (a === b ? ridge : 0);
  return out;
}

/**
 * n Gaussians as skl reads them: the means, and the covariances and their inverses as upper
 * triangles (symmetric matrices: half the memory of full d x d ones, 2 x 3.4 KB a model at d = 20).
 */
export interface GaussianSet {
  n: number;
  d: number;
  mean: Float64Array; // n * d
  /** Upper triangles, row by row (d(d+1)/2 per model): the covariance as it is... */
  packedCov: Float64Array;
  /** ...and the inverse with its off-diagonal values doubled, so that tr(A B) of symmetric A, B is one dot product of the two. */
  packedInv: Float64Array;
}

/** What skl reads of a set: the means and the packed triangles (all a worker thread is sent). */
export type SklModels = Pick<GaussianSet, 'n' | 'd' | 'mean' | 'packedCov' | 'packedInv'>;

/** Unpack n models (each gaussianLength(d) values) and invert their covariances. */
export function prepareGaussians(models: Float32Array[], d: number): GaussianSet {
  const n = models.length;
  const mean = new Float64Array(n * d);
  const np = (d * (d + 1)) / 2;
  const packedCov = new Float64Array(n * np);
  const packedInv = new Float64Array(n * np);
  // one model's full covariance and inverse at a time
  const c = new Float64Array(d * d);
  const v = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const m = models[i];
    for (let k = 0; k < d; k++) mean[i * d + k] = m[k];
    let p = d;
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) c[a * d + b] = c[b * d + a] = m[p++];
    invertSpd(c, d, v);
    for (let a = 0, q = i * np; a < d; a++) {
      for (let b = a; b < d; b++, q++) {
        packedCov[q] = c[a * d + b];
        packedInv[q] = a === b ? v[a * d + b] : 2 * v[a * d + b];
      }
    }
  }
  return { n, d, mean, packedCov, packedInv };
}

/** Inverse of a symmetric positive definite matrix by Cholesky; falls back to a scaled identity. */
function invertSpd(a: Float64Array, d: number, out: Float64Array): void {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) {
        if (!(s > 0)) {
          let tr = 0;
          for (let q = 0; q < d; q++) tr += a[q * d + q];
          out.fill(0);
          for (let q = 0; q < d; q++) out[q * d + q] = d / (tr || 1);
          return;
        }
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j];
    }
  }
  // inverse of L (lower), then out = L^-T L^-1
  const Li = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    Li[i * d + i] = 1 / L[i * d + i];
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= L[i * d + k] * Li[k * d + j];
      Li[i * d + j] = s / L[i * d + i];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < d; k++) s += Li[k * d + i] * Li[k * d + j];
      out[i * d + j] = out[j * d + i] = s;
    }
  }
}

/**
 * Symmetrised KL divergence between models i and j (>= 0, 0 for identical models):
 * 1/4 [tr(Si^-1 Sj) + tr(Sj^-1 Si) + (mi - mj)' (Si^-1 + Sj^-1) (mi - mj)] - d/2.
 * With `q` (a set of one model), model i is q's model 0 instead of g's model i.
 *
 * Every matrix in it is symmetric, so it is summed over the upper triangles (packedInv, with its
 * off-diagonal values doubled, and packedCov): with o = the packed outer product of the mean
 * difference, tr + tr + quad = packedInv_i . (packedCov_j + o) + packedInv_j . (packedCov_i + o),
 * d(d+1)/2 terms each instead of d^2 for each of three sums.
 */
export function skl(g: SklModels, i: number, j: number, q?: SklModels): number {
  const d = g.d;
  const np = (d * (d + 1)) / 2;
  const a = q ?? g;
  const ia = q ? 0 : i;
  const Ma = a.mean;
  const Ca = a.packedCov;
  const Ia = a.packedInv;
  const Mb = g.mean;
  const Cb = g.packedCov;
  const Ib = g.packedInv;
  const diff = sklScratch.length >= d ? sklScratch : (sklScratch = new Float64Array(d));
  for (let k = 0, oa = ia * d, ob = j * d; k < d; k++) diff[k] = Ma[oa + k] - Mb[ob + k];
  let s = 0;
  let pa = ia * np;
  let pb = j * np;
  for (let x = 0; x < d; x++) {
    const dx = diff[x];
    for (let y = x; y < d; y++, pa++, pb++) {
      const o = dx * diff[y];
      s += Ia[pa] * (Cb[pb] + o) + Ib[pb] * (Ca[pa] + o);
    }
  }
  return Math.max(0, 0.25 * s - d / 2);
}
let sklScratch = new Float64Array(20);

/**
 * Mutual proximity (Gaussian, independent variant) of a distance matrix row-set: for each
 * item, the mean and std of its distances to the others; MP distance of (i, j) =
 * 1 - (1 - F_i(d)) (1 - F_j(d)), with F the normal CDF fitted to i's (or j's) distances.
 */
export function mutualProximityStats(rowOf: (i: number) => ArrayLike<number>, n: number): { mu: Float64Array; sd: Float64Array } {
  const mu = new Float64Array(n);
  const sd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = rowOf(i);
    let s = 0;
    let s2 = 0;
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === i || !Number.isFinite(r[j])) continue;
      s += r[j];
      s2 += r[j] * r[j];
      m++;
    }
    mu[i] = m ? s / m : 0;
    sd[i] = m ? Math.sqrt(Math.max(0, s2 / m - mu[i] * mu[i])) : 1;
    if (!(sd[i] > 0)) sd[i] = 1;
  }
  return { mu, sd };
}

/**
 * {@link mutualProximityStats} over a subset of the items: each item's mean and spread of
 * value(i, j) for the j of `sample` (ascending indices) other than i, with the same arithmetic, so
 * a sample of every index gives the same numbers. Costs n * sample.length values.
 */
export function mutualProximityStatsOn(value: (i: number, j: number) => number, n: number, sample: ArrayLike<number>): { mu: Float64Array; sd: Float64Array } {
  const mu = new Float64Array(n);
  const sd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let s2 = 0;
    let m = 0;
    for (let q = 0; q < sample.length; q++) {
      const j = sample[q];
      if (j === i) continue;
      const v = value(i, j);
      if (!Number.isFinite(v)) continue;
      s += v;
      s2 += v * v;
      m++;
    }
    mu[i] = m ? s / m : 0;
    sd[i] = m ? Math.sqrt(Math.max(0, s2 / m - mu[i] * mu[i])) : 1;
    if (!(sd[i] > 0)) sd[i] = 1;
  }
  return { mu, sd };
}

export function normalCdf(x: number): number {
  // Abramowitz-Stegun 7.1.26 on erf, |error| < 1.5e-7
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

export function mpDistance(dist: number, muI: number, sdI: number, muJ: number, sdJ: number): number {
  return 1 - (1 - normalCdf((dist - muI) / sdI)) * (1 - normalCdf((dist - muJ) / sdJ));
}
