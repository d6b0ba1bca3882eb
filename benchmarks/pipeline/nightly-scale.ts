/**
 * Issue 5, item 6: a nightly run that adds 200 real (ffmpeg-made Vorbis) tracks to a
 * 5,000-track catalogue: wall time per stage and peak RSS.
 * The 5,000 old tracks are synthetic analysed tracks (synthetic-catalogue.ts: MFCC frames are
 * smooth random trajectories, so timings are realistic, similarities are not). Their DTW result
 * set is first computed in full (timed: the all-pairs DTW figure of issue 3), then the nightly
 * run adds the new tracks: only new-by-all pairs are computed. Cosine and hybrid are recomputed
 * whole.
 * `--dtw JSON` replaces the DTW entry (default pipelines/nightly.json's, {"method":"dtw"}: above
 * 1,000 tracks its default shortlist of 50, pool 3, band 25 %), for its set-up and the nightly run
 * alike, e.g. --dtw '{"method":"dtw","shortlist":"all","pool":8,"band":0.1}' (every pair: new x
 * all in the nightly run) or '{"method":"dtw","shortlist":50,"pool":4,"band":0.25}' (pairs: each new
 * track's shortlist and the old tracks whose shortlist it enters).
 * Usage: node dist/benchmarks/pipeline/nightly-scale.js [OLD=5000] [NEW=200] [--dtw JSON]
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../../src/store/db.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { buildSyntheticCatalogue } from './synthetic-catalogue.js';
import { runSimilarity } from '../../src/pipeline/similarity/run-similarity.js';
import { normalizeParams, type SimilarityParams } from '../../src/pipeline/similarity/methods.js';
import { withCatalogueDefaults } from '../../src/pipeline/similarity/candidate-params.js';
import { DTW_SHORTLIST } from '../../src/pipeline/similarity/defaults.js';
import { thousands } from '../../src/util/format.js';
import { loadPipeline } from '../../src/pipeline/nightly/definition.js';
import { runNightly } from '../../src/pipeline/nightly/run-nightly.js';
import { machineLine, today } from '../machine.js';

const dtwAt = process.argv.indexOf('--dtw');
const DTW: SimilarityParams = dtwAt > 0 ? JSON.parse(process.argv[dtwAt + 1]) : { method: 'dtw' };
const positional = process.argv.slice(2).filter((_, i, a) => a[i] !== '--dtw' && a[i - 1] !== '--dtw');
const OLD = Number(positional[0] ?? 5000);
const NEW = Number(positional[1] ?? 200);
// what the set-up and the run use (both catalogues are above dtw's all-pairs size when OLD is)
const dtwUsed = normalizeParams(withCatalogueDefaults(DTW, OLD));
const shortlisted = dtwUsed.shortlist !== undefined;
const dtwWords = `${shortlisted ? `shortlist ${String(dtwUsed.shortlist)}, ` : 'every pair, '}pool ${String(dtwUsed.pool)}, band ${Math.round(100 * (dtwUsed.band as number))} %${DTW.shortlist === undefined && shortlisted ? `: dtw's default above ${thousands(DTW_SHORTLIST.above)} tracks` : ''}`;
const dir = path.join(os.tmpdir(), 'yasr-bench-nightly');
const incoming = path.join(dir, 'incoming');
mkdirSync(incoming, { recursive: true });
const tools = findFfmpeg();

for (let i = 0; i < NEW; i++) {
  const f = path.join(incoming, `new${String(i).padStart(3, '0')}.ogg`);
  if (existsSync(f)) continue;
  const f0 = 98 * Math.pow(2, (i % 36) / 12);
  const graph = `sine=f=${f0.toFixed(2)}:d=60:r=44100,tremolo=f=${(1 + (i % 5)).toFixed(1)}[a];anoisesrc=d=60:c=pink:r=44100:a=0.2[b];[a][b]amix=inputs=2[out]`;
  const r = spawnSync(tools.ffmpeg, ['-nostdin', '-loglevel', 'error', '-y', '-filter_complex', graph, '-map', '[out]', '-c:a', 'libvorbis', '-q:a', '2', f]);
  if (r.status !== 0) throw new Error(String(r.stderr));
}

const dbFile = path.join(dir, 'nightly.db');
for (const s of ['', '-wal', '-shm', '.lock']) rmSync(dbFile + s, { force: true });
const db = openDb(dbFile);
let t = performance.now();
buildSyntheticCatalogue(db, OLD, { seed: 11 });
const setupCatalogue = (performance.now() - t) / 1000;
t = performance.now();
await runSimilarity(db, { method: 'cosine' }, { k: 50, workers: 2 });
await runSimilarity(db, { method: 'hybrid' }, { k: 50, workers: 2 });
const setupVectors = (performance.now() - t) / 1000;
// the DTW set of the old catalogue, computed for real (with every pair: the figure for an all-pairs
// DTW top-k over the whole catalogue with 2 workers)
t = performance.now();
const full = await runSimilarity(db, DTW, { k: 50, workers: 2 });
const dtwFull = (performance.now() - t) / 1000;
const rssDtw = process.resourceUsage().maxRSS / 1024;
const pipelineFile = path.join(dir, 'scale.json');
writeFileSync(pipelineFile, JSON.stringify({ sources: [incoming], similarity: [{ method: 'cosine' }, { method: 'hybrid' }, DTW], k: 50 }));
const rssBefore = process.resourceUsage().maxRSS / 1024;
t = performance.now();
const report = await runNightly(db, loadPipeline(pipelineFile), { tools, storeDir: path.join(dir, 'audio'), workers: 2 });
const wall = (performance.now() - t) / 1000;
const rss = process.resourceUsage().maxRSS / 1024;
db.close();
const dtw = report.similarity.find((s) => s.method === 'dtw');
process.stdout.write(`### Nightly at scale (issue 5)
Machine: ${machineLine()}. Date: ${today()}. A nightly run (2 workers) adding ${NEW} new Vorbis
tracks (60 s, made by ffmpeg) to a catalogue of ${OLD} analysed tracks; pipeline: default
features, cosine + hybrid + dtw (${dtwWords}), k 50. Set-up (not part of the run):
synthetic catalogue ${setupCatalogue.toFixed(0)} s, its cosine and hybrid sets ${setupVectors.toFixed(1)} s.

DTW over the ${OLD} old tracks (${dtwWords}, every distance exact, 2 workers): ${full.pairsComputed}
pairs in ${dtwFull.toFixed(0)} s (${((dtwFull * 1000 * 2) / Math.max(1, full.pairsComputed)).toFixed(3)} ms per pair per core), peak RSS ${rssDtw.toFixed(0)} MiB.

| stage | wall time |
| --- | --- |
${report.stages.map((s) => `| ${s.name} | ${s.seconds.toFixed(1)} s |`).join('\n')}
| whole run | ${wall.toFixed(1)} s |

New tracks analysed: ${report.features?.analysed}, failed: ${report.features?.failed}; DTW pairs computed:
${dtw?.pairsComputed} (${shortlisted ? 'the new shortlists and the old lists they enter' : 'new x all'}). Peak RSS of the process: ${rss.toFixed(0)} MiB (${rssBefore.toFixed(0)} MiB after set-up).
`);
