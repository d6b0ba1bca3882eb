/**
 * DTW-based top-10 for a catalogue: strategies compared for speed and accuracy.
 *
 * Run: npx tsc -p . && node dist/benchmarks/similarity/dtw-topk.js [--n 5000] [--subset 300]
 *      [--workers 2] [--full CONFIG] [--full-n N] [--configs a,b,c]
 *
 * 1. Corpus: makeCorpus (families of 10 related tracks, 1292 x 20 frames), then shuffled so that
 *    families are not contiguous (catalogue order is arbitrary in practice).
 * 2. Truth: exact, unpooled, unbanded DTW top-10 on a subset of `subset` tracks (30 whole families,
 *    shuffled), computed with runBlocks + pruneK (exact top-k, proven in the tests).
 * 3. Each strategy runs on the same subset: recall@10 against the truth, and its cost.
 * 4. `--full CONFIG`: run one strategy on `--full-n` tracks (default n) with the given workers;
 *    reports wall time, pairs computed, pairs abandoned, and peak RSS.
 * Prints JSON, then markdown tables.
 */
import { cosineTopK, meanStdOfFrames } from '../../src/similarity/cosine.js';
import {
  blockPairCount,
  packSequences,
  pairListBlocks,
  planBlocks,
  runBlocks,
  type Block,
  type MethodSpec,
} from '../../src/similarity/all-pairs.js';
import { TopKAccumulator, type NeighbourLists } from '../../src/similarity/topk.js';
import { machine, makeCorpus, makeRng } from './corpus.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const N = Number(arg('n', '5000'));
const SUBSET = Number(arg('subset', '300'));
const WORKERS = Number(arg('workers', '2'));
const K = 10;

/** A strategy: all pairs with a DTW spec, or a cosine shortlist of M then a DTW spec on it. */
interface Strategy {
  name: string;
  spec: MethodSpec;
  /** cosine prefilter: keep the top-M cosine neighbours of each track (pairs deduplicated) */
  prefilterM?: number;
}

const STRATEGIES: Record<string, Strategy> = {
  'p8-b10-prune': { name: 'pool 8, band 10%, LB_Keogh + early abandon (all pairs)', spec: { method: 'dtw', pool: 8, band: 0.1, pruneK: K } },
  'p4-b10-prune': { name: 'pool 4, band 10%, LB_Keogh + early abandon (all pairs)', spec: { method: 'dtw', pool: 4, band: 0.1, pruneK: K } },
  'p8-prune': { name: 'pool 8, no band, early abandon (all pairs)', spec: { method: 'dtw', pool: 8, pruneK: K } },
  'p16-b10-prune': { name: 'pool 16, band 10%, LB_Keogh + early abandon (all pairs)', spec: { method: 'dtw', pool: 16, band: 0.1, pruneK: K } },
  'cos50-p4': { name: 'cosine top-50 shortlist, then DTW pool 4, no band', spec: { method: 'dtw', pool: 4 }, prefilterM: 50 },
  'cos50-p2-b10': { name: 'cosine top-50 shortlist, then DTW pool 2, band 10%', spec: { method: 'dtw', pool: 2, band: 0.1 }, prefilterM: 50 },
  'cos100-p4-b10': { name: 'cosine top-100 shortlist, then DTW pool 4, band 10%', spec: { method: 'dtw', pool: 4, band: 0.1 }, prefilterM: 100 },
  'cos100-p1-b10': { name: 'cosine top-100 shortlist, then exact DTW band 10%', spec: { method: 'dtw', band: 0.1 }, prefilterM: 100 },
  'cos20-p1': { name: 'cosine top-20 shortlist, then exact unbanded DTW', spec: { method: 'dtw' }, prefilterM: 20 },
};

interface RunStats {
  seconds: number;
  /** process CPU time (all threads): the wall time an otherwise idle 2-core machine needs is about cpu / 2 */
  cpuSeconds: number;
  pairs: number;
  abandoned: number;
  lists: NeighbourLists;
}

async function runStrategy(seqs: Float32Array[], dim: number, st: Strategy, workers: number): Promise<RunStats> {
  const n = seqs.length;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let blocks: Block[];
  if (st.prefilterM) {
    const v = new Float64Array(n * 2 * dim);
    seqs.forEach((s, i) => v.set(meanStdOfFrames(s, dim), i * 2 * dim));
    const m = Math.min(st.prefilterM, n - 1);
    const top = cosineTopK(v, 2 * dim, { k: m, standardize: true });
    const seen = new Set<number>();
    const list: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < m; q++) {
        const j = top.index[i * m + q];
        if (j < 0) continue;
        const a = Math.min(i, j);
        const b = Math.max(i, j);
        const key = a * n + b;
        if (!seen.has(key)) {
          seen.add(key);
          list.push(a, b);
        }
      }
    }
    blocks = pairListBlocks(new Int32Array(list), 2000);
  } else {
    blocks = planBlocks(n, 64);
  }
  const acc = new TopKAccumulator(n, K);
  let pairs = 0;
  let abandoned = 0;
  await runBlocks(packSequences(seqs, dim), blocks, st.spec, {
    workers,
    onBlock: (b, d) => {
      acc.addBlock(b, d);
      pairs += blockPairCount(b);
      for (let p = 0; p < d.length; p++) if (d[p] === Infinity) abandoned++;
    },
  });
  const c = process.cpuUsage(c0);
  return {
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (c.user + c.system) / 1e6,
    pairs,
    abandoned,
    lists: acc.result(),
  };
}

function recall(got: NeighbourLists, truth: NeighbourLists): number {
  let hit = 0;
  let total = 0;
  for (let i = 0; i < truth.n; i++) {
    const want = new Set<number>();
    for (let q = 0; q < truth.k; q++) if (truth.index[i * truth.k + q] >= 0) want.add(truth.index[i * truth.k + q]);
    for (let q = 0; q < got.k; q++) if (want.has(got.index[i * got.k + q])) hit++;
    total += want.size;
  }
  return hit / total;
}

function shuffle(n: number, seed: number): number[] {
  const { u } = makeRng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

async function main(): Promise<void> {
  const configs = arg('configs', Object.keys(STRATEGIES).join(',')).split(',').filter(Boolean);
  const full = arg('full', '');
  const fullN = Number(arg('full-n', String(N)));
  const out: Record<string, unknown> = { machine: machine(), workers: WORKERS, k: K };

  // subset: the first SUBSET tracks of a family-ordered corpus (whole families), shuffled
  if (SUBSET > 0) {
    const sub = makeCorpus(SUBSET, { frames: 1292, familySize: 10, seed: 99 });
    const order = shuffle(SUBSET, 1);
    const seqs = order.map((i) => sub.seqs[i]);
    console.error(`truth: exact unbanded DTW top-${K} on ${SUBSET} tracks ...`);
    const truth = await runStrategy(seqs, sub.dim, { name: 'exact', spec: { method: 'dtw', pruneK: K } }, WORKERS);
    const truthPairs = (SUBSET * (SUBSET - 1)) / 2;
    out.subset = { tracks: SUBSET, corpus: sub.description };
    out.truth = {
      seconds: +truth.seconds.toFixed(1),
      cpu_seconds: +truth.cpuSeconds.toFixed(1),
      pairs: truthPairs,
      abandoned: truth.abandoned,
    };
    console.error(JSON.stringify(out.truth));
    const rows: Record<string, unknown>[] = [];
    for (const c of configs) {
      const st = STRATEGIES[c];
      if (!st) throw new Error(`unknown config ${c}`);
      const r = await runStrategy(seqs, sub.dim, st, WORKERS);
      const row = {
        config: c,
        strategy: st.name,
        recall_at_10: +recall(r.lists, truth.lists).toFixed(4),
        seconds: +r.seconds.toFixed(2),
        cpu_seconds: +r.cpuSeconds.toFixed(2),
        pairs: r.pairs,
        abandoned: r.abandoned,
        ms_per_subset_pair: +((r.seconds * 1000 * WORKERS) / truthPairs).toFixed(4),
      };
      rows.push(row);
      console.error(JSON.stringify(row));
    }
    out.strategies = rows;
  }

  if (full) {
    const st = STRATEGIES[full];
    const corpus = makeCorpus(fullN, { frames: 1292, familySize: 10, seed: 2024 });
    const order = shuffle(fullN, 2);
    const seqs = order.map((i) => corpus.seqs[i]);
    corpus.seqs.length = 0;
    console.error(`full run: ${full} on ${fullN} tracks with ${WORKERS} workers ...`);
    const r = await runStrategy(seqs, corpus.dim, st, WORKERS);
    // family recall: how many of a track's 9 family members are in its top-10
    const fam = order.map((i) => corpus.family[i]);
    let hit = 0;
    for (let i = 0; i < fullN; i++) {
      for (let q = 0; q < K; q++) {
        const j = r.lists.index[i * K + q];
        if (j >= 0 && fam[j] === fam[i]) hit++;
      }
    }
    out.full = {
      config: full,
      strategy: st.name,
      tracks: fullN,
      corpus: corpus.description,
      seconds: +r.seconds.toFixed(1),
      cpu_seconds: +r.cpuSeconds.toFixed(1),
      pairs: r.pairs,
      abandoned: r.abandoned,
      // all pairs: cost grows with the pair count (an upper bound: pruning improves with n);
      // shortlist: with n * M pairs, linearly
      extrapolated_to_5000_idle_2core_minutes: +(
        ((r.cpuSeconds / 2) * (st.prefilterM ? 5000 / fullN : (5000 * 4999) / (fullN * (fullN - 1)))) /
        60
      ).toFixed(1),
      family_members_in_top10: +(hit / (fullN * 9)).toFixed(4),
      peak_rss_mib: +(process.resourceUsage().maxRSS / 1024).toFixed(0),
    };
    console.error(JSON.stringify(out.full));
  }
  out.peak_rss_mib = +(process.resourceUsage().maxRSS / 1024).toFixed(0);
  console.log(JSON.stringify(out, null, 2));
  if (out.strategies) {
    console.log(`\n| strategy (on ${SUBSET} tracks, ${WORKERS} workers) | recall@10 | wall s | CPU s | pairs computed | abandoned |`);
    console.log('|---|---|---|---|---|---|');
    for (const r of out.strategies as Record<string, unknown>[]) {
      console.log(`| ${r.strategy} | ${r.recall_at_10} | ${r.seconds} | ${r.cpu_seconds} | ${r.pairs} | ${r.abandoned} |`);
    }
  }
  if (out.full) {
    const f = out.full as Record<string, unknown>;
    console.log(`\n| full run | tracks | wall s | CPU s | pairs | abandoned | family recall | peak RSS MiB |`);
    console.log('|---|---|---|---|---|---|---|---|');
    console.log(
      `| ${f.strategy} | ${f.tracks} | ${f.seconds} | ${f.cpu_seconds} | ${f.pairs} | ${f.abandoned} | ${f.family_members_in_top10} | ${f.peak_rss_mib} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
