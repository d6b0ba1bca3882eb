/**
 * Issue 4: `yasr recommend` latency on a 5,000-track catalogue (stored track, each method), and
 * `--file` with a 4-minute mp3. Usage: node dist/benchmarks/pipeline/recommend-bench.js [N=5000]
 * (YASR_BENCH_BASELINE=old/dist/bin/yasr.js adds an older build's column.)
 */
import { rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openDb } from '../../src/store/db.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { buildSyntheticCatalogue } from './synthetic-catalogue.js';
import { runSimilarity } from '../../src/pipeline/similarity/run-similarity.js';
import { machineLine, median, today } from '../machine.js';

const N = Number(process.argv[2] ?? 5000);
const dir = path.join(os.tmpdir(), 'yasr-bench-recommend');
mkdirSync(dir, { recursive: true });
const dbFile = path.join(dir, `cat-${N}-v2.db`);
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/yasr.js');
if (!existsSync(dbFile)) {
  const tmp = `${dbFile}.building`;
  rmSync(tmp, { force: true });
  const db = openDb(tmp);
  buildSyntheticCatalogue(db, N);
  for (const method of ['cosine', 'timbre', 'hybrid'] as const) await runSimilarity(db, { method }, { k: 50, workers: 2 });
  db.close();
  spawnSync('mv', [tmp, dbFile]);
}
const mp3 = path.join(dir, 'four-minutes.mp3');
const ff = findFfmpeg().ffmpeg;
if (!existsSync(mp3)) {
  spawnSync(ff, ['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=220:d=240,tremolo=f=2', '-f', 'lavfi', '-i', 'anoisesrc=d=240:c=pink:a=0.1', '-filter_complex', 'amix=inputs=2', '-ac', '2', '-ar', '44100', '-b:a', '192k', mp3]);
}

/**
 * Variants timed in the same run, interleaved (one run of each in turn, so that load from other
 * processes falls on all alike): this build (fast path), this build with YASR_RECOMMEND_FULL=1
 * (the whole catalogue loaded and scored, as before the fast path), and, with
 * YASR_BENCH_BASELINE=/path/to/old/dist/bin/yasr.js, an older build (e.g. before lazy imports).
 */
interface Variant {
  label: string;
  bin: string;
  env: Record<string, string>;
}
// this build without the bundle (scripts/bundle-cli.ts): the compiled modules, imported one by one
const modulesBin = path.join(dir, 'modules-bin.mjs');
writeFileSync(modulesBin, `import { main } from ${JSON.stringify(pathToFileURL(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js')).href)};\nawait main();\n`);
const variants: Variant[] = [
  { label: 'this build', bin, env: {} },
  { label: 'this build, modules unbundled', bin: modulesBin, env: {} },
  { label: 'YASR_RECOMMEND_FULL=1', bin, env: { YASR_RECOMMEND_FULL: '1' } },
  ...(process.env.YASR_BENCH_BASELINE ? [{ label: 'baseline build', bin: path.resolve(process.env.YASR_BENCH_BASELINE), env: { YASR_RECOMMEND_FULL: '1' } }] : []),
];

function timeCli(args: string[], runs: number): number[] {
  const walls: number[][] = variants.map(() => []);
  const outs: string[] = variants.map(() => '');
  for (let i = 0; i < runs; i++) {
    variants.forEach((v, j) => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [v.bin, '--db', dbFile, ...args, '--json'], { encoding: 'utf8', env: { ...process.env, ...v.env } });
      walls[j].push(performance.now() - t);
      if (r.status !== 0) throw new Error(`${v.label}: ${args.join(' ')}: ${r.stderr}`);
      outs[j] = r.stdout;
    });
  }
  // the fast path must print what the full path prints
  for (let j = 1; j < variants.length; j++) if (outs[j] !== outs[0]) throw new Error(`${args.join(' ')}: ${variants[j].label} prints something else`);
  return walls.map(median);
}

// Node's own start-up, to separate it from yasr's work (measured between the rows too)
const bare: number[] = [];
function bareNode(): void {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  bare.push(performance.now() - t);
}
for (let i = 0; i < 5; i++) bareNode();
const rows: string[] = [];
const cell = (ms: number) => `${ms.toFixed(0)} ms`;
const row = (what: string, ms: number[]) => rows.push(`| ${what} | ${ms.map(cell).join(' | ')} |`);
for (const method of ['hybrid', 'timbre', 'cosine', 'features']) {
  row(`recommend <stored track> --method ${method}`, timeCli(['recommend', '17', '--method', method, '-k', '5', '--least', '5'], 9));
  bareNode();
}
row('recommend <stored track> --method hybrid --max-popularity 20 --released-after 2025-10', timeCli(['recommend', '17', '-k', '5', '--max-popularity', '20', '--released-after', '2025-10'], 9));
row('recommend --file (4 min mp3, 192 kb/s) --method hybrid', timeCli(['recommend', '--file', mp3, '--method', 'hybrid'], 3));
for (let i = 0; i < 5; i++) bareNode();
const nodeMs = median(bare);
process.stdout.write(`### Recommend latency (issue 4)
Machine: ${machineLine()}. Date: ${today()}. Catalogue: ${N} synthetic analysed tracks
(benchmarks/pipeline/synthetic-catalogue.ts), stored hybrid/timbre/cosine lists (k = 50). Whole
CLI process, median of interleaved runs; Node's bare start-up (\`node -e 0\`) in the same run is
${nodeMs.toFixed(0)} ms (min ${Math.min(...bare).toFixed(0)} ms). Columns: ${variants.map((v) => v.label).join('; ')}
("this build" runs the bundled CLI, dist/cli/, made by \`npm run build\`; "modules unbundled" imports
the compiled modules one by one, as yasr did before the bundle; YASR_RECOMMEND_FULL=1 turns the
stored-list fast path off: the whole catalogue is loaded and scored, as before${process.env.YASR_BENCH_BASELINE ? '; the baseline build is the commit before lazy command loading, full path' : ''}).

| command | ${variants.map((v) => v.label).join(' | ')} |
| --- | ${variants.map(() => '---').join(' | ')} |
${rows.join('\n')}
`);
