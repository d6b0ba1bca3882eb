/**
 * Per-pair timings of the similarity kernels on realistic 1292 x 20 MFCC sequences, and cosine
 * top-k timings. Run: npx tsc -p . && node dist/benchmarks/similarity/pair-timings.js [--quick]
 * Prints JSON, then a markdown table. Times are per pair: wall-clock and process CPU time, each the
 * minimum and the median over repeated batches (the CPU time is the robust figure on a shared
 * machine).
 */
import { cosineTopK, meanStdOfFrames } from '../../src/similarity/cosine.js';
import { dtw } from '../../src/similarity/dtw.js';
import { fastdtw } from '../../src/similarity/fastdtw.js';
import { poolFrames } from '../../src/similarity/pool.js';
import { machine, makeCorpus, stats } from './corpus.js';

const quick = process.argv.includes('--quick');

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

for (const pool of [1, 2, 4, 8]) {
  const p = pool === 1 ? '' : ` pool ${pool}`;
  bench(`fastdtw r1${p}`, pool, (a, b) => fastdtw(a, b, dim, { radius: 1 }));
  bench(`fastdtw r10${p}`, pool, (a, b) => fastdtw(a, b, dim, { radius: 10 }));
  bench(`dtw exact band 10%${p}`, pool, (a, b) => dtw(a, b, dim, { band: 0.1 }));
  bench(`dtw exact unconstrained${p}`, pool, (a, b) => dtw(a, b, dim));
}

// cosine top-k on per-track mean/std vectors (40 values)
const cosine: { n: number; k: number; wall_ms: number; cpu_ms: number }[] = [];
for (const n of [5000, 13517]) {
  const vc = makeCorpus(n, { frames: 200, familySize: 10, seed: 3 });
  const v = new Float64Array(n * 40);
  vc.seqs.forEach((s, i) => v.set(meanStdOfFrames(s, dim), i * 40));
  vc.seqs.length = 0;
  const runs: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < (quick ? 1 : 3); r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    cosineTopK(v, 40, { k: 10, standardize: true });
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    runs.push({ wall, cpu: (c.user + c.system) / 1000 });
  }
  const best = runs.reduce((a, b) => (a.cpu < b.cpu ? a : b));
  cosine.push({ n, k: 10, wall_ms: +best.wall.toFixed(1), cpu_ms: +best.cpu.toFixed(1) });
  console.error(JSON.stringify(cosine[cosine.length - 1]));
}

const result = { machine: machine(), corpus: corpus.description, pairs, per_pair: rows, cosine_topk: cosine };
console.log(JSON.stringify(result, null, 2));
console.log('\n| kernel | frames | CPU ms/pair (min / median) | wall ms/pair (min / median) |');
console.log('|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.frames} | ${r.cpu_ms_min} / ${r.cpu_ms_median} | ${r.wall_ms_min} / ${r.wall_ms_median} |`);
}
console.log('\n| cosine top-10 (standardised mean/std, 40 dims) | CPU ms | wall ms |');
console.log('|---|---|---|');
for (const c of cosine) console.log(`| ${c.n} vectors | ${c.cpu_ms} | ${c.wall_ms} |`);
