/**
 * The ANN candidate stage (src/similarity/ann/, src/pipeline/similarity/candidates.ts) on a
 * synthetic catalogue: n seeded vectors of `dim` values in clusters (1 per 100 tracks, each with
 * its own spread, dimensions of very different scales and offsets, so the z-scoring matters), the
 * pipeline's treatment (z-score fit over the catalogue, unit length), then per ANN backend that
 * loads:
 * - index build time (wall and process CPU), the process's resident memory growth and the saved
 *   file's size, save and load times;
 * - recall@k of "C candidates + exact re-ranking" against brute force (float64 cosine of the
 *   z-scored vectors over the whole catalogue) on a seeded sample of queries, beside the recall of
 *   the index's own top k (no re-ranking);
 * - query latency (one query per call; and the batch time per query over the sample), with the
 *   brute-force time per query for comparison, and an estimate of the whole catalogue's candidate
 *   stage (n queries);
 * - adding `--add` new tracks (z-scored with the frozen fit) to the built index: time, and the
 *   recall of the new tracks as queries.
 * With `--pipeline N`, also `yasr evaluate --candidates C` on a synthetic analysed catalogue of N
 * tracks (benchmarks/pipeline/synthetic-catalogue.ts) for the vector methods: all-pairs seconds,
 * candidates seconds and recall@k of the real pipeline.
 *
 *   npx tsc -p . && node dist/benchmarks/similarity/ann.js [--n 100000] [--dim 40] [--queries 500]
 *     [--candidates 200] [--k 10] [--add 1000] [--backends usearch,ivf] [--seed 1] [--spread 1,3] [--pipeline 0]
 *
 * Prints JSON, then markdown tables.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { annBackendStatus, annBackend, type AnnIndex } from '../../src/similarity/ann/index.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../../src/similarity/cosine.js';
import { seededRandom } from '../../src/util/random.js';
import { openDb } from '../../src/store/db.js';
import { evaluateRecall } from '../../src/pipeline/evaluate-recall.js';
import { buildSyntheticCatalogue } from '../pipeline/synthetic-catalogue.js';
import { machineLine } from '../machine.js';

function arg(name: string, def: number): number;
function arg(name: string, def: string): string;
function arg(name: string, def: number | string): number | string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = process.argv[i + 1];
  return typeof def === 'number' ? Number(v) : v;
}

const n = arg('n', 100_000);
const dim = arg('dim', 40);
const nq = arg('queries', 500);
const C = arg('candidates', 200);
const k = arg('k', 10);
const nAdd = arg('add', 1000);
const seed = arg('seed', 1);
const pipelineN = arg('pipeline', 0);
const wanted = arg('backends', 'usearch,ivf').split(',');
// a cluster's spread around its centre (centres ~ N(0, 4 I)): 1-3 makes clusters overlap, as
// timbre vectors of one genre do; smaller spreads make well separated clusters (an easy case)
const [spreadLo, spreadHi] = arg('spread', '1,3').split(',').map(Number);

/** n + extra raw vectors: clusters of 100, per-cluster spread, dimensions scaled and offset. */
function catalogue(total: number): Float64Array {
  const r = seededRandom(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const clusters = Math.max(1, Math.round(n / 100));
  const centres = Array.from({ length: clusters }, () => Float64Array.from({ length: dim }, () => 2 * g()));
  const spread = Float64Array.from({ length: clusters }, () => spreadLo + (spreadHi - spreadLo) * r());
  const scale = Float64Array.from({ length: dim }, (_, t) => 0.5 + 20 * ((t * 7919) % 97) / 97);
  const offset = Float64Array.from({ length: dim }, () => 50 * g());
  const out = new Float64Array(total * dim);
  for (let i = 0; i < total; i++) {
    const c = Math.floor(r() * clusters);
    for (let t = 0; t < dim; t++) out[i * dim + t] = offset[t] + scale[t] * (centres[c][t] + spread[c] * g());
  }
  return out;
}

/** The pipeline's indexed form: z-scored with `fit`, unit length (float64 and float32). */
function prepare(raw: Float64Array, fit: Standardizer): { f64: Float64Array; f32: Float32Array } {
  const z = applyStandardizer(raw, dim, fit);
  const rows = z.length / dim;
  const f32 = new Float32Array(z.length);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += z[i * dim + t] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let t = 0; t < dim; t++) {
      z[i * dim + t] *= inv;
      f32[i * dim + t] = z[i * dim + t];
    }
  }
  return { f64: z, f32 };
}

const dot = (x: Float64Array, i: number, j: number) => {
  let s = 0;
  for (let t = 0; t < dim; t++) s += x[i * dim + t] * x[j * dim + t];
  return s;
};

/** The k best of `js` for query q by exact float64 cosine, ties to the smaller index. */
function topBy(x: Float64Array, q: number, js: Iterable<number>, kk: number): number[] {
  const val: number[] = [];
  const idx: number[] = [];
  for (const j of js) {
    if (j === q) continue;
    const v = dot(x, q, j);
    const m = idx.length;
    if (m === kk && (v < val[m - 1] || (v === val[m - 1] && j > idx[m - 1]))) continue;
    let p = m === kk ? m - 1 : m;
    while (p > 0 && (val[p - 1] < v || (val[p - 1] === v && idx[p - 1] > j))) {
      val[p] = val[p - 1];
      idx[p] = idx[p - 1];
      p--;
    }
    val[p] = v;
    idx[p] = j;
  }
  return idx;
}

/** 0, 1, ..., m - 1 without an array. */
function* upTo(m: number): Generator<number> {
  for (let j = 0; j < m; j++) yield j;
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

const dir = mkdtempSync(path.join(tmpdir(), 'yasr-ann-bench-'));
const raw = catalogue(n + nAdd);
const fit = fitStandardizer(raw.subarray(0, n * dim), dim);
const all = prepare(raw, fit);
const rq = seededRandom(seed + 1);
const queries = Array.from({ length: nq }, () => Math.floor(rq() * n));
const newQueries = Array.from({ length: Math.min(nq, nAdd) }, (_, i) => n + i);

// brute force: the exact top k of each sampled query over the catalogue (and over catalogue + added)
let t0 = performance.now();
const exact = queries.map((q) => topBy(all.f64, q, upTo(n), k));
const bruteMsPerQuery = (performance.now() - t0) / nq;
const exactNew = newQueries.map((q) => topBy(all.f64, q, upTo(n + nAdd), k));

interface Result {
  backend: string;
  build_s: number;
  build_cpu_s: number;
  rss_mb: number;
  file_mb: number;
  save_s: number;
  load_s: number;
  recall_rerank: number;
  recall_index_topk: number;
  query_ms: number;
  batch_query_ms: number;
  all_queries_estimate_s: number;
  add_s: number;
  add_ms_per_track: number;
  recall_rerank_added: number;
}

function recallOf(index: AnnIndex, qs: number[], truth: number[][]): { rerank: number; raw: number; oneByOne: number; batch: number } {
  const q = new Float32Array(qs.length * dim);
  qs.forEach((i, r) => q.set(all.f32.subarray(i * dim, (i + 1) * dim), r * dim));
  let t = performance.now();
  const m = index.search(q, C + 1);
  const batch = (performance.now() - t) / qs.length;
  t = performance.now();
  for (let r = 0; r < Math.min(qs.length, 200); r++) index.search(q.subarray(r * dim, (r + 1) * dim), C + 1);
  const oneByOne = (performance.now() - t) / Math.min(qs.length, 200);
  let hitsRerank = 0;
  let hitsRaw = 0;
  qs.forEach((i, r) => {
    const cands: number[] = [];
    for (let c = 0; c < C + 1 && cands.length < C; c++) {
      const key = m.keys[r * (C + 1) + c];
      if (key >= 0 && key !== i) cands.push(key);
    }
    const want = new Set(truth[r]);
    hitsRerank += topBy(all.f64, i, cands, k).filter((j) => want.has(j)).length;
    hitsRaw += cands.slice(0, k).filter((j) => want.has(j)).length;
  });
  return { rerank: hitsRerank / (qs.length * k), raw: hitsRaw / (qs.length * k), oneByOne, batch };
}

const results: Result[] = [];
const loaded = annBackendStatus();
for (const name of wanted) {
  const st = loaded.find((s) => s.name === name);
  if (!st?.loaded) {
    process.stderr.write(`${name}: does not load (${st?.reason ?? 'unknown backend'}), skipped\n`);
    continue;
  }
  const b = annBackend(name);
  const keys = Array.from({ length: n }, (_, i) => i);
  const rss0 = process.memoryUsage().rss;
  const c0 = cpuMs();
  t0 = performance.now();
  const index = b.create(dim);
  index.add(keys, all.f32.subarray(0, n * dim));
  const build = (performance.now() - t0) / 1000;
  const buildCpu = (cpuMs() - c0) / 1000;
  const rss = (process.memoryUsage().rss - rss0) / 2 ** 20;
  const file = path.join(dir, `${name}.index`);
  t0 = performance.now();
  index.save(file);
  const save = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const back = b.load(file, dim);
  const load = (performance.now() - t0) / 1000;
  const r = recallOf(back, queries, exact);
  t0 = performance.now();
  back.add(Array.from({ length: nAdd }, (_, i) => n + i), all.f32.subarray(n * dim));
  const add = (performance.now() - t0) / 1000;
  const rNew = recallOf(back, newQueries, exactNew);
  results.push({
    backend: b.description,
    build_s: +build.toFixed(2),
    build_cpu_s: +buildCpu.toFixed(2),
    rss_mb: +rss.toFixed(0),
    file_mb: +(statSync(file).size / 2 ** 20).toFixed(1),
    save_s: +save.toFixed(2),
    load_s: +load.toFixed(2),
    recall_rerank: +r.rerank.toFixed(4),
    recall_index_topk: +r.raw.toFixed(4),
    query_ms: +r.oneByOne.toFixed(3),
    batch_query_ms: +r.batch.toFixed(3),
    all_queries_estimate_s: +((r.batch * n) / 1000).toFixed(1),
    add_s: +add.toFixed(2),
    add_ms_per_track: +((add * 1000) / nAdd).toFixed(3),
    recall_rerank_added: +rNew.rerank.toFixed(4),
  });
  process.stderr.write(`${name}: done\n`);
}
rmSync(dir, { recursive: true, force: true });

interface PipelineRow {
  method: string;
  tracks: number;
  recall: number;
  all_pairs_s: number | null;
  candidates_s: number | null;
  candidate_pairs: number | null;
  all_pairs: number;
}
const pipeline: PipelineRow[] = [];
if (pipelineN > 0) {
  const db = openDb(':memory:');
  buildSyntheticCatalogue(db, pipelineN, { seed });
  const r = await evaluateRecall(db, { methods: ['cosine', 'timbre', 'features', 'hybrid'], candidates: C, k, workers: 1 });
  for (const m of r.methods) {
    pipeline.push({
      method: m.method, tracks: m.tracks, recall: +m.recall.toFixed(4), all_pairs_s: m.allPairsSeconds && +m.allPairsSeconds.toFixed(1),
      candidates_s: m.candidatesSeconds && +m.candidatesSeconds.toFixed(1), candidate_pairs: m.candidatePairs, all_pairs: m.allPairs,
    });
  }
  db.close();
}

const out = { machine: machineLine(), n, dim, queries: nq, candidates: C, k, add: nAdd, seed, brute_force_ms_per_query: +bruteMsPerQuery.toFixed(2), results, pipeline };
console.log(JSON.stringify(out, null, 2));
console.log(`\nSynthetic catalogue: ${n.toLocaleString('en')} tracks of ${dim} values in ${Math.round(n / 100)} clusters (spread ${spreadLo}-${spreadHi}, seed ${seed}), z-scored and unit length; ${nq} sampled queries; recall@${k} against brute force (float64 cosine over the whole catalogue, ${bruteMsPerQuery.toFixed(1)} ms a query, so about ${((bruteMsPerQuery * n) / 1000).toFixed(0)} s for every track's exact top ${k}).\n`);
console.log(`| backend | build s (CPU s) | memory MB (RSS growth) | file MB | save / load s | recall@${k}, ${C} candidates + exact re-rank | recall@${k} of the index's own top ${k} | ms a query (one / batched) | all ${n.toLocaleString('en')} queries, est. s | add ${nAdd.toLocaleString('en')} tracks s (ms each) | recall@${k} of the added |`);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.backend} | ${r.build_s} (${r.build_cpu_s}) | ${r.rss_mb} | ${r.file_mb} | ${r.save_s} / ${r.load_s} | ${r.recall_rerank} | ${r.recall_index_topk} | ${r.query_ms} / ${r.batch_query_ms} | ${r.all_queries_estimate_s} | ${r.add_s} (${r.add_ms_per_track}) | ${r.recall_rerank_added} |`);
}
if (pipeline.length) {
  console.log(`\n\`yasr evaluate --candidates ${C} -k ${k}\` on a synthetic analysed catalogue of ${pipelineN.toLocaleString('en')} tracks (benchmarks/pipeline/synthetic-catalogue.ts):\n`);
  console.log(`| method | recall@${k} | all pairs s | candidates s | pairs scored |`);
  console.log('|---|---|---|---|---|');
  for (const p of pipeline) console.log(`| ${p.method} | ${p.recall} | ${p.all_pairs_s ?? '-'} | ${p.candidates_s ?? '-'} | ${p.candidate_pairs ?? '-'} of ${p.all_pairs} |`);
}
