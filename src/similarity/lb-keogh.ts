/**
 * LB_Keogh lower bound for banded DTW with Euclidean local cost (the definition in dtw.ts).
 *
 * For a candidate C (m frames) and band half-width w, the envelope at query frame i is the
 * per-dimension box [L_i, U_i] of C's frames j in [i - w, i + w] ∩ [0, m - 1]. Every query frame
 * i lies on any admissible warping path at least once, matched to some C_j inside that window, and
 * ||Q_i - C_j|| >= dist(Q_i, box_i) (the box contains C_j). Summing one such term per query frame
 * (path cells are non-negative) gives
 *   LB(Q, C) = sum_i sqrt( sum_k (Q_ik > U_ik ? Q_ik - U_ik : Q_ik < L_ik ? L_ik - Q_ik : 0)^2 )
 *            <= DTW_w(Q, C).
 * The envelope is computed for C's own length; for query frames i >= m the box of frame m - 1 is
 * used, which contains the true (smaller) window's box, so the bound stays valid; likewise an
 * envelope built with a wider w than the DTW's is valid (looser).
 */
import { badParameter } from '../errors.js';

/** Envelope of a frame-major sequence: per frame and dimension, lower and upper bounds. */
export interface Envelope {
  /** frames in the envelope (the sequence's length) */
  frames: number;
  dim: number;
  /** band half-width it was built for */
  window: number;
  /** frames * dim; same element type as the sequence (values are copies of its values) */
  lower: Float32Array | Float64Array;
  upper: Float32Array | Float64Array;
}

/**
 * Running min/max envelope of `seq` (frames * dim values) over windows [i - w, i + w],
 * O(frames * dim) with monotone deques. Stored as float32 when `seq` is a Float32Array, else
 * float64 (never rounded, so the bound stays valid).
 */
export function envelope(seq: ArrayLike<number>, dim: number, w: number): Envelope {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  if (!Number.isInteger(w) || w < 0) throw badParameter('window', w, 'an integer >= 0');
  const n = seq.length / dim;
  if (!Number.isInteger(n)) throw badParameter('sequence length', seq.length, `a multiple of dim=${dim}`);
  // the bounds are copies of sequence values: float32 input keeps float32 storage exactly
  const f32 = seq instanceof Float32Array;
  const lower = f32 ? new Float32Array(n * dim) : new Float64Array(n * dim);
  const upper = f32 ? new Float32Array(n * dim) : new Float64Array(n * dim);
  const qmax = new Int32Array(n);
  const qmin = new Int32Array(n);
  for (let k = 0; k < dim; k++) {
    let hmax = 0;
    let tmax = 0;
    let hmin = 0;
    let tmin = 0;
    let next = 0; // next frame to push
    for (let i = 0; i < n; i++) {
      const right = Math.min(n - 1, i + w);
      while (next <= right) {
        const v = seq[next * dim + k];
        while (tmax > hmax && seq[qmax[tmax - 1] * dim + k] <= v) tmax--;
        qmax[tmax++] = next;
        while (tmin > hmin && seq[qmin[tmin - 1] * dim + k] >= v) tmin--;
        qmin[tmin++] = next;
        next++;
      }
      const left = i - w;
      while (qmax[hmax] < left) hmax++;
      while (qmin[hmin] < left) hmin++;
      upper[i * dim + k] = seq[qmax[hmax] * dim + k];
      lower[i * dim + k] = seq[qmin[hmin] * dim + k];
    }
  }
  return { frames: n, dim, window: w, lower, upper };
}

/**
 * LB_Keogh(query, candidate envelope): see module doc. With `upperBound`, stops early and returns
 * the partial sum as soon as it exceeds the bound (it is then still a valid lower bound, > bound).
 * @param query frame-major, nFrames * env.dim values
 */
export function lbKeogh(query: ArrayLike<number>, env: Envelope, upperBound = Infinity): number {
  const dim = env.dim;
  const n = query.length / dim;
  const last = env.frames - 1;
  const L = env.lower;
  const U = env.upper;
  let lb = 0;
  for (let i = 0; i < n; i++) {
    const q = i * dim;
    const e = (i < last ? i : last) * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const x = query[q + k];
      const u = U[e + k];
      const l = L[e + k];
      const d = x > u ? x - u : x < l ? l - x : 0;
      s += d * d;
    }
    lb += Math.sqrt(s);
    if (lb > upperBound) return lb;
  }
  return lb;
}
