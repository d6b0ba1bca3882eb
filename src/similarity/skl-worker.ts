/** A thread of sklMatrix (src/similarity/skl-matrix.ts): chunks of rows of the divergence matrix. */
import { workerData } from 'node:worker_threads';
import type { SklModels } from './gaussian.js';
import { sklChunks, type SklKernelChoice } from './skl-matrix.js';

const { set, full, state, kernel } = workerData as { set: SklModels; full: Float32Array; state: Int32Array; kernel: SklKernelChoice };
sklChunks(set, full, state, kernel);
