/**
 * Issue 4: recommendation quality on real music. Builds on benchmarks/corpus/build.sh's
 * output (game soundtracks; album = game). Reports precision@10 by album for every method,
 * with and without the artist filter, beside the random baseline and the best possible; then
 * self-retrieval: each re-encoded copy and each copy shifted by 5 s must find its original as
 * nearest neighbour (the other variants are not candidates).
 * Usage: node dist/benchmarks/pipeline/corpus-eval.js [workers=2]
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/store/db.js';
import { sqliteOf } from '../../src/store/engine/sqlite.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { runFeatures } from '../../src/pipeline/features-stage.js';
import { DEFAULT_FEATURE_OPTIONS } from '../../src/pipeline/feature-options.js';
import { runSimilarity } from '../../src/pipeline/similarity/run-similarity.js';
import { denseMatrix } from '../../src/pipeline/similarity/dense.js';
import { METHODS, type MethodName } from '../../src/pipeline/similarity/methods.js';
import { getTrack, resolveTrack } from '../../src/store/tracks.js';
import { precisionAtK, randomBaseline, bestPossible, neighboursFromDistanceMatrix, selfRetrieval } from '../../src/evaluate/precision.js';
import { readVariants } from '../../src/evaluate/corpus-csv.js';
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
const fs = await runFeatures(db, { ffmpeg: tools.ffmpeg, options: DEFAULT_FEATURE_OPTIONS, workers });
const tFeatures = (performance.now() - t0) / 1000;
const k = 10;
const lines: string[] = [];
let baseline = '';
const timings: string[] = [];
for (const method of METHODS as readonly MethodName[]) {
  const t = performance.now();
  await runSimilarity(db, { method }, { k, workers });
  const m = denseMatrix(db, { method });
  timings.push(`${method} ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const tracks = m.trackIds.map((id) => getTrack(db, id)!);
  const labels = tracks.map((x) => x.album ?? `#${x.id}`);
  const artists = tracks.map((x) => x.artist ?? `#${x.id}`);
  const nb = neighboursFromDistanceMatrix(m.data, m.n, { order: m.orientation === 'similarity' ? 'descending' : 'ascending' });
  const p = precisionAtK({ neighbours: nb, labels, k });
  const pf = precisionAtK({ neighbours: nb, labels, k, excludeSameArtist: artists });
  lines.push(`| ${method} | ${p.precision.toFixed(3)} | ${pf.precision.toFixed(3)} |`);
  if (!baseline) {
    const r = randomBaseline(labels, k);
    const rf = randomBaseline(labels, k, artists);
    const b = bestPossible(labels, k);
    const bf = bestPossible(labels, k, artists);
    baseline = `| random | ${r.precision.toFixed(3)} | ${rf.precision.toFixed(3)} |\n| best possible | ${b.precision.toFixed(3)} | ${bf.precision.toFixed(3)} |\n\nQueries: ${p.queries} (${pf.queries} with the artist filter; ${pf.skipped} skipped: no other artist on their album).`;
  }
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

process.stdout.write(`### Recommendation quality on real music (issue 4)
Machine: ${machineLine()}. Date: ${today()}. Corpus: benchmarks/corpus/build.sh (${fs.analysed + fs.skipped} game
soundtrack tracks from Debian packages, album = game; ${fs.failed} failed to analyse), default features
(30 s central excerpts), every method with its default parameters. Analysis took ${tFeatures.toFixed(0)} s
with ${workers} workers; similarity: ${timings.join(', ')}.

| method | precision@10 by album | with the artist filter |
| --- | --- | --- |
${lines.join('\n')}
${baseline}

Self-retrieval (nearest neighbour of a variant is its original; other variants are not candidates):

| method | re-encoded copy | shifted by 5 s | all |
| --- | --- | --- | --- |
${selfLines.join('\n')}
`);
