/**
 * A sequence method (dtw, fastdtw) on a cosine shortlist: `yasr similarity --method dtw
 * --shortlist N`, or on ANN candidates (`--candidates C`: the same stage, the pairs from the
 * catalogue's ANN index instead, ./candidates.ts; what follows about the shortlist's source is the
 * exact one's, and the rest holds for both).
 *
 * Which pairs: over the set's current catalogue (the analysed tracks with the sequence and
 * mfcc_summary, in track-id order), each track's N nearest by cosine of the mfcc_summary vectors
 * z-scored across that same catalogue (src/similarity/shortlist.ts); the pair {i, j} is wanted
 * when j is in i's shortlist or i in j's. A wanted pair's distance is method(seq of the smaller
 * track id, seq of the other), so it does not depend on the order tracks joined the set.
 *
 * Incremental rule (shortlists recomputed, only missing pairs computed): every run works out the
 * wanted pairs afresh for the catalogue as it is now, z-scoring statistics included, computes the
 * wanted pairs whose distance is not stored yet (in blocks of pairs, each committed as it
 * arrives), and derives each track's k nearest from exactly the wanted pairs. Consequences:
 * - a new track gets its shortlist; an old track whose shortlist the new track enters gets that
 *   pair computed, and its list updated;
 * - when the new tracks shift the z-scoring statistics (or a track leaves), some old tracks'
 *   shortlists change too: the pairs that enter are computed, the pairs that leave stay stored
 *   but no longer count (they count again, uncomputed, if they re-enter);
 * - removed or re-analysed tracks drop out (their member is deactivated; a re-analysed track is
 *   a new member, compared afresh);
 * - so the stored lists equal a from-scratch run's on the same final catalogue, bit for bit
 *   (each distance is a pure function of its two sequences; the wanted pairs and the ranking,
 *   ties to the smaller track id, are pure functions of the catalogue);
 * - a killed run resumes with the wanted pairs still missing (finished blocks are kept).
 * The cost of the rule: a run after new tracks arrived may compute a few pairs among old tracks
 * whose shortlists moved with the statistics, beyond the new tracks' own pairs.
 *
 * Stored lists hold the k nearest only (farthest is empty): the farthest tracks of a shortlist
 * are not the catalogue's farthest.
 */
import type { Db } from '../../store/db.js';
import { YasrError } from '../../errors.js';
import { featureMap } from '../../store/features.js';
import { countPairs, forEachPairDistance, members as loadMembers, putPairs, type NeighbourEntry } from '../../store/similarity.js';
import { pairListBlocks, packSequences, runBlocks, type MethodSpec } from '../../similarity/all-pairs.js';
import { poolFrames } from '../../similarity/pool.js';
import { shortlistPairs } from '../../similarity/shortlist.js';
import type { ProgressSink } from '../progress-events.js';
import { sequenceOf, type CatalogueEntry } from './catalogue.js';
import { SHORTLIST_VECTOR } from './defaults.js';
import { TopK } from './sequence-stage.js';

/**
 * The wanted pairs of `entries` (see module doc) as positions into `entries` (p < q, sorted):
 * entries must be in track-id order.
 */
export function wantedPairs(db: Db, entries: CatalogueEntry[], size: number): Int32Array {
  if (entries.length < 2) return new Int32Array(0);
  const all = featureMap(db, SHORTLIST_VECTOR);
  const dim = all.get(entries[0].trackId)!.data.length;
  const data = new Float32Array(entries.length * dim);
  entries.forEach((e, i) => {
    const v = all.get(e.trackId)!.data;
    if (v.length !== dim) {
      throw new YasrError('STORE', `track #${e.trackId}: ${SHORTLIST_VECTOR} has ${v.length} values, others ${dim}; run yasr features again`);
    }
    data.set(v, i * dim);
  });
  return shortlistPairs(data, dim, size);
}

export interface ShortlistRun {
  /** Wanted pairs (the lists derive from these). */
  wanted: number;
  /** Blocks of pairs computed by this run, and their pairs. */
  computed: number;
  pairs: number;
  /** Pair distances the set now stores (stale ones included). */
  stored: number;
  /** Each entry's k nearest (distance, then track id, ascending); farthest is empty. */
  lists: Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>;
}

/**
 * Compute the wanted pairs still missing from a shortlisted set (its members already synced with
 * `entries`) on worker threads, committing each block of pairs as it arrives, then derive each
 * entry's k nearest from the wanted pairs.
 */
export async function runShortlist(
  db: Db,
  setId: number,
  entries: CatalogueEntry[],
  a: {
    /** The wanted pairs of the entries in track-id order (wantedPairs for --shortlist, candidatePairs for --candidates). */
    wanted: (sorted: CatalogueEntry[]) => Int32Array;
    spec: MethodSpec;
    feature: string;
    k: number;
    workers: number;
    pairsPerBlock: number;
    progress?: ProgressSink;
    signal?: AbortSignal;
  },
): Promise<ShortlistRun> {
  const sorted = [...entries].sort((x, y) => x.trackId - y.trackId);
  const ms = loadMembers(db, setId);
  const memberOf = new Map<number, number>();
  for (const m of ms) if (m.active) memberOf.set(m.trackId, m.idx);
  const idx = Int32Array.from(sorted, (e) => {
    const i = memberOf.get(e.trackId);
    if (i === undefined) throw new YasrError('INTERNAL', `track #${e.trackId} is not a member of similarity set ${setId}`);
    return i;
  });
  const wanted = a.wanted(sorted);
  const M = ms.length;
  const dist = new Map<number, number>();
  forEachPairDistance(db, setId, (x, y, d) => dist.set(x * M + y, d));
  // pending pairs as members (the smaller track id's first)
  const pending: number[] = [];
  for (let p = 0; p < wanted.length; p += 2) {
    const x = idx[wanted[p]];
    const y = idx[wanted[p + 1]];
    if (!dist.has(x * M + y)) pending.push(x, y);
  }
  let computed = 0;
  let pairs = 0;
  if (pending.length) {
    const pendingPairs = Int32Array.from(pending);
    // only the members of pending pairs are read and pooled; the others get a one-frame placeholder
    const need = new Set(pending);
    const poolN = a.spec.pool ?? 1;
    let dim = 0;
    const seqs: Float32Array[] = ms.map((m) => {
      if (!m.active || !need.has(m.idx)) return new Float32Array(0);
      const s = sequenceOf(db, m.trackId, a.feature);
      dim = s.dim;
      return poolN > 1 ? poolFrames(s.seq, s.dim, poolN) : s.seq;
    });
    const packed = packSequences(seqs.map((s) => (s.length ? s : new Float32Array(dim))), dim);
    seqs.length = 0;
    const blocks = pairListBlocks(pendingPairs, a.pairsPerBlock);
    let last = performance.now();
    a.progress?.start(blocks.length, 'similarity');
    try {
      await runBlocks(packed, blocks, { ...a.spec, pool: 1 }, {
        workers: a.workers,
        signal: a.signal,
        onBlock: (b, d) => {
          putPairs(db, setId, b.pairs!, d);
          for (let p = 0; p < d.length; p++) dist.set(b.pairs![2 * p] * M + b.pairs![2 * p + 1], d[p]);
          computed++;
          pairs += d.length;
          const now = performance.now();
          a.progress?.tick(`${pairs} pairs (${(now - last).toFixed(0)} ms)`, true);
          last = now;
        },
      });
    } finally {
      a.progress?.stop();
    }
  }
  const near = sorted.map(() => new TopK(a.k, 1));
  for (let p = 0; p < wanted.length; p += 2) {
    const i = wanted[p];
    const j = wanted[p + 1];
    const d = dist.get(idx[i] * M + idx[j])!;
    if (Number.isNaN(d)) continue;
    near[i].push(j, d);
    near[j].push(i, d);
  }
  const lists = new Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>();
  sorted.forEach((e, i) => {
    lists.set(e.trackId, { nearest: near[i].sorted().map(([j, s]) => ({ trackId: sorted[j].trackId, score: s })), farthest: [] });
  });
  return { wanted: wanted.length / 2, computed, pairs, stored: countPairs(db, setId), lists };
}
