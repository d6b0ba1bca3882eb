/**
 * Worker thread of the all-pairs engine (see all-pairs.ts). Receives the packed sequences (shared
 * memory) and the method spec once through workerData, then one message per block:
 * in  { type: 'block', block }
 * out { type: 'done', id, distances: Float32Array (transferred) } | { type: 'error', id, message }
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBlockComputer, type MethodSpec, type PackedEnvelopes } from './block-compute.js';
import type { Block, PackedSequences } from './blocks.js';

interface InitData {
  packed: PackedSequences;
  spec: MethodSpec;
  envelopes?: PackedEnvelopes;
}

const init = workerData as InitData;
const compute = createBlockComputer(init.packed, init.spec, init.envelopes);

parentPort!.on('message', (msg: { type: 'block'; block: Block }) => {
  if (msg.type !== 'block') return;
  try {
    const distances = compute(msg.block);
    parentPort!.postMessage({ type: 'done', id: msg.block.id, distances }, [distances.buffer as ArrayBuffer]);
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    parentPort!.postMessage({ type: 'error', id: msg.block.id, message });
  }
});
