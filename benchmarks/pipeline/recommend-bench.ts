/**
 * Issue 4: `yasr recommend` latency on a 5,000-track catalogue (stored track, each method), and
 * `--file` with a 4-minute mp3. Usage: node dist/benchmarks/pipeline/recommend-bench.js [N=5000]
 */
import { rmSync, existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

function timeCli(args: string[], runs: number): { wallMs: number; innerMs: number } {
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [bin, '--db', dbFile, ...args, '--json'], { encoding: 'utf8' });
    walls.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
  return { wallMs: median(walls), innerMs: NaN };
}

// Node's own start-up, to separate it from yasr's work
const bare = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  bare.push(performance.now() - t);
}
const nodeMs = median(bare);
const rows: string[] = [];
for (const method of ['cosine', 'features', 'timbre', 'hybrid']) {
  const r = timeCli(['recommend', '17', '--method', method, '-k', '5', '--least', '5'], 7);
  rows.push(`| recommend <stored track> --method ${method} | ${r.wallMs.toFixed(0)} ms | ${(r.wallMs - nodeMs).toFixed(0)} ms |`);
}
const f = timeCli(['recommend', '--file', mp3, '--method', 'hybrid'], 3);
rows.push(`| recommend --file (4 min mp3, 192 kb/s) --method hybrid | ${f.wallMs.toFixed(0)} ms | ${(f.wallMs - nodeMs).toFixed(0)} ms |`);
process.stdout.write(`### Recommend latency (issue 4)
Machine: ${machineLine()}. Date: ${today()}. Catalogue: ${N} synthetic analysed tracks
(benchmarks/pipeline/synthetic-catalogue.ts). Whole CLI process, median; Node's bare start-up
here is ${nodeMs.toFixed(0)} ms.

| command | wall time | minus Node start-up |
| --- | --- | --- |
${rows.join('\n')}
`);
