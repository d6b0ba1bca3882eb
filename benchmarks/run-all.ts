/**
 * Runs the benchmarks and writes their reports into benchmarks/RESULTS.md, each in its own
 * section (machine and date included), so that one benchmark can be re-run alone:
 *   npm run build && node dist/benchmarks/run-all.js                # all
 *   node dist/benchmarks/run-all.js dsp similarity-pairs           # some
 * The corpus evaluation needs `bash benchmarks/corpus/build.sh` first (about 2.5 GB download).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeLine, machineLine, today } from './machine.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const results = path.join(root, 'benchmarks', 'RESULTS.md');

const BENCHES: { name: string; title: string; script: string; args: string[] }[] = [
  { name: 'dsp', title: 'DSP: one-pass analysis of a 30 s clip', script: 'dsp/bench.js', args: ['--runs', '30'] },
  { name: 'descriptors', title: 'Descriptors of a 30 s clip', script: 'descriptors/bench.js', args: ['--runs', '20'] },
  { name: 'features', title: 'Features: compressed file to stored features', script: 'pipeline/features-bench.js', args: ['40'] },
  { name: 'similarity-pairs', title: 'Similarity: per pair and cosine top-k', script: 'similarity/pair-timings.js', args: [] },
  { name: 'recommend', title: 'Recommend latency', script: 'pipeline/recommend-bench.js', args: ['5000'] },
  { name: 'discover', title: 'Discover: weekly report on a 5,000-track catalogue', script: 'pipeline/discover-bench.js', args: ['5000', '20'] },
  { name: 'replay-week', title: 'Catalogue ingest: a replayed Deezer week', script: 'sources/replay-week.js', args: [] },
  { name: 'serve', title: 'yasr serve: page load, search and recommendations under load', script: 'server/serve-bench.js', args: ['5000', '200', '8'] },
  { name: 'rerank', title: 'Ratings: re-ranking a replayed session', script: 'pipeline/rerank-session.js', args: [] },
  { name: 'decode-ingest', title: 'Decoding and ingest without a process per file', script: 'pipeline/decode-ingest-bench.js', args: [] },
  { name: 'vs-python', title: 'Side by side with librosa and fastdtw', script: 'pipeline/vs-python.js', args: ['80', '3'] },
  { name: 'workers', title: 'Analysis throughput: worker processes on one PostgreSQL', script: 'pipeline/worker-throughput.js', args: ['48'] },
  { name: 'nightly', title: 'Nightly at scale', script: 'pipeline/nightly-scale.js', args: ['5000', '200'] },
  { name: 'nightly-shortlist', title: 'Nightly at scale, DTW on shortlists', script: 'pipeline/nightly-scale.js', args: ['5000', '200', '--dtw', '{"method":"dtw","shortlist":50,"pool":4,"band":0.25}'] },
  { name: 'corpus', title: 'Recommendation quality on real music', script: 'pipeline/corpus-eval.js', args: ['2'] },
  { name: 'preview-match', title: 'Preview matching: a 30 s MP3 preview and the full FLAC', script: 'pipeline/preview-match.js', args: ['--pkgs', 'warzone2100-music wesnoth-1.16-music planetblupi-music-ogg', '--label', 'held-out set'] },
  { name: 'ann', title: 'Similarity: ANN candidates + exact re-ranking at 100,000 tracks', script: 'similarity/ann.js', args: ['--n', '100000', '--queries', '500', '--candidates', '200', '--add', '1000', '--pipeline', '5000'] },
  { name: 'similarity-topk', title: 'Similarity: DTW top-10 accuracy against exact DTW', script: 'similarity/dtw-topk.js', args: ['--n', '5000', '--subset', '300', '--workers', '2', '--configs', 'p8-b10-prune,p4-b10-prune,cos50-p4,cos20-p1,pipe-p8-b10,pipe-sl50-p4,pipe-sl100-p4,pipe-sl50-p4-b10,pipe-sl50-p4-b25,pipe-sl50-p3-b25,pipe-sl50-p2-b25,pipe-sl30-p3-b20,pipe-sl50-p2-b10', '--truth', path.join(os.tmpdir(), 'yasr-dtw-topk-truth-300.json')] },
];

/** The markdown part of a benchmark's output (a leading JSON object, if any, is dropped). */
function markdownOf(stdout: string): string {
  const text = stdout.trim();
  if (!text.startsWith('{')) return text;
  const lines = text.split('\n');
  for (let i = 1; i <= lines.length; i++) {
    try {
      JSON.parse(lines.slice(0, i).join('\n'));
      return lines.slice(i).join('\n').trim();
    } catch {
      /* not yet a whole object */
    }
  }
  return text;
}

function section(name: string, body: string): string {
  return `<!-- bench:${name} -->\n${body}\n<!-- /bench:${name} -->`;
}

const wanted = process.argv.slice(2);
let doc = existsSync(results)
  ? readFileSync(results, 'utf8')
  : `# Benchmark results\n\nWritten by \`node dist/benchmarks/run-all.js\` (after \`npm run build\`); each section names its machine and date.\n`;
const code = codeLine(root);
for (const b of BENCHES) {
  if (wanted.length && !wanted.includes(b.name)) continue;
  process.stderr.write(`running ${b.name} ...\n`);
  const t = Date.now();
  const r = spawnSync(process.execPath, [path.join(here, b.script), ...b.args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const secs = ((Date.now() - t) / 1000).toFixed(0);
  const md = r.status === 0 ? markdownOf(r.stdout) : `Failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  const body = `## ${b.title}\n\n_Run ${today()} on ${machineLine()}, ${code}; \`node dist/benchmarks/${b.script} ${b.args.join(' ')}\` took ${secs} s._\n\n${md}`;
  const re = new RegExp(`<!-- bench:${b.name} -->[\\s\\S]*?<!-- /bench:${b.name} -->`);
  doc = re.test(doc) ? doc.replace(re, section(b.name, body)) : `${doc.trimEnd()}\n\n${section(b.name, body)}\n`;
  writeFileSync(results, doc);
  process.stderr.write(`${b.name}: ${r.status === 0 ? 'ok' : 'FAILED'} (${secs} s)\n`);
}
