/**
 * Ranked neighbour lists from a dense all-pairs matrix, for precisionAtK / selfRetrieval.
 */
import { badParameter } from '../errors.js';

export interface NeighbourOrderOptions {
  /** 'ascending' for distances (smaller = nearer, the default), 'descending' for similarities. */
  order?: 'ascending' | 'descending';
  /** Keep the query itself in its own list. Default false. */
  includeSelf?: boolean;
}

/**
 * Neighbour function over a dense n x n matrix.
 *
 * @param D row-major matrix of length n*n; D[i*n + j] is the distance (or similarity, see
 *   `order`) from item i to item j. Only row i is read for query i, so D need not be symmetric.
 * @param n number of items
 * @returns (i) => item indices ordered nearest first (ties broken by the lower index; NaN
 *   entries last), without i unless `includeSelf`. Each call sorts row i: O(n log n).
 * @throws YasrError BAD_PARAMETER when D.length !== n*n, or for a query outside [0, n).
 */
export function neighboursFromDistanceMatrix(
  D: Float32Array | Float64Array,
  n: number,
  opts: NeighbourOrderOptions = {},
): (i: number) => number[] {
  if (!Number.isInteger(n) || n < 0) throw badParameter('n', n, 'an integer >= 0');
  if (D.length !== n * n) throw badParameter('D.length', D.length, `n*n = ${n * n}`);
  const order = opts.order ?? 'ascending';
  if (order !== 'ascending' && order !== 'descending') {
    throw badParameter('order', order, "'ascending' or 'descending'");
  }
  const sign = order === 'ascending' ? 1 : -1;
  const includeSelf = opts.includeSelf ?? false;
  return (i: number): number[] => {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw badParameter('i', i, `an item index in [0, ${n})`);
    const row = i * n;
    const idx: number[] = [];
    for (let j = 0; j < n; j++) if (includeSelf || j !== i) idx.push(j);
    idx.sort((a, b) => {
      const da = D[row + a];
      const db = D[row + b];
      const na = Number.isNaN(da);
      const nb = Number.isNaN(db);
      if (na || nb) return na === nb ? a - b : na ? 1 : -1;
      return da === db ? a - b : sign * (da - db);
    });
    return idx;
  };
}
