/**
 * DTW-based top-10 for a catalogue: strategies compared for speed and accuracy.
 *
 * Run: npx tsc -p . && node dist/benchmarks/similarity/dtw-topk.js [--n 5000] [--subset 300]
 *      [--workers 2] [--full CONFIG] [--full-n N] [--configs a,b,c] [--truth FILE] [--seed 99]
 *
 * 1. Corpus: makeCorpus (families of 10 related tracks, 1292 x 20 frames), then shuffled so that
 *    families are not contiguous (catalogue order is arbitrary in practice).
 * 2. Truth: exact, unpooled, unbanded DTW top-10 on a subset of `subset` tracks (30 whole families,
 *    shuffled), computed with runBlocks + pruneK (exact top-k, proven in the tests); `--truth FILE`
 *    keeps it in FILE and reads it back on later runs of the same subset (it is the slow part).
 * 3. Each strategy runs on the same subset: recall@10 against the truth, and its cost.
 * 4. `--full CONFIG`: run one strategy on `--full-n` tracks (default n) with the given workers;
 *    reports wall time, pairs computed, pairs abandoned, and peak RSS.
 * Prints JSON, then markdown tables.
 *
 * Configs named `pipe[-slN]-pP[-bB]` go through the real pipeline: the tracks are written to a
 * temporary database as analysed tracks (mfcc and its mfcc_summary), then `runSimilarity` runs
 * `yasr similarity --method dtw --pool P --band B/100 [--shortlist N]` (no -slN: all pairs, no
 * -bB: no band) with -k 10; its wall and CPU time (the database writes and the cosine shortlist
 * included, the database set-up not) and the stored lists are measured. Any such name works,
 * e.g. pipe-p8-b10 (today's default as the pipeline computes it: every distance exact, no
 * pruning), pipe-sl50-p4, pipe-sl50-p4-b10, pipe-sl50-p2-b10, pipe-sl30-p2-b10.
 * A small check on a busy machine: --n 300 --subset 100 --configs pipe-p8-b10,pipe-sl17-p4-b10
 * (on 100 tracks a shortlist of 17 is the same share of the catalogue as 50 of 300).
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
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../../src/store/db.js';
import { putFeature } from '../../src/store/features.js';
import { markStage } from '../../src/store/checkpoints.js';
import { findSets, getNeighbours } from '../../src/store/similarity.js';
import { FEATURES_STAGE } from '../../src/pipeline/features-stage.js';
import { FEATURES_VERSION } from '../../src/pipeline/feature-options.js';
import { runSimilarity } from '../../src/pipeline/similarity/run-similarity.js';
import { hashOf, normalizeParams, type SimilarityParams } from '../../src/pipeline/similarity/methods.js';
import { summaryVector } from '../../src/dsp/summary.js';
import { machine, makeCorpus, makeRng } from './corpus.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const N = Number(arg('n', '5000'));
const SUBSET = Number(arg('subset', '300'));
/** The subset's corpus seed: 99, the one dtw's settings were chosen on; another gives a held-out check. */
const SEED = Number(arg('seed', '99'));
const WORKERS = Number(arg('workers', '2'));
const K = 10;

/**
 * A strategy: all pairs with a DTW spec, or a cosine shortlist of M then a DTW spec on it; or
 * `pipeline`: yasr similarity with these parameters (runSimilarity on a temporary database).
 */
interface Strategy {
  name: string;
  spec: MethodSpec;
  /** cosine prefilter: keep the top-M cosine neighbours of each track (pairs deduplicated) */
  prefilterM?: number;
  pipeline?: SimilarityParams;
}

/** `pipe[-slN]-pP[-bB]`: the pipeline with --pool P, --band B/100 (none without -bB), --shortlist N (all pairs without -slN). */
function pipelineStrategy(config: string): Strategy | undefined {
  const m = /^pipe(?:-sl(\d+))?-p(\d+)(?:-b(\d+))?$/.exec(config);
  if (!m) return undefined;
  const shortlist = m[1] ? Number(m[1]) : undefined;
  const pool = Number(m[2]);
  const band = m[3] ? Number(m[3]) / 100 : 0;
  const params: SimilarityParams = { method: 'dtw', pool, band, shortlist: shortlist ?? 'all' };
  const what = `pool ${pool}, ${band ? `band ${m[3]}%` : 'no band'}`;
  return {
    name: shortlist ? `pipeline --shortlist ${shortlist}, then DTW ${what}` : `pipeline, all pairs, DTW ${what} (no pruning)`,
    spec: { method: 'dtw', pool, band: band || undefined },
    prefilterM: shortlist,
    pipeline: params,
  };
}

function strategyOf(config: string): Strategy {
  const st = STRATEGIES[config] ?? pipelineStrategy(config);
  if (!st) throw new Error(`unknown config ${config} (one of ${Object.keys(STRATEGIES).join(', ')}, or pipe[-slN]-pP[-bB])`);
  return st;
}

/**
 * yasr similarity through runSimilarity: the sequences written to a temporary database as
 * analysed tracks (mfcc in librosa layout and its mfcc_summary), then timed from the call on.
 */
async function runPipeline(seqs: Float32Array[], dim: number, params: SimilarityParams, workers: number): Promise<RunStats> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-dtw-topk-'));
  const db = openDb(path.join(dir, 'bench.db'));
  try {
    const ins = db.prepare('INSERT INTO tracks (sha256, local_path, artist, title) VALUES (?, ?, ?, ?) RETURNING id').pluck();
    const ids: number[] = [];
    db.transaction(() => {
      seqs.forEach((s, i) => {
        const id = ins.get(`bench-${i}`, `/bench/${i}.wav`, `Artist ${i}`, `Track ${i}`) as number;
        ids.push(id);
        const frames = s.length / dim;
        const m = new Float32Array(s.length);
        for (let t = 0; t < frames; t++) for (let k = 0; k < dim; k++) m[k * frames + t] = s[t * dim + k];
        putFeature(db, id, 'mfcc', { rows: dim, cols: frames, data: m }, FEATURES_VERSION, 'bench');
        const sv = summaryVector({ rows: dim, cols: frames, data: m });
        putFeature(db, id, 'mfcc_summary', { rows: 1, cols: sv.length, data: sv }, FEATURES_VERSION, 'bench');
        // the level-referenced summary that dtw's default sequence (timbre_mfcc) reads: the same
        // here (a synthetic sequence has no level to remove), so DTW aligns the MFCCs as given
        putFeature(db, id, 'timbre_summary', { rows: 1, cols: sv.length, data: sv }, FEATURES_VERSION, 'bench');
        markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: 'bench', inputSha: `bench-${i}`, status: 'done', ms: 0 });
      });
    })();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const summary = await runSimilarity(db, params, { k: K, workers });
    const c = process.cpuUsage(c0);
    const seconds = (performance.now() - t0) / 1000;
    const set = findSets(db, 'dtw').find((x) => x.paramsHash === hashOf(normalizeParams(params)))!;
    const pos = new Map(ids.map((id, i) => [id, i]));
    const n = seqs.length;
    const index = new Int32Array(n * K).fill(-1);
    const distance = new Float32Array(n * K).fill(Infinity);
    ids.forEach((id, i) => {
      const l = getNeighbours(db, set.id, id)?.nearest ?? [];
      l.slice(0, K).forEach((e, q) => {
        index[i * K + q] = pos.get(e.trackId)!;
        distance[i * K + q] = e.score;
      });
    });
    return { seconds, cpuSeconds: (c.user + c.system) / 1e6, pairs: summary.pairsComputed, abandoned: 0, lists: { n, k: K, index, distance } };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
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
  if (st.pipeline) return runPipeline(seqs, dim, st.pipeline, workers);
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

/**
 * The exact top-k of the subset; with `--truth FILE`, read from FILE when it holds this subset's
 * (same size, k, corpus seeds and a fingerprint of the sequences), else computed and written there,
 * so that further configs can be measured without recomputing it.
 */
async function exactTruth(seqs: Float32Array[], dim: number): Promise<RunStats & { cachedFrom?: string }> {
  const file = arg('truth', '');
  let fp = 0;
  for (const s of seqs) for (let t = 0; t < s.length; t += 997) fp = (fp * 31 + Math.round(s[t] * 1000)) | 0;
  const key = { subset: SUBSET, k: K, seed: SEED, order: 1, fingerprint: fp };
  if (file && existsSync(file)) {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { key: typeof key; index: number[]; distance: number[]; seconds: number; cpuSeconds: number; abandoned: number };
    if (JSON.stringify(c.key) === JSON.stringify(key)) {
      console.error(`truth: read from ${file}`);
      return { seconds: c.seconds, cpuSeconds: c.cpuSeconds, pairs: (SUBSET * (SUBSET - 1)) / 2, abandoned: c.abandoned, cachedFrom: file, lists: { n: SUBSET, k: K, index: Int32Array.from(c.index), distance: Float32Array.from(c.distance) } };
    }
    console.error(`truth: ${file} holds another subset; computing`);
  }
  console.error(`truth: exact unbanded DTW top-${K} on ${SUBSET} tracks ...`);
  const r = await runStrategy(seqs, dim, { name: 'exact', spec: { method: 'dtw', pruneK: K } }, WORKERS);
  if (file) {
    writeFileSync(file, JSON.stringify({ key, index: Array.from(r.lists.index), distance: Array.from(r.lists.distance), seconds: r.seconds, cpuSeconds: r.cpuSeconds, abandoned: r.abandoned }));
  }
  return r;
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
    const sub = makeCorpus(SUBSET, { frames: 1292, familySize: 10, seed: SEED });
    const order = shuffle(SUBSET, 1);
    const seqs = order.map((i) => sub.seqs[i]);
    const truth = await exactTruth(seqs, sub.dim);
    const truthPairs = (SUBSET * (SUBSET - 1)) / 2;
    out.subset = { tracks: SUBSET, corpus: sub.description };
    out.truth = {
      seconds: +truth.seconds.toFixed(1),
      cpu_seconds: +truth.cpuSeconds.toFixed(1),
      pairs: truthPairs,
      abandoned: truth.abandoned,
      ...(truth.cachedFrom ? { read_from: truth.cachedFrom } : {}),
    };
    console.error(JSON.stringify(out.truth));
    const rows: Record<string, unknown>[] = [];
    for (const c of configs) {
      const st = strategyOf(c);
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
    const st = strategyOf(full);
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
