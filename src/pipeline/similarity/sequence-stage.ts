import type { Db } from '../../store/db.js';
import {
  addMembers, addPlan, deactivate, iterateBlocks, members as loadMembers, pendingBlocks, putBlock,
  type Member, type PlannedBlock,
} from '../../store/similarity.js';
import { packSequences, planBlocks, runBlocks, type Block, type MethodSpec } from '../../similarity/all-pairs.js';
import type { CatalogueEntry } from './catalogue.js';
import { sequenceOf } from './catalogue.js';
import { poolFrames } from '../../similarity/pool.js';
import type { ProgressSink } from '../progress-events.js';

/**
 * Bring a result set's membership up to date and plan the blocks that new members need, in one
 * transaction: members are append-only (a track whose analysis changed gets a new index; its
 * old one is deactivated), so the pairs among old members never need computing again. Without
 * `blockSize` no blocks are planned (a shortlisted set works out its pairs each run instead).
 */
export function syncMembers(db: Db, setId: number, entries: CatalogueEntry[], blockSize?: number): { added: number; removed: number } {
  return db.transaction(() => {
    const current = loadMembers(db, setId);
    const byTrack = new Map<number, Member>();
    for (const m of current) if (m.active) byTrack.set(m.trackId, m);
    const wanted = new Map(entries.map((e) => [e.trackId, e]));
    let removed = 0;
    for (const m of byTrack.values()) {
      const e = wanted.get(m.trackId);
      if (!e || e.inputSha !== m.inputSha) {
        deactivate(db, setId, m.idx);
        byTrack.delete(m.trackId);
        removed++;
      }
    }
    const from = current.length;
    const add: Member[] = [];
    for (const e of entries) {
      if (!byTrack.has(e.trackId)) add.push({ idx: from + add.length, trackId: e.trackId, inputSha: e.inputSha, active: true });
    }
    if (add.length) {
      addMembers(db, setId, add);
      if (blockSize === undefined) return { added: add.length, removed };
      const plan = planBlocks(from + add.length, blockSize, { onlyNewFrom: from });
      addPlan(db, setId, plan.map((b) => ({ i0: b.rows[0], i1: b.rows[1], j0: b.cols[0], j1: b.cols[1], diagonal: !!b.diagonal })));
    }
    return { added: add.length, removed };
  }).immediate();
}

/**
 * Compute every pending block of a sequence method on worker threads; each block commits as it
 * arrives, so a killed run resumes with the blocks still missing.
 */
export async function computePendingBlocks(
  db: Db,
  setId: number,
  spec: MethodSpec,
  feature: string,
  a: { workers: number; progress?: ProgressSink; signal?: AbortSignal },
): Promise<{ computed: number; pairs: number }> {
  const pending = pendingBlocks(db, setId);
  if (pending.length === 0) return { computed: 0, pairs: 0 };
  a.progress?.start(pending.length, 'similarity');
  try {
    return await computeAndStoreBlocks(db, setId, pending, spec, feature, {
      workers: a.workers,
      signal: a.signal,
      onStored: (p) => a.progress?.tick(`block ${p.i0}:${p.j0}`, true),
    });
  } finally {
    a.progress?.stop();
  }
}

/**
 * Compute planned blocks of a set and store each as it arrives (putBlock), with `inTransaction`
 * (a queued task's completion) in the same transaction: the one way blocks are computed, by a
 * single run (computePendingBlocks) and by `yasr worker` (a block task) alike. Only the members
 * the blocks touch are read; each distance is a pure function of its pair, so the stored values do
 * not depend on which blocks are computed together, nor where.
 */
export async function computeAndStoreBlocks(
  db: Db,
  setId: number,
  planned: readonly PlannedBlock[],
  spec: MethodSpec,
  feature: string,
  a: {
    workers: number;
    signal?: AbortSignal;
    /** See RunBlocksOptions.inline (the worker computes off the main thread, which renews its leases). */
    inline?: boolean;
    inTransaction?: (p: PlannedBlock) => void;
    onStored?: (p: PlannedBlock, pairs: number) => void;
  },
): Promise<{ computed: number; pairs: number }> {
  if (planned.length === 0) return { computed: 0, pairs: 0 };
  const all = loadMembers(db, setId);
  const needed = new Uint8Array(all.length);
  for (const p of planned) {
    needed.fill(1, p.i0, p.i1);
    needed.fill(1, p.j0, p.j1);
  }
  // Inactive (and unneeded) members are never read: a one-frame placeholder keeps indices aligned.
  // Pooled here, one track at a time, so that only the pooled sequences are ever held together.
  const poolN = spec.pool ?? 1;
  let dim = 0;
  const seqs: Float32Array[] = all.map((m, i) => {
    if (!m.active || !needed[i]) return new Float32Array(0);
    const s = sequenceOf(db, m.trackId, feature);
    dim = s.dim;
    return poolN > 1 ? poolFrames(s.seq, s.dim, poolN) : s.seq;
  });
  if (dim === 0) dim = 1; // every member in reach left the set: nothing read will be kept
  const seqsFilled = seqs.map((s) => (s.length ? s : new Float32Array(dim)));
  const packed = packSequences(seqsFilled, dim);
  seqs.length = 0;
  spec = { ...spec, pool: 1 };
  const blocks: Block[] = planned.map((p, id) => ({ id, rows: [p.i0, p.i1], cols: [p.j0, p.j1], diagonal: p.diagonal }));
  let pairs = 0;
  let last = performance.now();
  await runBlocks(packed, blocks, spec, {
    workers: a.workers,
    signal: a.signal,
    inline: a.inline,
    onBlock: (b, d) => {
      const p: PlannedBlock = planned[b.id];
      // ms: time since the previous block was stored (blocks arrive one at a time)
      const now = performance.now();
      db.transaction(() => {
        putBlock(db, setId, p, d, now - last);
        a.inTransaction?.(p);
      })();
      last = now;
      pairs += d.length;
      a.onStored?.(p, d.length);
    },
  });
  return { computed: blocks.length, pairs };
}

export interface NeighbourLists {
  nearest: Map<number, { idx: number; score: number }[]>;
  farthest: Map<number, { idx: number; score: number }[]>;
}

/**
 * Derive, from every finished block, each active member's k nearest (smallest distance) and k
 * farthest partners. Deterministic: ties go to the smaller index.
 */
export function deriveNeighbours(db: Db, setId: number, k: number): { lists: Map<number, { nearest: [number, number][]; farthest: [number, number][] }>; members: Member[] } {
  const ms = loadMembers(db, setId);
  const n = ms.length;
  const active = ms.map((m) => m.active);
  const near = Array.from({ length: n }, () => new TopK(k, 1));
  const far = Array.from({ length: n }, () => new TopK(k, -1));
  for (const b of iterateBlocks(db, setId)) {
    let p = 0;
    for (let i = b.i0; i < b.i1; i++) {
      for (let j = b.diagonal ? i + 1 : b.j0; j < b.j1; j++, p++) {
        if (!active[i] || !active[j]) continue;
        const d = b.data[p];
        if (Number.isNaN(d)) continue;
        near[i].push(j, d);
        near[j].push(i, d);
        if (Number.isFinite(d)) {
          far[i].push(j, d);
          far[j].push(i, d);
        }
      }
    }
  }
  const lists = new Map<number, { nearest: [number, number][]; farthest: [number, number][] }>();
  for (let i = 0; i < n; i++) {
    if (!active[i]) continue;
    lists.set(i, { nearest: near[i].sorted(), farthest: far[i].sorted() });
  }
  return { lists, members: ms };
}

/** Bounded best-k list; sign 1 keeps the smallest values, -1 the largest; ties by index. */
export class TopK {
  private readonly keys: number[] = [];
  private readonly idx: number[] = [];
  private readonly vals: number[] = [];
  constructor(private readonly k: number, private readonly sign: number) {}
  push(j: number, v: number): void {
    const key = this.sign * v;
    const n = this.idx.length;
    if (n === this.k) {
      const lk = this.keys[n - 1];
      if (key > lk || (key === lk && j > this.idx[n - 1])) return;
    }
    let p = n === this.k ? n - 1 : n;
    if (n < this.k) {
      this.keys.push(0);
      this.idx.push(0);
      this.vals.push(0);
    }
    while (p > 0 && (this.keys[p - 1] > key || (this.keys[p - 1] === key && this.idx[p - 1] > j))) {
      this.keys[p] = this.keys[p - 1];
      this.idx[p] = this.idx[p - 1];
      this.vals[p] = this.vals[p - 1];
      p--;
    }
    this.keys[p] = key;
    this.idx[p] = j;
    this.vals[p] = v;
  }
  sorted(): [number, number][] {
    return this.idx.map((j, p) => [j, this.vals[p]]);
  }
}
