/**
 * Cosine similarity of feature vectors, catalogue standardisation, and a fast, exact all-tracks
 * top-k (./exact-topk.ts over a tensor backend, ./backends/).
 *
 * Zero vectors: cosine is undefined for them; yasr defines the similarity of a zero vector as 0
 * with any non-zero vector and 1 with another zero vector (itself), so a zero vector never makes
 * a NaN and never ranks above a real match. In {@link cosineTopK} (and the vector model's rows) a
 * zero row scores 0 against every other row.
 */
import { badParameter } from '../errors.js';
import { unitRowsTopK, type ExactTopKOptions, type TopKResult } from './exact-topk.js';

export { windowMatchTopK, type ExactTopKOptions, type TopKResult } from './exact-topk.js';

type Vec = ArrayLike<number>;

/**
 * Cosine similarity of two vectors of equal length, computed in float64.
 * Returns 0 if exactly one is the zero vector, 1 if both are (see module doc).
 */
export function cosineSimilarity(a: Vec, b: Vec): number {
  if (a.length !== b.length) throw badParameter('vector lengths', [a.length, b.length], 'equal lengths');
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return na === 0 && nb === 0 ? 1 : 0;
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}

/**
 * The per-track "MFCC mean and std" vector: for a feature matrix in librosa layout
 * [nFeatures, nFrames] (row-major `data`), the mean of each row, then the population standard
 * deviation of each row: 2 * nFeatures values, computed in float64.
 */
export function meanStdVector(data: Vec, nFeatures: number, nFrames: number): Float64Array {
  if (data.length !== nFeatures * nFrames) {
    throw badParameter('matrix size', data.length, `${nFeatures} x ${nFrames} values`);
  }
  if (nFrames < 1) throw badParameter('nFrames', nFrames, 'at least 1');
  const out = new Float64Array(2 * nFeatures);
  for (let r = 0; r < nFeatures; r++) {
    const o = r * nFrames;
    let s = 0;
    for (let t = 0; t < nFrames; t++) s += data[o + t];
    const mean = s / nFrames;
    let v = 0;
    for (let t = 0; t < nFrames; t++) {
      const e = data[o + t] - mean;
      v += e * e;
    }
    out[r] = mean;
    out[nFeatures + r] = Math.sqrt(v / nFrames);
  }
  return out;
}

/** Per-dimension mean and population std of a catalogue of vectors. */
export interface Standardizer {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Fit a z-score standardiser on `n` vectors of `dim` values stored row-major in `vectors`
 * (n * dim values): per-dimension mean and population standard deviation (float64).
 */
export function fitStandardizer(vectors: Vec, dim: number): Standardizer {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  if (vectors.length % dim !== 0) throw badParameter('vectors length', vectors.length, `a multiple of dim=${dim}`);
  const n = vectors.length / dim;
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  if (n === 0) return { mean, std };
  for (let i = 0; i < n; i++) for (let k = 0; k < dim; k++) mean[k] += vectors[i * dim + k];
  for (let k = 0; k < dim; k++) mean[k] /= n;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) {
      const e = vectors[i * dim + k] - mean[k];
      std[k] += e * e;
    }
  }
  for (let k = 0; k < dim; k++) std[k] = Math.sqrt(std[k] / n);
  return { mean, std };
}

/**
 * Standardise vectors (n * dim values, row-major) with `st`: (x - mean) / std per dimension;
 * a dimension whose std is 0 becomes 0 (never NaN). Returns a new Float64Array.
 */
export function applyStandardizer(vectors: Vec, dim: number, st: Standardizer): Float64Array {
  const out = new Float64Array(vectors.length);
  const n = vectors.length / dim;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) {
      const s = st.std[k];
      out[i * dim + k] = s > 0 ? (vectors[i * dim + k] - st.mean[k]) / s : 0;
    }
  }
  return out;
}

/** Z-score standardisation across a catalogue: {@link fitStandardizer} then {@link applyStandardizer}. */
export function standardize(vectors: Vec, dim: number): Float64Array {
  return applyStandardizer(vectors, dim, fitStandardizer(vectors, dim));
}

/**
 * Rows scaled to unit Euclidean norm (norm computed in float64), as float32; zero rows stay zero.
 * @param vectors n * dim values, row-major
 */
export function normalizeRows(vectors: Vec, dim: number): Float32Array {
  const n = vectors.length / dim;
  const out = new Float32Array(vectors.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const x = vectors[i * dim + k];
      s += x * x;
    }
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) out[i * dim + k] = vectors[i * dim + k] * inv;
  }
  return out;
}

/**
 * Rows scaled to unit Euclidean length in float64 (x * (1 / sqrt(sum of squares))); a zero row
 * stays zero, so its cosine with anything is 0. The one normalisation behind cosine scores: the
 * vector model's rows and the top-k lists use it, so both give the same bits.
 * @param x n * dim values, row-major
 */
export function unitRows(x: Vec, dim: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length / dim; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[i * dim + k] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < dim; k++) out[i * dim + k] = x[i * dim + k] * inv;
  }
  return out;
}

/** Options for {@link cosineTopK}. */
export interface CosineTopKOptions extends ExactTopKOptions {
  /** Z-score the catalogue first (default false). */
  standardize?: boolean;
}

/**
 * Top-k most cosine-similar rows for every one of n vectors (`vectors`: n * dim values,
 * row-major), excluding the row itself; with `least`, also the least similar. Exact: a tensor
 * backend (./backends/: js, wasm, onnx; option `backend` or YASR_TENSOR_BACKEND) computes the
 * products of the rows in float32 tiles to find candidates, and the listed scores are the float64
 * dot products of the {@link unitRows} (the same on every backend, and the same as the vector
 * model's cosine rows). Ties go to the smaller index. A zero row scores 0 against every other row;
 * a row with a non-finite value is nobody's neighbour and has none (-1, NaN). Memory:
 * O(n * (dim + k)); time O(n^2 * dim / 2) in the backend's product.
 */
export function cosineTopK(vectors: Vec, dim: number, options: CosineTopKOptions = {}): TopKResult {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  if (vectors.length % dim !== 0) throw badParameter('vectors length', vectors.length, `a multiple of dim=${dim}`);
  const src = options.standardize ? standardize(vectors, dim) : vectors;
  return unitRowsTopK(unitRows(src, dim), dim, options);
}

/**
 * {@link meanStdVector} for a frame-major sequence (nFrames * dim values): per-dimension mean,
 * then population std (2 * dim values, float64).
 */
export function meanStdOfFrames(seq: Vec, dim: number): Float64Array {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  const n = seq.length / dim;
  if (!Number.isInteger(n) || n < 1) throw badParameter('sequence length', seq.length, `a positive multiple of dim=${dim}`);
  const out = new Float64Array(2 * dim);
  for (let t = 0; t < n; t++) for (let k = 0; k < dim; k++) out[k] += seq[t * dim + k];
  for (let k = 0; k < dim; k++) out[k] /= n;
  for (let t = 0; t < n; t++) {
    for (let k = 0; k < dim; k++) {
      const e = seq[t * dim + k] - out[k];
      out[dim + k] += e * e;
    }
  }
  for (let k = 0; k < dim; k++) out[dim + k] = Math.sqrt(out[dim + k] / n);
  return out;
}

/**
 * Window-matching cosine of one item against a catalogue of n items. Every vector is already
 * standardised and unit length. The item has its summary `q` (dim values) and its windows `qw`
 * (a multiple of dim); catalogue item j has summary C[j] (n x dim) and the windows of W whose
 * `owner` is j (W is owner.length x dim). Score j = max(max over j's windows w of q . w,
 * max over the item's windows v of v . C[j]). O((owner.length + windows * n) * dim).
 */
export function windowMatchScores(q: Float64Array, qw: Float64Array, C: Float64Array, W: Float64Array, owner: Int32Array, dim: number): Float64Array {
  const n = C.length / dim;
  if (!Number.isInteger(n) || q.length !== dim || qw.length % dim !== 0 || W.length !== owner.length * dim) {
    throw badParameter('window match shapes', { q: q.length, qw: qw.length, C: C.length, W: W.length, owner: owner.length, dim }, 'q of dim values, qw/C/W multiples of dim, W = owner.length * dim');
  }
  const out = new Float64Array(n).fill(-Infinity);
  for (let b = 0; b < owner.length; b++) {
    let acc = 0;
    const o = b * dim;
    for (let k = 0; k < dim; k++) acc += q[k] * W[o + k];
    if (acc > out[owner[b]]) out[owner[b]] = acc;
  }
  for (let a = 0; a < qw.length / dim; a++) {
    const o = a * dim;
    for (let j = 0; j < n; j++) {
      let acc = 0;
      const p = j * dim;
      for (let k = 0; k < dim; k++) acc += qw[o + k] * C[p + k];
      if (acc > out[j]) out[j] = acc;
    }
  }
  return out;
}
