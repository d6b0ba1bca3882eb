/**
 * Issue 4: recommendation quality on real music. Builds on benchmarks/corpus/build.sh's
 * output (game soundtracks; album = game). Reports precision@10 by album for every method,
 * with and without the artist filter, beside the random baseline and the best possible; then
 * self-retrieval: each re-encoded copy and each copy shifted by 5 s must find its original as
 * nearest neighbour (the other variants are not candidates).
 * Then the fresh part (manifest-fresh.csv: other games, never used to choose anything): every
 * method with its defaults, against Musly's idea as Musly runs it (timbre of the 30 s in the
 * middle of each file, cut by ffmpeg), with 95 % intervals from a bootstrap over albums.
 * Usage: node dist/benchmarks/pipeline/corpus-eval.js [workers=2]
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/store/db.js';
import { sqliteOf } from '../../src/store/engine/sqlite.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { runFeatures } from '../../src/pipeline/features-stage.js';
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from '../../src/pipeline/feature-options.js';
import { runSimilarity } from '../../src/pipeline/similarity/run-similarity.js';
import { denseMatrix } from '../../src/pipeline/similarity/dense.js';
import { METHODS, type MethodName, type SimilarityParams } from '../../src/pipeline/similarity/methods.js';
import { getTrack, resolveTrack, type Track } from '../../src/store/tracks.js';
import { precisionAtK, randomBaseline, bestPossible, neighboursFromDistanceMatrix, selfRetrieval } from '../../src/evaluate/precision.js';
import { readVariants } from '../../src/evaluate/corpus-csv.js';
import { labelBootstrap, labelBootstrapRatio } from '../../src/evaluate/held-out.js';
import { runProcess } from '../../src/audio/run-process.js';
import type { Db } from '../../src/store/db.js';
import { machineLine, today } from '../machine.js';

const workers = Number(process.argv[2] ?? 2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const out = path.join(root, 'benchmarks', 'corpus', 'out');
const manifest = path.join(out, 'manifest.csv');
if (!existsSync(manifest)) {
  process.stderr.write(`no corpus at ${manifest}: run "bash benchmarks/corpus/build.sh" first\n`);
  process.exit(2);
}
const tools = findFfmpeg();
const dbFile = path.join(out, 'eval.db');
const t0 = performance.now();
const db = openDb(dbFile);
await ingest(db, [manifest], { tools, storeDir: path.join(out, 'store') });
// the default groups and the supervector (timbre --supervector is scored too)
const CORPUS_FEATURES: FeatureOptions = { ...DEFAULT_FEATURE_OPTIONS, groups: [...DEFAULT_FEATURE_OPTIONS.groups, 'supervector'] };
const fs = await runFeatures(db, { ffmpeg: tools.ffmpeg, options: CORPUS_FEATURES, workers });
const tFeatures = (performance.now() - t0) / 1000;
const k = 10;

interface Scored {
  /** Per track, by a key (its path, or its original's for an excerpt): album and precision without / with the artist filter (NaN: skipped). */
  byKey: Map<string, { album: string; p: number; pf: number }>;
  precision: number;
  filtered: number;
  queries: number;
  filteredQueries: number;
  skipped: number;
  labels: string[];
  artists: string[];
}

interface Meta { key: string; album: string; artist: string }
const ownMeta = (x: Track): Meta => ({ key: x.localPath ?? `#${x.id}`, album: x.album ?? `#${x.id}`, artist: x.artist ?? `#${x.id}` });

/** One method's all-pairs lists and the precision@k of every track as a query (its key, album
 * and artist from `metaOf`: by default its own path and tags). */
async function score(db: Db, params: SimilarityParams, metaOf: (x: Track) => Meta = ownMeta): Promise<Scored> {
  await runSimilarity(db, params, { k, workers });
  const m = denseMatrix(db, params);
  const meta = m.trackIds.map((id) => metaOf(getTrack(db, id)!));
  const keys = meta.map((x) => x.key);
  const labels = meta.map((x) => x.album);
  const artists = meta.map((x) => x.artist);
  const nb = neighboursFromDistanceMatrix(m.data, m.n, { order: m.orientation === 'similarity' ? 'descending' : 'ascending' });
  const p = precisionAtK({ neighbours: nb, labels, k });
  const pf = precisionAtK({ neighbours: nb, labels, k, excludeSameArtist: artists });
  return {
    byKey: new Map(keys.map((key, i) => [key, { album: labels[i], p: p.perQuery[i], pf: pf.perQuery[i] }])),
    precision: p.precision, filtered: pf.precision, queries: p.queries, filteredQueries: pf.queries, skipped: pf.skipped,
    labels, artists,
  };
}

// every method with its defaults, then what a component adds or takes away: timbre with the
// supervector (the supervector feature group; not the default), and without its deltas (the whole track's
// Gaussian of the MFCCs alone, features version 9's default)
const SCORED: { name: string; params: SimilarityParams }[] = [
  ...(METHODS as readonly MethodName[]).map((method) => ({ name: method, params: { method } })),
  { name: 'timbre --supervector', params: { method: 'timbre', supervector: true } },
  { name: 'timbre --no-deltas', params: { method: 'timbre', deltas: false } },
];
const lines: string[] = [];
let baseline = '';
const timings: string[] = [];
for (const { name, params } of SCORED) {
  const t = performance.now();
  const r = await score(db, params);
  timings.push(`${name} ${((performance.now() - t) / 1000).toFixed(1)} s`);
  lines.push(`| ${name} | ${r.precision.toFixed(3)} | ${r.filtered.toFixed(3)} |`);
  if (!baseline) baseline = baselines(r);
}
db.close();

// self-retrieval: a copy of the database plus the variants
const selfDb = path.join(out, 'eval-self.db');
for (const s of ['', '-wal', '-shm']) rmSync(selfDb + s, { force: true });
const src = openDb(dbFile);
sqliteOf(src).pragma('wal_checkpoint(TRUNCATE)');
src.close();
copyFileSync(dbFile, selfDb);
const sdb = openDb(selfDb);
const variants = readVariants(path.join(out, 'variants.csv'));
await ingest(sdb, variants.map((v) => v.path), { tools, storeDir: path.join(out, 'store') });
await runFeatures(sdb, { ffmpeg: tools.ffmpeg, options: DEFAULT_FEATURE_OPTIONS, workers });
const selfLines: string[] = [];
for (const method of METHODS as readonly MethodName[]) {
  await runSimilarity(sdb, { method }, { k, workers });
  const m = denseMatrix(sdb, { method });
  const pos = new Map(m.trackIds.map((id, i) => [id, i]));
  const isVariant = new Array<boolean>(m.n).fill(false);
  const queries: number[] = [];
  const originals: number[] = [];
  const kinds: string[] = [];
  for (const v of variants) {
    const q = pos.get(resolveTrack(sdb, v.path).id);
    const o = pos.get(resolveTrack(sdb, v.originalPath).id);
    if (q === undefined || o === undefined) continue;
    isVariant[q] = true;
    queries.push(q);
    originals.push(o);
    kinds.push(v.kind);
  }
  const r = selfRetrieval({
    neighbours: neighboursFromDistanceMatrix(m.data, m.n, { order: m.orientation === 'similarity' ? 'descending' : 'ascending' }),
    queries, originals, kinds, isCandidate: (j) => !isVariant[j],
  });
  const by = r.byKind ?? {};
  const fmt = (x?: { rate: number; queries: number }) => (x ? `${(100 * x.rate).toFixed(0)} % of ${x.queries}` : '-');
  selfLines.push(`| ${method} | ${fmt(by.reencode)} | ${fmt(by.trim5s)} | ${(100 * r.rate).toFixed(1)} % |`);
}
sdb.close();

function baselines(r: Scored): string {
  const { labels, artists } = r;
  const rb = randomBaseline(labels, k);
  const rf = randomBaseline(labels, k, artists);
  const b = bestPossible(labels, k);
  const bf = bestPossible(labels, k, artists);
  return `| random | ${rb.precision.toFixed(3)} | ${rf.precision.toFixed(3)} |\n| best possible | ${b.precision.toFixed(3)} | ${bf.precision.toFixed(3)} |\n\nQueries: ${r.queries} (${r.filteredQueries} with the artist filter; ${r.skipped} skipped: no other artist on their album).`;
}

// The fresh part: other games, never used to choose a parameter, a weight or a feature.
interface FreshRow { path: string; duration: number; sha256: string; album: string; artist: string }
async function freshPart(): Promise<string> {
  const rows = readFileSync(path.join(out, 'tracks-fresh.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as FreshRow);
  const t = performance.now();
  const fdb = openDb(path.join(out, 'eval-fresh.db'));
  await ingest(fdb, [path.join(out, 'manifest-fresh.csv')], { tools, storeDir: path.join(out, 'store') });
  const ffs = await runFeatures(fdb, { ffmpeg: tools.ffmpeg, options: CORPUS_FEATURES, workers });
  const scored = new Map<string, Scored>();
  for (const { name, params } of SCORED) scored.set(name, await score(fdb, params));
  fdb.close();
  // Musly's idea as Musly runs it: one Gaussian (timbre of the MFCCs alone: --no-deltas) of the
  // 30 s in the middle of the file.
  // ffmpeg cuts them once (kept in out/fresh-excerpts, named by the file's sha256); each is
  // shorter than the excerpt, so its timbre Gaussian is the excerpt's.
  const exDir = path.join(out, 'fresh-excerpts');
  mkdirSync(exDir, { recursive: true });
  const original = new Map<string, string>();
  for (const r of rows) {
    const file = path.join(exDir, `${r.sha256.slice(0, 16)}.flac`);
    original.set(file, r.path);
    if (existsSync(file)) continue;
    const start = Math.max(0, r.duration / 2 - 15);
    const tmp = `${file}.tmp`;
    const res = await runProcess(tools.ffmpeg, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', '-ss', start.toFixed(3), '-t', '30', '-i', r.path, '-map', '0:a:0', '-f', 'flac', tmp], { timeoutMs: 300_000 });
    if (res.status !== 0) throw new Error(`ffmpeg could not cut ${r.path}: ${res.timedOut ? 'timed out' : res.stderr.trim()}`);
    renameSync(tmp, file);
  }
  const xdb = openDb(path.join(out, 'eval-fresh-excerpts.db'));
  await ingest(xdb, [...original.keys()], { tools, storeDir: path.join(out, 'store') });
  await runFeatures(xdb, { ffmpeg: tools.ffmpeg, options: DEFAULT_FEATURE_OPTIONS, workers });
  // the excerpts carry no tags: key, album and artist are their originals'
  const byPath = new Map(rows.map((r) => [r.path, r]));
  const musly = await score(xdb, { method: 'timbre', deltas: false }, (x) => {
    const r = byPath.get(original.get(x.localPath ?? '') ?? '');
    if (!r) throw new Error(`excerpt without an original: ${x.localPath}`);
    return { key: r.path, album: r.album, artist: r.artist };
  });
  xdb.close();
  const seconds = (performance.now() - t) / 1000;
  return freshTable(scored, musly, ffs, seconds);
}

/** Paired values of a method and Musly's idea over the queries both scored. */
function paired(a: Scored, b: Scored, filtered: boolean): { a: number[]; b: number[]; albums: string[] } {
  const r = { a: [] as number[], b: [] as number[], albums: [] as string[] };
  for (const [key, x] of a.byKey) {
    const y = b.byKey.get(key);
    const va = filtered ? x.pf : x.p;
    const vb = filtered ? y?.pf : y?.p;
    if (vb === undefined || Number.isNaN(va) || Number.isNaN(vb)) continue;
    r.a.push(va);
    r.b.push(vb);
    r.albums.push(x.album);
  }
  return r;
}

function freshTable(scored: Map<string, Scored>, musly: Scored, ffs: { analysed: number; skipped: number; failed: number }, seconds: number): string {
  const f3 = (x: number) => x.toFixed(3);
  const iv = ([lo, hi]: [number, number], f: (x: number) => string) => `${f(lo)}-${f(hi)}`;
  const ratio = (x: number) => `${x.toFixed(2)} x`;
  const cell = (m: Scored, filtered: boolean) => {
    const q = paired(m, m, filtered);
    const mean = q.a.reduce((s, v) => s + v, 0) / q.a.length;
    return `${f3(mean)} (${iv(labelBootstrap(q.a, q.albums), f3)})`;
  };
  const vs = (m: Scored, filtered: boolean) => {
    const q = paired(m, musly, filtered);
    const sa = q.a.reduce((s, v) => s + v, 0);
    const sb = q.b.reduce((s, v) => s + v, 0);
    return `${ratio(sa / sb)} (${iv(labelBootstrapRatio(q.a, q.b, q.albums), (x) => x.toFixed(2))})`;
  };
  const first = [...scored.values()][0];
  const albums = new Set(first.labels).size;
  const rows = [
    `| timbre --no-deltas of the 30 s in the middle of each file (Musly's idea as Musly runs it) | ${cell(musly, false)} | ${cell(musly, true)} | 1 | 1 |`,
    ...[...scored].map(([method, m]) => `| ${method}${method === 'hybrid' ? ' (the default)' : ''} | ${cell(m, false)} | ${cell(m, true)} | ${vs(m, false)} | ${vs(m, true)} |`),
  ];
  return `
### The fresh part: music no parameter was chosen on
Corpus: benchmarks/corpus/build.sh's fresh part (manifest-fresh.csv: ${ffs.analysed + ffs.skipped} tracks of ${albums} other games,
album = game; ${ffs.failed} failed to analyse). Nothing in yasr was chosen on these tracks: every
parameter, weight and feature was fixed on the part above before they were added. Every method
with its defaults, leave-one-out over the fresh part: held-out figures. Musly's idea as Musly runs
it: the timbre method without deltas (one Gaussian of the MFCCs, mutual proximity) of the 30 s in
the middle of each file, cut by ffmpeg. Intervals: 95 %, bootstrap over albums (2,000 resamples; a ratio's interval resamples
both methods together). Analysis and similarity took ${seconds.toFixed(0)} s with ${workers} workers
(${ffs.analysed} tracks analysed in this run, ${ffs.skipped} kept from an earlier one).

| method | precision@10 by album (95 % interval) | with the artist filter | x Musly's idea | x Musly's idea, artist filter |
| --- | --- | --- | --- | --- |
${rows.join('\n')}
${baselines(first).replace('\n\nQueries:', '\n\nQueries of the fresh part:')}
`;
}

const freshManifest = path.join(out, 'manifest-fresh.csv');
const freshSection = existsSync(freshManifest)
  ? await freshPart()
  : `\nNo fresh part (${path.relative(root, freshManifest)} is missing: benchmarks/corpus/build.sh builds it unless FRESH=0).\n`;

process.stdout.write(`### Recommendation quality on real music (issue 4)
Machine: ${machineLine()}. Date: ${today()}. Corpus: benchmarks/corpus/build.sh (${fs.analysed + fs.skipped} game
soundtrack tracks from Debian packages, album = game; ${fs.failed} failed to analyse), default features
(30 s central excerpts; the timbre Gaussian and the block patterns of the whole track) and the supervector group, every
method with its default parameters. Analysis took ${tFeatures.toFixed(0)} s with ${workers} workers
(${fs.analysed} tracks analysed in this run, ${fs.skipped} kept from an earlier one); similarity: ${timings.join(', ')}.

| method | precision@10 by album | with the artist filter |
| --- | --- | --- |
${lines.join('\n')}
${baseline}

Self-retrieval (nearest neighbour of a variant is its original; other variants are not candidates):

| method | re-encoded copy | shifted by 5 s | all |
| --- | --- | --- | --- |
${selfLines.join('\n')}
${freshSection}`);
