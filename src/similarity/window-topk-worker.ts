/** A thread of windowMatchTopK (src/similarity/exact-topk.ts): bands of rows into its own lists. */
import { workerData } from 'node:worker_threads';
import { windowTopKThread } from './exact-topk.js';

windowTopKThread(workerData);
