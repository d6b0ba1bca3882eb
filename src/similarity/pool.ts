/**
 * Frame pooling and layout helpers for frame-major sequences (frame t at t*dim .. t*dim+dim-1).
 */
import { badParameter } from '../errors.js';

/**
 * Average every `size` consecutive frames: output frame g is the mean of input frames
 * [g*size, min((g+1)*size, nFrames)); the last, partial group is averaged over its actual count.
 * Output has ceil(nFrames / size) frames. Means are computed in float64, stored as float32.
 * `size` = 1 returns a copy.
 * @param seq frame-major sequence, nFrames * dim values
 * @param dim values per frame
 * @param size frames per group (integer >= 1; default 1)
 */
export function poolFrames(seq: ArrayLike<number>, dim: number, size = 1): Float32Array {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  if (!Number.isInteger(size) || size < 1) throw badParameter('pool', size, 'an integer >= 1');
  if (seq.length % dim !== 0) throw badParameter('sequence length', seq.length, `a multiple of dim=${dim}`);
  const n = seq.length / dim;
  const groups = Math.ceil(n / size);
  const out = new Float32Array(groups * dim);
  const acc = new Float64Array(dim);
  for (let g = 0; g < groups; g++) {
    const t0 = g * size;
    const t1 = Math.min(n, t0 + size);
    acc.fill(0);
    for (let t = t0; t < t1; t++) {
      const o = t * dim;
      for (let k = 0; k < dim; k++) acc[k] += seq[o + k];
    }
    const cnt = t1 - t0;
    for (let k = 0; k < dim; k++) out[g * dim + k] = acc[k] / cnt;
  }
  return out;
}

/**
 * Frame-major copy of a feature matrix in librosa layout [nFeatures, nFrames] (row-major data):
 * returns nFrames * nFeatures values, frame t at t*nFeatures.
 */
export function toFrameMajor(data: ArrayLike<number>, nFeatures: number, nFrames: number): Float32Array {
  if (data.length !== nFeatures * nFrames) {
    throw badParameter('matrix size', data.length, `${nFeatures} x ${nFrames} values`);
  }
  const out = new Float32Array(nFeatures * nFrames);
  for (let r = 0; r < nFeatures; r++) {
    const o = r * nFrames;
    for (let t = 0; t < nFrames; t++) out[t * nFeatures + r] = data[o + t];
  }
  return out;
}
