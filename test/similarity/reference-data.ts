/** Loading the shared reference data for the similarity tests (skipped when absent). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readNpy } from '../../src/interop/npy.js';

import { REFERENCE } from '../helpers/reference.js';

/** `../shared/reference` relative to the repository root. */
export const REFERENCE_DIR = REFERENCE;
export const EXPECTED_DIR = path.join(REFERENCE_DIR, 'expected');
export { HAVE_REFERENCE } from '../helpers/reference.js';

export interface DtwPair {
  a: string;
  b: string;
  dtw_exact: number;
  fastdtw_r1: number;
  fastdtw_r10: number;
  fastdtw_r1_seconds: number;
  fastdtw_r10_seconds: number;
}

export interface Manifest {
  dtw_pairs: DtwPair[];
  cosine_mfcc_mean_std: { order: string[]; matrix: number[][] };
}

export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(path.join(EXPECTED_DIR, 'manifest.json'), 'utf8')) as Manifest;
}

/** A clip's MFCCs: librosa layout [20, T] as stored, plus frame-major [T, 20]. */
export function loadMfcc(name: string): { rows: number; cols: number; data: Float32Array; frames: Float32Array } {
  const arr = readNpy(path.join(EXPECTED_DIR, `${name}.mfcc.npy`));
  const [rows, cols] = arr.shape;
  const data = Float32Array.from(arr.data);
  const frames = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) frames[c * rows + r] = data[r * cols + c];
  return { rows, cols, data, frames };
}
