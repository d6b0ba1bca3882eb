/**
 * Per-pair timings of the similarity kernels on realistic 1292 x 20 MFCC sequences, and cosine
 * top-k timings on every tensor backend that loads (src/similarity/backends). Run:
 *   npx tsc -p . && node dist/benchmarks/similarity/pair-timings.js [--quick] [--cosine-only]
 * Prints JSON, then markdown tables. Times are per pair: wall-clock and process CPU time, each the
 * minimum and the median over repeated batches (the CPU time is the robust figure on a shared
 * machine). The cosine top-k rows: the best of 3 runs (1 with --quick) by CPU time; a backend's
 * lists are checked identical (indices and score bits) to the first backend's.
 */
import { applyStandardizer, cosineTopK, fitStandardizer, meanStdOfFrames, unitRows, windowMatchTopK, type TopKResult } from '../../src/similarity/cosine.js';
import { backendStatus } from '../../src/similarity/backends/select.js';
import type { BackendName } from '../../src/similarity/backends/backend.js';
import { dtw } from '../../src/similarity/dtw.js';
import { fastdtw } from '../../src/similarity/fastdtw.js';
import { poolFrames } from '../../src/similarity/pool.js';
import { machine, makeCorpus, stats } from './corpus.js';

const quick = process.argv.includes('--quick');
const cosineOnly = process.argv.includes('--cosine-only');

interface Row {
  name: string;
  frames: number;
  wall_ms_min: number;
  wall_ms_median: number;
  cpu_ms_min: number;
  cpu_ms_median: number;
  mean_distance_ratio_to_exact?: number;
}

function time(fn: () => number, targetMs: number, batches: number): { wall: number[]; cpu: number[] } {
  // calibrate reps per batch
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    const dt = performance.now() - t0;
    if (dt > targetMs || reps > 1e6) break;
    reps *= 2;
  }
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let b = 0; b < batches; b++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    wall.push(dt / reps);
    cpu.push((c.user + c.system) / 1000 / reps);
  }
  return { wall, cpu };
}

const corpus = makeCorpus(40, { frames: 1292, familySize: 10, seed: 7 });
const dim = corpus.dim;
// four pairs: two within a family, two across families
const pairs: [number, number][] = [
  [0, 1],
  [10, 13],
  [0, 10],
  [20, 35],
];
const rows: Row[] = [];
const batches = quick ? 3 : 7;
const target = quick ? 100 : 300;

function bench(name: string, pool: number, f: (a: Float32Array, b: Float32Array) => number): void {
  const ps = pairs.map(([i, j]) => [poolFrames(corpus.seqs[i], dim, pool), poolFrames(corpus.seqs[j], dim, pool)]);
  let q = 0;
  const t = time(
    () => {
      const [a, b] = ps[q++ & 3];
      return f(a, b);
    },
    target,
    batches,
  );
  const w = stats(t.wall);
  const c = stats(t.cpu);
  rows.push({
    name,
    frames: ps[0][0].length / dim,
    wall_ms_min: +w.min.toFixed(4),
    wall_ms_median: +w.median.toFixed(4),
    cpu_ms_min: +c.min.toFixed(4),
    cpu_ms_median: +c.median.toFixed(4),
  });
  console.error(JSON.stringify(rows[rows.length - 1]));
}

for (const pool of cosineOnly ? [] : [1, 2, 4, 8]) {
  const p = pool === 1 ? '' : ` pool ${pool}`;
  bench(`fastdtw r1${p}`, pool, (a, b) => fastdtw(a, b, dim, { radius: 1 }));
  bench(`fastdtw r10${p}`, pool, (a, b) => fastdtw(a, b, dim, { radius: 10 }));
  bench(`dtw exact band 10%${p}`, pool, (a, b) => dtw(a, b, dim, { band: 0.1 }));
  bench(`dtw exact unconstrained${p}`, pool, (a, b) => dtw(a, b, dim));
}

// cosine top-k on per-track mean/std vectors (40 values), on every tensor backend that loads
const backends = backendStatus();
for (const b of backends) if (!b.loaded) console.error(`tensor backend ${b.name} not measured: ${b.reason}`);
const loaded = backends.filter((b) => b.loaded).map((b) => b.name as BackendName);
interface CosineRow {
  what: string;
  n: number;
  k: number;
  backend: string;
  wall_ms: number;
  cpu_ms: number;
}
const cosine: CosineRow[] = [];
let identical = true;

function sameLists(a: TopKResult, b: TopKResult): boolean {
  const bits = (x: ArrayLike<number>, y: ArrayLike<number>) => x.length === y.length && Array.prototype.every.call(x, (v: number, i: number) => Object.is(v, y[i]));
  return bits(a.index, b.index) && bits(a.score, b.score) && bits(a.farthest?.index ?? [], b.farthest?.index ?? []) && bits(a.farthest?.score ?? [], b.farthest?.score ?? []);
}

function measure(what: string, n: number, run: (backend: BackendName) => TopKResult): void {
  let first: TopKResult | undefined;
  for (const backend of loaded) {
    const runs: { wall: number; cpu: number }[] = [];
    for (let r = 0; r < (quick ? 1 : 3); r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const res = run(backend);
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      runs.push({ wall, cpu: (c.user + c.system) / 1000 });
      if (!first) first = res;
      else if (r === 0 && !sameLists(first, res)) {
        identical = false;
        console.error(`${what}, ${n}: ${backend} lists differ from ${first.backend}'s`);
      }
    }
    const best = runs.reduce((a, b) => (a.cpu < b.cpu ? a : b));
    cosine.push({ what, n, k: 10, backend, wall_ms: +best.wall.toFixed(1), cpu_ms: +best.cpu.toFixed(1) });
    console.error(JSON.stringify(cosine[cosine.length - 1]));
  }
}

for (const n of [5000, 13517]) {
  const vc = makeCorpus(n, { frames: 200, familySize: 10, seed: 3 });
  const v = new Float64Array(n * 40);
  vc.seqs.forEach((s, i) => v.set(meanStdOfFrames(s, dim), i * 40));
  // yasr similarity's default: each summary also matched against the other track's windows
  // (here 4 windows of 80 frames every 40), z-scored with the summaries, 10 nearest and farthest
  let windowed: { C: Float64Array; W: Float64Array; start: Int32Array } | undefined;
  if (n === 5000) {
    const start = Int32Array.from({ length: n + 1 }, (_, i) => 4 * i);
    const wRaw = new Float64Array(4 * n * 40);
    vc.seqs.forEach((s, i) => {
      for (let w = 0; w < 4; w++) wRaw.set(meanStdOfFrames(s.subarray(w * 40 * dim, (w * 40 + 80) * dim), dim), (4 * i + w) * 40);
    });
    const both = new Float64Array(v.length + wRaw.length);
    both.set(v);
    both.set(wRaw, v.length);
    const st = fitStandardizer(both, 40);
    windowed = { C: unitRows(applyStandardizer(v, 40, st), 40), W: unitRows(applyStandardizer(wRaw, 40, st), 40), start };
  }
  vc.seqs.length = 0;
  measure('cosine top-10', n, (backend) => cosineTopK(v, 40, { k: 10, standardize: true, backend }));
  if (windowed) {
    const w = windowed;
    measure('cosine with windows, top-10 and bottom-10', n, (backend) => windowMatchTopK(w.C, w.W, w.start, 40, { k: 10, least: 10, backend }));
  }
}

const result = { machine: machine(), corpus: corpus.description, pairs, per_pair: rows, cosine_topk: cosine, cosine_identical_across_backends: identical, backends };
console.log(JSON.stringify(result, null, 2));
if (rows.length) {
  console.log('\n| kernel | frames | CPU ms/pair (min / median) | wall ms/pair (min / median) |');
  console.log('|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.frames} | ${r.cpu_ms_min} / ${r.cpu_ms_median} | ${r.wall_ms_min} / ${r.wall_ms_median} |`);
  }
}
console.log('\n| cosine top-10 (standardised mean/std, 40 dims), exact | backend | CPU ms | wall ms |');
console.log('|---|---|---|---|');
for (const c of cosine.filter((x) => x.what === 'cosine top-10')) console.log(`| ${c.n} vectors | ${c.backend} | ${c.cpu_ms} | ${c.wall_ms} |`);
console.log('| 13517 vectors, the whole matrix (reference: the original project, scikit-learn) | | | 1700 |');
const win = cosine.filter((x) => x.what !== 'cosine top-10');
if (win.length) {
  console.log('\n| cosine with windows (yasr similarity\'s default; 4 windows a track), top-10 and bottom-10 | backend | CPU ms | wall ms |');
  console.log('|---|---|---|---|');
  for (const c of win) console.log(`| ${c.n} tracks | ${c.backend} | ${c.cpu_ms} | ${c.wall_ms} |`);
}
const skipped = backends.filter((b) => !b.loaded);
console.log(`\nBackends: ${backends.filter((b) => b.loaded).map((b) => `${b.name} (${b.description})`).join(', ')}; lists identical across them: ${identical ? 'yes' : 'NO'}.${skipped.length ? ` Not loaded: ${skipped.map((b) => `${b.name} (${b.reason})`).join('; ')}.` : ''}`);
