/** A thread of cosineDistanceMatrix (src/similarity/cosine-matrix.ts): chunks of rows of the distance matrix. */
import { workerData } from 'node:worker_threads';
import { cosineChunks } from './cosine-matrix.js';

const { u, dim, full, state } = workerData as { u: Float64Array; dim: number; full: Float32Array; state: Int32Array };
cosineChunks(u, dim, full, state);
