/**
 * Cosine similarity of feature vectors, catalogue standardisation, and a fast all-tracks top-k.
 *
 * Zero vectors: cosine is undefined for them; yasr defines the similarity of a zero vector as 0
 * with any non-zero vector and 1 with another zero vector (itself), so a zero vector never makes
 * a NaN and never ranks above a real match. In {@link cosineTopK} a zero row scores 0 against
 * every other row.
 */
import { badParameter } from '../errors.js';

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

/** Per-row top-k lists: row i's entries are at [i*k, i*k+k), best first. */
export interface TopKResult {
  n: number;
  k: number;
  /** Neighbour indices, n * k; -1 where a row has fewer than k others (n - 1 < k). */
  index: Int32Array;
  /** Scores (here cosine similarity, descending), n * k; NaN where index is -1. */
  score: Float32Array;
}

/** Options for {@link cosineTopK}. */
export interface CosineTopKOptions {
  /** Neighbours per row (default 10). */
  k?: number;
  /** Z-score the catalogue first (default false). */
  standardize?: boolean;
  /** Rows per block of the blocked product (default 256). */
  blockSize?: number;
}

/**
 * Top-k most cosine-similar rows for every one of n vectors (`vectors`: n * dim values,
 * row-major), excluding the row itself. Rows are normalised to unit length as float32, then
 * similarities come from a blocked, symmetric matrix product (each pair computed once, dot
 * products accumulated in float64 from the float32 rows). Ties are broken by the smaller index.
 * Memory: O(n * (dim + k)); time O(n^2 * dim / 2).
 */
export function cosineTopK(vectors: Vec, dim: number, options: CosineTopKOptions = {}): TopKResult {
  const k = options.k ?? 10;
  const bs = options.blockSize ?? 256;
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  if (vectors.length % dim !== 0) throw badParameter('vectors length', vectors.length, `a multiple of dim=${dim}`);
  if (!Number.isInteger(k) || k < 1) throw badParameter('k', k, 'a positive integer');
  if (!Number.isInteger(bs) || bs < 1) throw badParameter('blockSize', bs, 'a positive integer');
  const n = vectors.length / dim;
  const src = options.standardize ? standardize(vectors, dim) : vectors;
  const R = normalizeRows(src, dim);
  const index = new Int32Array(n * k).fill(-1);
  const score = new Float32Array(n * k).fill(-Infinity);
  // worst kept score per row (the k-th), -Infinity until the list is full
  const worst = new Float64Array(n).fill(-Infinity);
  const scoreF64 = new Float64Array(n * k).fill(-Infinity);
  const insert = (row: number, j: number, s: number): void => {
    const base = row * k;
    // find position: after entries that are better (higher score, or equal score & smaller index)
    let p = k - 1;
    if (!(s > scoreF64[base + p] || (s === scoreF64[base + p] && (index[base + p] === -1 || j < index[base + p])))) {
      return;
    }
    while (p > 0) {
      const ps = scoreF64[base + p - 1];
      const pi = index[base + p - 1];
      if (s > ps || (s === ps && (pi === -1 || j < pi))) {
        scoreF64[base + p] = ps;
        index[base + p] = pi;
        p--;
      } else break;
    }
    scoreF64[base + p] = s;
    index[base + p] = j;
    worst[row] = scoreF64[base + k - 1];
  };
  const dots = new Float64Array(bs * bs);
  for (let i0 = 0; i0 < n; i0 += bs) {
    const i1 = Math.min(n, i0 + bs);
    for (let j0 = i0; j0 < n; j0 += bs) {
      const j1 = Math.min(n, j0 + bs);
      blockDots(R, dim, i0, i1, j0, j1, dots);
      const w = j1 - j0;
      for (let i = i0; i < i1; i++) {
        const jStart = j0 === i0 ? i + 1 : j0;
        const rowOff = (i - i0) * w - j0;
        for (let j = jStart; j < j1; j++) {
          const s = dots[rowOff + j];
          if (s >= worst[i]) insert(i, j, s);
          if (s >= worst[j]) insert(j, i, s);
        }
      }
    }
  }
  for (let i = 0; i < n * k; i++) score[i] = index[i] === -1 ? NaN : scoreF64[i];
  return { n, k, index, score };
}

/**
 * `kernel(R, a, j0, j1, dots, o)`: dots[o + j] = R[a .. a+dim) . R[j*dim .. j*dim+dim) for
 * j in [j0, j1), float64 accumulation. Generated per dim (row held in locals, unrolled), which V8
 * runs about twice as fast as a loop over dim.
 */
type DotRowKernel = (R: Float32Array, a: number, j0: number, j1: number, dots: Float64Array, o: number) => void;

const dotKernels = new Map<number, DotRowKernel>();

function dotRowKernel(dim: number): DotRowKernel {
  let f = dotKernels.get(dim);
  if (f) return f;
  if (dim <= 64) {
    const lines: string[] = [];
    for (let t = 0; t < dim; t++) lines.push(`const x${t} = R[a + ${t}];`);
    lines.push('for (let j = j0; j < j1; j++) {');
    lines.push(`  const c = j * ${dim};`);
    lines.push('  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;');
    for (let t = 0; t < dim; t++) lines.push(`  s${t & 3} += x${t} * R[c + ${t}];`);
    lines.push('  dots[o + j] = (s0 + s1) + (s2 + s3);');
    lines.push('}');
    f = new Function('R', 'a', 'j0', 'j1', 'dots', 'o', lines.join('\n')) as DotRowKernel;
  } else {
    f = (R, a, j0, j1, dots, o) => {
      for (let j = j0; j < j1; j++) {
        const c = j * dim;
        let s = 0;
        for (let t = 0; t < dim; t++) s += R[a + t] * R[c + t];
        dots[o + j] = s;
      }
    };
  }
  dotKernels.set(dim, f);
  return f;
}

/** dots[(i - i0) * (j1 - j0) + (j - j0)] = R_i . R_j for the block. */
function blockDots(
  R: Float32Array,
  dim: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  dots: Float64Array,
): void {
  const w = j1 - j0;
  const kernel = dotRowKernel(dim);
  for (let i = i0; i < i1; i++) {
    // on a diagonal block only j > i is needed
    kernel(R, i * dim, j0 === i0 ? i + 1 : j0, j1, dots, (i - i0) * w - j0);
  }
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
