/** A thread of l1Triangle (src/similarity/l1-triangle.ts): rows of each band of L1 distances. */
import { workerData } from 'node:worker_threads';
import { triangleWorker } from './l1-triangle.js';

triangleWorker(workerData);
