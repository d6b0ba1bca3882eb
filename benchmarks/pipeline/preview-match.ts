/**
 * Preview matching on real music: for every corpus track, a 30 s MP3 preview (128 kb/s) cut
 * from a seeded random offset and the full track as FLAC are ingested together (every other
 * track's pair competes as a distractor), analysed with the default features and compared with
 * the default method (cosine; timbre and hybrid reported beside it). Counts how often the
 * preview's nearest neighbour is its full track, the full track's is its preview, and both.
 * Needs `bash benchmarks/corpus/build.sh` first (any subset: ONLY_PKGS).
 *
 * Usage: node dist/benchmarks/pipeline/preview-match.js [--pkgs 'p1 p2'] [--exclude-pkgs 'p1 p2']
 *          [--seed 1] [--limit N] [--workers 2] [--excerpt 30|full] [--label TEXT]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { DEFAULT_FEATURE_OPTIONS, parseExcerpt } from '../../src/pipeline/feature-options.js';
import { runPreviewMatch } from '../../src/evaluate/preview-match-run.js';
import type { SimilarityParams } from '../../src/pipeline/similarity/methods.js';
import { machineLine, today } from '../machine.js';

const args = process.argv.slice(2);
const opt = (name: string, def?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const out = process.env.CORPUS_OUT ?? path.join(root, 'benchmarks', 'corpus', 'out');
const list = path.join(out, 'tracks.jsonl');
if (!existsSync(list)) {
  process.stderr.write(`no corpus at ${list}: run "bash benchmarks/corpus/build.sh" first\n`);
  process.exit(2);
}
const seed = Number(opt('seed', '1'));
const workers = Number(opt('workers', '2'));
const only = opt('pkgs')?.split(/\s+/).filter(Boolean);
const except = opt('exclude-pkgs')?.split(/\s+/).filter(Boolean) ?? [];
const limit = opt('limit') ? Number(opt('limit')) : Infinity;
const features = { ...DEFAULT_FEATURE_OPTIONS, ...(opt('excerpt') ? { excerpt: parseExcerpt(opt('excerpt')!) } : {}) };
interface Row { path: string; duration: number; rel: string; pkg: string; album: string }
const rows = readFileSync(list, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Row)
  .filter((r) => (!only || only.includes(r.pkg)) && !except.includes(r.pkg))
  .slice(0, limit);
const tools = findFfmpeg();
// cosine with --windows none is the cosine of before timbre_windows (same mfcc_summary values)
const methods: { label: string; params: SimilarityParams }[] = [
  { label: 'cosine (default: summary vs 30 s windows)', params: { method: 'cosine' } },
  { label: 'cosine --windows none (the former default)', params: { method: 'cosine', windows: 'none' } },
  { label: 'timbre', params: { method: 'timbre' } },
  { label: 'hybrid', params: { method: 'hybrid' } },
];
const t0 = performance.now();
const run = await runPreviewMatch({
  tracks: rows.map((r) => ({ path: r.path, duration: r.duration, key: r.rel })),
  tools,
  workDir: path.join(out, 'preview-match'),
  seed,
  workers,
  features,
  methods: methods.map((m) => m.params),
});
const secs = (performance.now() - t0) / 1000;
const pct = (x: { rate: number; hits: number; queries: number }) => `${(100 * x.rate).toFixed(1)} % (${x.hits}/${x.queries})`;
const pkgs = [...new Set(rows.map((r) => r.pkg))];
const minutes = rows.reduce((s, r) => s + r.duration, 0) / 60;
const cos = run.results[0].result;
const misses = run.pairs
  .map((p, i) => ({ p, r: cos.ranks[i] }))
  .filter((x) => x.r && (x.r.previewToFull !== 1 || x.r.fullToPreview !== 1))
  .map((x) => `${x.p.key} (${x.p.duration.toFixed(0)} s, preview at ${x.p.offset.toFixed(0)} s: ranks ${x.r.previewToFull}/${x.r.fullToPreview})`);
process.stdout.write(`${JSON.stringify({ seed, tracks: rows.length, features, results: run.results.map((r, i) => ({ method: methods[i].label, previewToFull: r.result.previewToFull, fullToPreview: r.result.fullToPreview, mutual: r.result.mutual })), seconds: run.seconds })}
### Preview matching${opt('label') ? `: ${opt('label')}` : ''}
Machine: ${machineLine()}. Date: ${today()}. ${rows.length} tracks (${minutes.toFixed(0)} min) from ${pkgs.join(', ')};
each as a 30 s MP3 preview (128 kb/s, 44.1 kHz stereo, offset uniform over the track, seed ${seed}) and as
FLAC, ${2 * rows.length} items in one catalogue; features: excerpt ${features.excerpt}, trim ${features.trim}${run.failed ? `; ${run.failed} failed to analyse` : ''}.
Times: making the files ${run.seconds.make.toFixed(0)} s, ingest ${run.seconds.ingest.toFixed(0)} s, features ${run.seconds.features.toFixed(0)} s (${workers} workers), similarity ${run.seconds.similarity.toFixed(1)} s; total ${secs.toFixed(0)} s.

| method | preview -> full | full -> preview | both (mutual nearest) |
| --- | --- | --- | --- |
${run.results.map((r, i) => `| ${methods[i].label} | ${pct(r.result.previewToFull)} | ${pct(r.result.fullToPreview)} | ${pct(r.result.mutual)} |`).join('\n')}

Default cosine misses (rank of the full track for the preview / of the preview for the full track): ${misses.length ? misses.join('; ') : 'none'}.
`);
