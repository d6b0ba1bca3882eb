/**
 * The parallel block engine: all-pairs (or listed-pairs) distances over worker threads.
 *
 * Sequences are packed once into shared memory (blocks.ts `packSequences`); each worker receives
 * them and the method spec at start, then pulls blocks one message at a time (never one message
 * per pair) and returns one Float32Array of distances per block. `onBlock` runs in the main thread
 * for each finished block, one call at a time in completion order (a returned promise is awaited
 * before the next call), while workers keep computing; the lead commits each block there.
 *
 * Results do not depend on the number of workers (each distance is a pure function of its pair),
 * except with `spec.pruneK`, where which pairs come back as Infinity (abandoned) depends on the
 * schedule, but the top-k lists derived from them do not.
 */
import { Worker } from 'node:worker_threads';
import { YasrError, badParameter } from '../errors.js';
import { workerFile } from '../util/worker-url.js';
import {
  createBlockComputer,
  checkSpec,
  envelopeWindow,
  type MethodSpec,
  type PackedEnvelopes,
} from './block-compute.js';
import { type Block, type PackedSequences, packSequences, sequenceView } from './blocks.js';
import { envelope } from './lb-keogh.js';
import { poolFrames } from './pool.js';

export type { Block, PackedSequences } from './blocks.js';
export { packSequences, planBlocks, pairListBlocks, blockPairCount, forEachPair, sequenceView } from './blocks.js';
export type { MethodSpec } from './block-compute.js';

/** Options for {@link runBlocks}. */
export interface RunBlocksOptions {
  /** Worker threads (default 1). 0 or 1: computed inline in the main thread. */
  workers?: number;
  /** Called in the main thread as each block finishes, one call at a time. */
  onBlock: (block: Block, distances: Float32Array) => void | Promise<void>;
  /** Abort: stops dispatching, terminates the workers, rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Compute in the main thread (true) or on worker threads (false: at least one, even for a
   * single block, so that the main thread stays free, e.g. to renew leases). Default: in the main
   * thread for workers <= 1 or a single block.
   */
  inline?: boolean;
}

/** Pool every packed sequence by `size` frames (a new packed set). */
export function poolPacked(packed: PackedSequences, size: number): PackedSequences {
  if (size === 1) return packed;
  const seqs: Float32Array[] = [];
  for (let i = 0; i < packed.count; i++) seqs.push(poolFrames(sequenceView(packed, i), packed.dim, size));
  return packSequences(seqs, packed.dim);
}

/** LB_Keogh envelopes of every packed sequence, in shared memory (for spec.pruneK with DTW). */
export function packEnvelopes(packed: PackedSequences, band?: number): PackedEnvelopes {
  const total = packed.frames.length;
  const lower = new Float32Array(new SharedArrayBuffer(Math.max(1, total) * 4));
  const upper = new Float32Array(new SharedArrayBuffer(Math.max(1, total) * 4));
  const window = new Int32Array(new SharedArrayBuffer(Math.max(1, packed.count) * 4)).subarray(0, packed.count);
  let lmin = Infinity;
  let lmax = 0;
  for (let i = 0; i < packed.count; i++) {
    lmin = Math.min(lmin, packed.lengths[i]);
    lmax = Math.max(lmax, packed.lengths[i]);
  }
  for (let i = 0; i < packed.count; i++) {
    const w = envelopeWindow(packed.lengths[i], lmin, lmax, band);
    const e = envelope(sequenceView(packed, i), packed.dim, w);
    const o = packed.offsets[i] * packed.dim;
    lower.set(e.lower, o);
    upper.set(e.upper, o);
    window[i] = w;
  }
  return { lower, upper, window };
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new YasrError('INTERNAL', 'all-pairs run aborted');
}

/**
 * Compute every block's distances (see module doc) and hand each to `onBlock`.
 * @param packed sequences from packSequences (unpooled; `spec.pool` is applied here, once)
 * @param blocks from planBlocks / pairListBlocks; indices refer to `packed`
 * @param spec method and its parameters
 */
export async function runBlocks(
  packed: PackedSequences,
  blocks: Block[],
  spec: MethodSpec,
  options: RunBlocksOptions,
): Promise<void> {
  checkSpec(spec);
  const nWorkers = options.workers ?? 1;
  if (!Number.isInteger(nWorkers) || nWorkers < 0) throw badParameter('workers', nWorkers, 'an integer >= 0');
  const signal = options.signal;
  if (signal?.aborted) throw abortError(signal);
  for (const b of blocks) {
    if (b.rows[0] < 0 || b.cols[0] < 0 || b.rows[1] > packed.count || b.cols[1] > packed.count) {
      throw badParameter('block', { id: b.id, rows: b.rows, cols: b.cols }, `indices within [0, ${packed.count})`);
    }
  }
  if (blocks.length === 0) return;
  const work = poolPacked(packed, spec.pool ?? 1);
  const envelopes = spec.method === 'dtw' && spec.pruneK && (spec.lbKeogh ?? true) ? packEnvelopes(work, spec.band) : undefined;
  const workerSpec: MethodSpec = { ...spec, pool: 1 };

  if (options.inline ?? (nWorkers <= 1 || blocks.length <= 1)) {
    const compute = createBlockComputer(work, workerSpec, envelopes);
    for (const b of blocks) {
      if (signal?.aborted) throw abortError(signal);
      const d = compute(b);
      await options.onBlock(b, d);
      // let timers / abort handlers run between blocks
      await new Promise<void>((r) => setImmediate(r));
    }
    return;
  }

  const file = workerFile(import.meta.url, 'all-pairs-worker');
  const count = Math.max(1, Math.min(nWorkers, blocks.length));
  const byId = new Map<number, Block>();
  for (const b of blocks) byId.set(b.id, b);
  if (byId.size !== blocks.length) throw badParameter('blocks', 'duplicate ids', 'unique block ids');

  await new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let finished = 0;
    let failed = false;
    let chain: Promise<void> = Promise.resolve();
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    };
    const onAbort = (): void => fail(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const dispatch = (w: Worker): void => {
      if (failed || next >= blocks.length) return;
      w.postMessage({ type: 'block', block: blocks[next++] });
    };
    for (let t = 0; t < count; t++) {
      const w = new Worker(file, { workerData: { packed: work, spec: workerSpec, envelopes } });
      workers.push(w);
      w.on('message', (msg: { type: string; id: number; distances?: Float32Array; message?: string }) => {
        if (failed) return;
        if (msg.type === 'error') {
          fail(new YasrError('INTERNAL', `all-pairs worker failed on block ${msg.id}: ${msg.message}`));
          return;
        }
        const block = byId.get(msg.id)!;
        dispatch(w);
        const d = msg.distances!;
        chain = chain
          .then(() => (failed ? undefined : options.onBlock(block, d)))
          .then(() => {
            finished++;
            if (finished === blocks.length && !failed) {
              failed = true; // done: ignore late events
              signal?.removeEventListener('abort', onAbort);
              Promise.all(workers.map((x) => x.terminate())).then(() => resolve(), resolve);
            }
          }, fail);
      });
      w.on('error', (err) => fail(err));
      w.on('exit', (code) => {
        if (!failed && code !== 0) fail(new YasrError('INTERNAL', `all-pairs worker exited with code ${code}`));
      });
      dispatch(w);
    }
  });
}
