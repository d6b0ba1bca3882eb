/**
 * Issue 8: `yasr discover` on a 5,000-track catalogue with 20 favourites, the whole CLI process
 * as a person runs it. 2,000 of the tracks are "this week's" releases (the window), the other
 * 3,000 older. Usage: node dist/benchmarks/pipeline/discover-bench.js [N=5000] [FAVOURITES=20]
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/store/db.js';
import { addLike } from '../../src/store/likes.js';
import { buildSyntheticCatalogue } from './synthetic-catalogue.js';
import { runSimilarity } from '../../src/pipeline/similarity/run-similarity.js';
import { machineLine, median, today } from '../machine.js';

const N = Number(process.argv[2] ?? 5000);
const FAVS = Number(process.argv[3] ?? 20);
const WEEK = Math.round(N * 0.4);
const TODAY = '2026-11-29T12:00:00Z';
const dir = path.join(os.tmpdir(), 'yasr-bench-discover');
mkdirSync(dir, { recursive: true });
const dbFile = path.join(dir, `cat-${N}-f${FAVS}-v2.db`);
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/yasr.js');
if (!existsSync(dbFile)) {
  const tmp = `${dbFile}.building`;
  rmSync(tmp, { force: true });
  const db = openDb(tmp);
  buildSyntheticCatalogue(db, N);
  // this week's releases: every track id above N - WEEK; favourites: the first FAVS (older) tracks
  db.prepare(`UPDATE tracks SET release_date = '2026-11-' || printf('%02d', 23 + (id % 6)) WHERE id > ?`).run(N - WEEK);
  for (let id = 1; id <= FAVS; id++) addLike(db, id * 7, 'track');
  for (const method of ['hybrid'] as const) await runSimilarity(db, { method }, { k: 50, workers: 2 });
  db.close();
  spawnSync('mv', [tmp, dbFile]);
}

function timeCli(args: string[], runs: number): { ms: number; picks: number } {
  const walls: number[] = [];
  let picks = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [bin, '--db', dbFile, ...args, '--json'], { encoding: 'utf8', env: { ...process.env, YASR_TODAY: TODAY } });
    walls.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    picks = (JSON.parse(r.stdout) as { picks: unknown[] }).picks.length;
  }
  return { ms: median(walls), picks };
}

const bare: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  bare.push(performance.now() - t);
}
const nodeMs = median(bare);
const rows: string[] = [];
for (const method of ['cosine', 'features', 'hybrid']) {
  const r = timeCli(['discover', '--since', '7d', '-k', '20', '--method', method], 5);
  rows.push(`| discover --method ${method} -k 20 | ${r.ms.toFixed(0)} ms | ${(r.ms - nodeMs).toFixed(0)} ms | ${r.picks} |`);
}
process.stdout.write(`### Discover on a ${N}-track catalogue with ${FAVS} favourites (issue 8)
Machine: ${machineLine()}. Date: ${today()}. Catalogue: ${N} synthetic analysed tracks
(benchmarks/pipeline/synthetic-catalogue.ts), ${WEEK} of them released in the 7-day window;
${FAVS} favourites. Whole CLI process (\`yasr discover --since 7d -k 20 --json\`), median of 5;
Node's bare start-up here is ${nodeMs.toFixed(0)} ms. cosine and features score every candidate
for every favourite on the fly; hybrid reads the lists stored by \`yasr similarity\` (top 50).

| command | wall time | minus Node start-up | picks |
| --- | --- | --- | --- |
${rows.join('\n')}
`);
