/**
 * Diagonal-covariance Gaussian mixtures over feature frames, and GMM mean supervectors
 * (Reynolds et al. 2000; for music similarity Charbuillet, Tardieu and Peeters 2011):
 *
 * - a universal background model (UBM): one mixture of `k` Gaussians fitted by EM to frames
 *   pooled from many tracks (trainDiagonalGmm);
 * - a track's supervector: the UBM's means moved towards the track's own frames by MAP
 *   adaptation with relevance factor r (each component's mean becomes
 *   (n_k m_k + r mu_k) / (n_k + r), n_k its share of the frames' posteriors, m_k their mean),
 *   expressed as sqrt(w_k) (adapted_k - mu_k) / sigma_k per component and dimension, so that
 *   the Euclidean distance between two supervectors is the usual bound on the KL divergence
 *   between the two adapted mixtures (meanSupervector).
 *
 * A track far from every component still gets posteriors (a log-sum-exp, no underflow to 0/0);
 * a track with no frames gets the zero supervector (the UBM itself).
 */
import type { Matrix } from './matrix.js';
import { badParameter } from '../errors.js';
import { lcgRandom } from '../util/random.js';

/** A mixture of k Gaussians with diagonal covariances in d dimensions. */
export interface DiagonalGmm {
  k: number;
  d: number;
  /** [k] mixture weights, summing to 1 */
  weights: Float64Array;
  /** [k, d] means, row-major */
  means: Float64Array;
  /** [k, d] variances, row-major, > 0 */
  variances: Float64Array;
}

/** Options of trainDiagonalGmm. */
export interface GmmTrainOptions {
  /** EM iterations (default 20) */
  iterations?: number;
  /** seed of the initial means' choice (default 1) */
  seed?: number;
  /** smallest variance, as a fraction of the data's variance in that dimension (default 1e-3) */
  varianceFloor?: number;
}


/** Per component: log w_k - 1/2 sum_d log(2 pi var_kd). */
function logConstants(g: DiagonalGmm): Float64Array {
  const c = new Float64Array(g.k);
  for (let k = 0; k < g.k; k++) {
    let v = Math.log(g.weights[k]);
    for (let e = 0; e < g.d; e++) v -= 0.5 * Math.log(2 * Math.PI * g.variances[k * g.d + e]);
    c[k] = v;
  }
  return c;
}

/**
 * Posteriors of every component for one frame (x[at + e], e < d) into `post`; returns the frame's
 * log-likelihood.
 */
function posteriors(g: DiagonalGmm, cst: Float64Array, inv: Float64Array, x: ArrayLike<number>, at: number, post: Float64Array): number {
  const { k: K, d: D, means } = g;
  let mx = -Infinity;
  for (let k = 0; k < K; k++) {
    let e = cst[k];
    const o = k * D;
    for (let j = 0; j < D; j++) {
      const z = x[at + j] - means[o + j];
      e -= 0.5 * z * z * inv[o + j];
    }
    post[k] = e;
    if (e > mx) mx = e;
  }
  let sum = 0;
  for (let k = 0; k < K; k++) {
    post[k] = Math.exp(post[k] - mx);
    sum += post[k];
  }
  for (let k = 0; k < K; k++) post[k] /= sum;
  return mx + Math.log(sum);
}

const inverse = (v: Float64Array) => v.map((x) => 1 / x);

/**
 * Fits a diagonal GMM of `k` components to `frames` [N, d] (row-major: one frame per row) by EM,
 * starting from k distinct frames chosen with `seed` and the data's variance. Deterministic.
 *
 * @throws YasrError BAD_PARAMETER for k < 1, fewer than k frames, or a length not a multiple of d
 */
export function trainDiagonalGmm(frames: Float32Array | Float64Array, d: number, k: number, options: GmmTrainOptions = {}): DiagonalGmm & { logLikelihood: number } {
  if (!Number.isInteger(d) || d < 1) throw badParameter('d', d, 'an integer >= 1');
  if (frames.length % d !== 0) throw badParameter('frames length', frames.length, `a multiple of d = ${d}`);
  const N = frames.length / d;
  if (!Number.isInteger(k) || k < 1 || k > N) throw badParameter('k', k, `an integer from 1 to the number of frames (${N})`);
  const iterations = options.iterations ?? 20;
  const floor = options.varianceFloor ?? 1e-3;
  const rnd = lcgRandom(options.seed ?? 1);
  const gm = new Float64Array(d);
  const gv = new Float64Array(d);
  for (let s = 0; s < N; s++) for (let e = 0; e < d; e++) gm[e] += frames[s * d + e];
  for (let e = 0; e < d; e++) gm[e] /= N;
  for (let s = 0; s < N; s++) for (let e = 0; e < d; e++) gv[e] += (frames[s * d + e] - gm[e]) ** 2;
  for (let e = 0; e < d; e++) gv[e] = Math.max(gv[e] / N, 1e-12);
  const g: DiagonalGmm = { k, d, weights: new Float64Array(k).fill(1 / k), means: new Float64Array(k * d), variances: new Float64Array(k * d) };
  const picked = new Set<number>();
  for (let c = 0; c < k; c++) {
    let s = Math.floor(rnd() * N);
    while (picked.has(s)) s = (s + 1) % N;
    picked.add(s);
    for (let e = 0; e < d; e++) {
      g.means[c * d + e] = frames[s * d + e];
      g.variances[c * d + e] = gv[e];
    }
  }
  const post = new Float64Array(k);
  let ll = -Infinity;
  for (let it = 0; it < iterations; it++) {
    const cst = logConstants(g);
    const inv = inverse(g.variances);
    const s0 = new Float64Array(k);
    const s1 = new Float64Array(k * d);
    const s2 = new Float64Array(k * d);
    ll = 0;
    for (let s = 0; s < N; s++) {
      ll += posteriors(g, cst, inv, frames, s * d, post);
      for (let c = 0; c < k; c++) {
        const p = post[c];
        if (p < 1e-10) continue;
        s0[c] += p;
        for (let e = 0; e < d; e++) {
          const x = frames[s * d + e];
          s1[c * d + e] += p * x;
          s2[c * d + e] += p * x * x;
        }
      }
    }
    for (let c = 0; c < k; c++) {
      const n0 = Math.max(s0[c], 1e-6);
      g.weights[c] = n0 / N;
      for (let e = 0; e < d; e++) {
        const m = s1[c * d + e] / n0;
        g.means[c * d + e] = m;
        g.variances[c * d + e] = Math.max(s2[c * d + e] / n0 - m * m, floor * gv[e]);
      }
    }
    const ws = g.weights.reduce((a, w) => a + w, 0);
    for (let c = 0; c < k; c++) g.weights[c] /= ws;
  }
  return { ...g, logLikelihood: ll / N };
}

/**
 * The mean supervector of `x` [d, T] (librosa layout: one row per dimension, one column per
 * frame) against the UBM `ubm`: k * d values, component by component,
 * sqrt(w_k) (a_k - mu_k) / sigma_k with a_k the MAP-adapted mean (relevance `relevance`, > 0).
 *
 * @throws YasrError BAD_PARAMETER when x's rows differ from the UBM's d, or relevance <= 0
 */
export function meanSupervector(ubm: DiagonalGmm, x: Matrix, relevance: number): Float32Array {
  if (x.rows !== ubm.d) throw badParameter('rows', x.rows, `the UBM's dimension (${ubm.d})`);
  if (!(relevance > 0) || !Number.isFinite(relevance)) throw badParameter('relevance', relevance, 'a number > 0');
  const { k: K, d: D } = ubm;
  const T = x.cols;
  const cst = logConstants(ubm);
  const inv = inverse(ubm.variances);
  const post = new Float64Array(K);
  const n = new Float64Array(K);
  const f = new Float64Array(K * D);
  // frames one after another ([T, D]): each frame's values contiguous (the same arithmetic)
  const frames = new Float64Array(T * D);
  for (let e = 0; e < D; e++) for (let t = 0; t < T; t++) frames[t * D + e] = x.data[e * T + t];
  for (let t = 0; t < T; t++) {
    posteriors(ubm, cst, inv, frames, t * D, post);
    for (let c = 0; c < K; c++) {
      const p = post[c];
      if (p < 1e-10) continue;
      n[c] += p;
      for (let e = 0; e < D; e++) f[c * D + e] += p * frames[t * D + e];
    }
  }
  const out = new Float32Array(K * D);
  for (let c = 0; c < K; c++) {
    const w = Math.sqrt(ubm.weights[c]);
    for (let e = 0; e < D; e++) {
      const mu = ubm.means[c * D + e];
      // (n m + r mu) / (n + r) - mu = (f - n mu) / (n + r)
      const shift = (f[c * D + e] - n[c] * mu) / (n[c] + relevance);
      out[c * D + e] = (w * shift) * Math.sqrt(inv[c * D + e]);
    }
  }
  return out;
}
