/**
 * Candidate pairs for an expensive pairwise method (DTW on a cosine shortlist): each item's
 * `size` nearest others by cosine of z-scored summary vectors, made symmetric.
 *
 * Definition: with the vectors z-scored across the n items (population mean and std per
 * dimension, fitted on exactly these n vectors; a dimension of std 0 becomes 0), S(i) is the
 * min(size, n - 1) items j != i of highest cosine similarity to i, ties going to the smaller index
 * (cosineTopK's order). The pair {i, j} is wanted when j is in S(i) or i is in S(j).
 */
import { badParameter } from '../errors.js';
import { cosineTopK } from './cosine.js';

/**
 * The wanted pairs (see module doc) as (a0, b0, a1, b1, ...) with a < b, sorted by a then b.
 * @param vectors n * dim values, row-major (one summary vector per item)
 * @param size shortlist length per item (integer >= 1)
 */
export function shortlistPairs(vectors: ArrayLike<number>, dim: number, size: number): Int32Array {
  if (!Number.isInteger(size) || size < 1) throw badParameter('shortlist', size, 'an integer >= 1');
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  const n = vectors.length / dim;
  if (!Number.isInteger(n)) throw badParameter('vectors length', vectors.length, `a multiple of dim=${dim}`);
  if (n < 2) return new Int32Array(0);
  const m = Math.min(size, n - 1);
  const top = cosineTopK(vectors, dim, { k: m, standardize: true });
  return symmetricPairs(top.index, n, m);
}

/**
 * The symmetric union of per-item lists: `lists` holds n rows of m entries (item indices, -1 for
 * none; an item's own index is ignored); the pair {i, j} is wanted when j is in row i or i in row j.
 * Returned as (a0, b0, a1, b1, ...) with a < b, sorted by a then b, each pair once. The one pair
 * machinery behind the cosine shortlist (above) and the ANN candidates
 * (src/pipeline/similarity/candidates.ts).
 */
export function symmetricPairs(lists: ArrayLike<number>, n: number, m: number): Int32Array {
  if (lists.length !== n * m) throw badParameter('candidate lists', lists.length, `${n} rows of ${m}`);
  // mark each wanted pair once in a per-row list of partners b > a
  const partners: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < m; q++) {
      const j = lists[i * m + q];
      if (j < 0 || j === i) continue;
      if (i < j) partners[i].push(j);
      else partners[j].push(i);
    }
  }
  let total = 0;
  for (const p of partners) {
    p.sort((x, y) => x - y);
    let w = 0;
    for (let r = 0; r < p.length; r++) if (r === 0 || p[r] !== p[r - 1]) p[w++] = p[r];
    p.length = w;
    total += w;
  }
  const out = new Int32Array(2 * total);
  let o = 0;
  for (let a = 0; a < n; a++) {
    for (const b of partners[a]) {
      out[o++] = a;
      out[o++] = b;
    }
  }
  return out;
}

/** Every pair of n items, as {@link symmetricPairs} returns them (a < b, sorted). */
export function allPairs(n: number): Int32Array {
  const out = new Int32Array(n > 1 ? n * (n - 1) : 0);
  let o = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      out[o++] = a;
      out[o++] = b;
    }
  }
  return out;
}
