/** Argument checks shared by the ANN implementations (./index.ts). */
import { badParameter } from '../../errors.js';

/** Checks shared by the implementations: keys are safe non-negative integers, vectors fit. */
export function checkItems(dim: number, keys: ArrayLike<number>, vectors: Float32Array): void {
  if (vectors.length !== keys.length * dim) throw badParameter('ANN vectors', vectors.length, `${keys.length} keys x ${dim} values`);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (!Number.isSafeInteger(k) || k < 0) throw badParameter('ANN key', k, 'a non-negative integer');
  }
}

export function checkSearch(dim: number, queries: Float32Array, k: number): number {
  if (!Number.isInteger(k) || k < 1) throw badParameter('k', k, 'a positive integer');
  if (queries.length % dim !== 0) throw badParameter('ANN queries', queries.length, `a multiple of dim=${dim}`);
  return queries.length / dim;
}
