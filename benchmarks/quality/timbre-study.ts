/**
 * Study: which similarity front-end (src/dsp/timbre-frontend.ts) keeps a recording near itself
 * across codecs, rates, gains and a shift, and what it does to album precision.
 *
 * 1. prepare: copies (src/pipeline/evaluate-variants.ts kinds) of the central 70 s of a seeded
 *    sample of corpus tracks; one database with the corpus and the copies analysed with the mel
 *    power kept (the analysed excerpt is the central 30 s of each).
 * 2. study: for each front-end configuration, every track's similarity MFCCs from its stored mel
 *    power, then the cosine (z-scored mean/std) and timbre (single Gaussian, SKL, mutual
 *    proximity) distance matrices, and per half of the albums: precision@10 of the originals
 *    (with and without the artist filter) and self-retrieval of the copies (is the original the
 *    nearest original?). A configuration is chosen on one half and reported on the other.
 *
 * Usage: node dist/benchmarks/quality/timbre-study.js [--out DIR] [--originals 60] [--workers 2] [--configs all|base|bands]
 * Needs the corpus (bash benchmarks/corpus/build.sh).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/store/db.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { runProcess } from '../../src/audio/run-process.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { runFeatures } from '../../src/pipeline/features-stage.js';
import { DEFAULT_FEATURE_OPTIONS } from '../../src/pipeline/feature-options.js';
import { getFeature } from '../../src/store/features.js';
import { allTracks, getSource } from '../../src/store/tracks.js';
import { VARIANT_KINDS } from '../../src/pipeline/evaluate-variants.js';
import { timbreMfcc, LIBROSA_FRONTEND, type TimbreFrontEnd } from '../../src/dsp/timbre-frontend.js';
import { summaryVector } from '../../src/dsp/summary.js';
import { fitGaussian, gaussianLength, prepareGaussians, skl, mutualProximityStats, mpDistance } from '../../src/similarity/gaussian.js';
import { applyStandardizer, fitStandardizer } from '../../src/similarity/cosine.js';
import { splitByLabel } from '../../src/evaluate/held-out.js';
import { neighboursFromDistanceMatrix } from '../../src/evaluate/neighbours.js';
import { precisionAtK } from '../../src/evaluate/precision.js';
import { machineLine, today } from '../machine.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const corpus = process.env.CORPUS_OUT ?? path.join(root, 'benchmarks', 'corpus', 'out');
const out = path.resolve(arg('out', path.join(corpus, 'timbre-study')));
const nOriginals = Number(arg('originals', '60'));
const workers = Number(arg('workers', '2'));
mkdirSync(out, { recursive: true });
const log = (s: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);

function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// ---- 1. prepare ----
interface Row { path: string; artist: string; title: string; album: string; duration: number }
const manifest = path.join(corpus, 'manifest.csv');
if (!existsSync(manifest)) {
  process.stderr.write(`no corpus at ${manifest}: run "bash benchmarks/corpus/build.sh" first\n`);
  process.exit(2);
}
const rows: Row[] = readFileSync(path.join(corpus, 'tracks.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const picked = [...rows].sort((a, b) => hash32(a.path) - hash32(b.path)).slice(0, nOriginals);
const tools = findFfmpeg();
const copies: { file: string; original: string; kind: string }[] = [];
for (const r of picked) {
  for (const k of VARIANT_KINDS) {
    const file = path.join(out, 'copies', k.name, `${hash32(r.path).toString(16)}.${k.ext}`);
    copies.push({ file, original: r.path, kind: k.name });
    if (existsSync(file)) continue;
    mkdirSync(path.dirname(file), { recursive: true });
    // the central 70 s (the analysed excerpt is the central 30 s, so the copy's excerpt is the
    // original's, moved by 2.5 s for shift-5s): encoding whole tracks would cost 5x as much
    const start = Math.max(0, r.duration / 2 - 35);
    const p = await runProcess(tools.ffmpeg, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', '-ss', start.toFixed(3), '-t', '70', '-i', r.path, '-vn', '-ac', '1', ...k.args, file]);
    if (p.status !== 0) throw new Error(`ffmpeg ${k.name} ${r.path}: ${p.stderr}`);
  }
}
log(`${copies.length} copies of ${picked.length} tracks ready`);
const dbFile = path.join(out, 'study.db');
const db = openDb(dbFile);
await ingest(db, [manifest, ...copies.map((c) => c.file)], { tools, storeDir: path.join(out, 'store') });
const fs = await runFeatures(db, { ffmpeg: tools.ffmpeg, options: { ...DEFAULT_FEATURE_OPTIONS, groups: ['mfcc'], keep: ['mel'] }, workers });
log(`analysed ${fs.analysed} (failed ${fs.failed})`);

// ---- 2. the items ----
const tracks = allTracks(db);
const idOf = (p: string) => getSource(db, p)?.track_id ?? null;
const origIds = rows.map((r) => idOf(r.path)).filter((x): x is number => x !== null);
const origSet = new Set(origIds);
const albumOf = new Map(tracks.map((t) => [t.id, t.album ?? `#${t.id}`]));
const artistOf = new Map(tracks.map((t) => [t.id, t.artist ?? `#${t.id}`]));
const copyItems = copies
  .map((c) => ({ id: idOf(c.file), orig: idOf(c.original), kind: c.kind }))
  .filter((c): c is { id: number; orig: number; kind: string } => c.id !== null && c.orig !== null && c.id !== c.orig && !origSet.has(c.id));
const items = [...origIds, ...copyItems.map((c) => c.id)];
const index = new Map(items.map((id, i) => [id, i]));
const mel = items.map((id) => {
  const f = getFeature(db, id, 'mel_power');
  if (!f) throw new Error(`track #${id} has no mel_power`);
  return { rows: f.rows, cols: f.cols, data: Float32Array.from(f.data) };
});
db.close();
const nO = origIds.length;
const labels = origIds.map((id) => albumOf.get(id)!);
const artists = origIds.map((id) => artistOf.get(id)!);
const half = splitByLabel(labels, 1);
log(`${nO} originals (${new Set(labels).size} albums), ${copyItems.length} copies`);

// ---- 3. one configuration ----
interface Scores { precision: number[]; precisionAF: number[]; self: number[]; selfByKind: Record<string, number>[] }

function distances(cfg: TimbreFrontEnd): { cos: Float64Array; tim: Float64Array; n: number } {
  const n = items.length;
  const sums: Float32Array[] = [];
  const gauss: Float32Array[] = [];
  for (const m of mel) {
    const c = timbreMfcc(m, cfg);
    sums.push(summaryVector(c));
    gauss.push(fitGaussian(c.data, c.rows, c.cols));
  }
  const dim = sums[0].length;
  const flat = new Float64Array(n * dim);
  sums.forEach((s, i) => flat.set(s, i * dim));
  // z-scores fitted on the originals only (the catalogue), applied to all
  const z = applyStandardizer(flat, dim, fitStandardizer(flat.subarray(0, nO * dim), dim));
  const norm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += z[i * dim + k] ** 2;
    norm[i] = Math.sqrt(s) || 1;
  }
  const cos = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += z[i * dim + k] * z[j * dim + k];
      cos[i * n + j] = cos[j * n + i] = 1 - s / (norm[i] * norm[j]);
    }
  }
  let d = 1;
  while (gaussianLength(d) < gauss[0].length) d++;
  const g = prepareGaussians(gauss, d);
  const raw = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) raw[i * n + j] = raw[j * n + i] = Math.log1p(skl(g, i, j));
  // mutual proximity statistics over the originals (the catalogue)
  const st = mutualProximityStats((i) => {
    const r = new Float64Array(nO);
    for (let j = 0; j < nO; j++) r[j] = raw[i * n + j];
    return r;
  }, n);
  const tim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) tim[i * n + j] = i === j ? 0 : mpDistance(raw[i * n + j], st.mu[i], st.sd[i], st.mu[j], st.sd[j]);
  return { cos, tim, n };
}

function score(D: Float64Array, n: number): Scores {
  const res: Scores = { precision: [], precisionAF: [], self: [], selfByKind: [] };
  for (const h of [0, 1]) {
    const idx = [...Array(nO).keys()].filter((i) => half[i] === h);
    const sub = new Float32Array(idx.length * idx.length);
    idx.forEach((a, x) => idx.forEach((b, y) => (sub[x * idx.length + y] = D[a * n + b])));
    const nb = neighboursFromDistanceMatrix(sub, idx.length, { order: 'ascending' });
    const lab = idx.map((i) => labels[i]);
    res.precision.push(precisionAtK({ neighbours: nb, labels: lab, k: 10 }).precision);
    res.precisionAF.push(precisionAtK({ neighbours: nb, labels: lab, k: 10, excludeSameArtist: idx.map((i) => artists[i]) }).precision);
    // copies of this half's originals: is their original the nearest of this half's originals?
    const inHalf = new Set(idx);
    let hits = 0;
    let q = 0;
    const byKind: Record<string, [number, number]> = {};
    for (const c of copyItems) {
      const oi = index.get(c.orig)!;
      if (!inHalf.has(oi)) continue;
      const ci = index.get(c.id)!;
      let best = -1;
      let bestD = Infinity;
      for (const j of idx) {
        const v = D[ci * n + j];
        if (v < bestD) {
          bestD = v;
          best = j;
        }
      }
      q++;
      const ok = best === oi;
      if (ok) hits++;
      const bk = (byKind[c.kind] ??= [0, 0]);
      bk[1]++;
      if (ok) bk[0]++;
    }
    res.self.push(q ? hits / q : Number.NaN);
    res.selfByKind.push(Object.fromEntries(Object.entries(byKind).map(([k, [a, b]]) => [k, a / b])));
  }
  return res;
}

// ---- 4. the grid ----
const base: TimbreFrontEnd = { ...LIBROSA_FRONTEND };
const grid: { name: string; cfg: TimbreFrontEnd }[] = [{ name: 'librosa (today)', cfg: base }];
const which = arg('configs', 'all');
if (which === 'all') {
  for (const ref of ['max', 'p95'] as const) {
    for (const floorDb of [80, 50]) {
      for (const quietDb of [Infinity, 30]) {
        for (const [minHz, maxHz] of [[0, Infinity], [40, 8000], [100, 6000]] as const) {
          for (const dropC0 of [false, true]) {
            grid.push({ name: `ref ${ref}, floor ${floorDb}, quiet ${quietDb}, ${minHz}-${maxHz} Hz${dropC0 ? ', no c0' : ''}`, cfg: { ref, floorDb, quietDb, minHz, maxHz, nMfcc: 20, dropC0 } });
          }
        }
      }
    }
  }
}
if (which === 'bands') {
  // the top of the band only (codecs at 22,050 Hz cut from about 10 kHz): today's level reference
  for (const maxHz of [Infinity, 10000, 9700, 9500, 9000, 8500, 8000, 7000]) {
    grid.push({ name: `ref max, floor 80, up to ${maxHz} Hz`, cfg: { ref: 'max', floorDb: 80, quietDb: Infinity, minHz: 0, maxHz, nMfcc: 20, dropC0: false } });
  }
}
const results: { name: string; cos: Scores; tim: Scores }[] = [];
const cacheFile = path.join(out, 'results.json');
const cached: typeof results = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : [];
for (const g of grid) {
  const have = cached.find((c) => c.name === g.name);
  if (have) {
    results.push(have);
    continue;
  }
  const t0 = performance.now();
  const { cos, tim, n } = distances(g.cfg);
  results.push({ name: g.name, cos: score(cos, n), tim: score(tim, n) });
  writeFileSync(cacheFile, JSON.stringify([...cached, ...results.filter((r) => !cached.some((c) => c.name === r.name))]));
  log(`${g.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// ---- 5. choose on one half, report on the other ----
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const pc = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
/** Choice rule: the best self-retrieval on the tuning half; within 1 point of it, the best precision. */
function choose(method: 'cos' | 'tim', h: number): (typeof results)[number] {
  const bestSelf = Math.max(...results.map((r) => r[method].self[h]));
  return results.filter((r) => r[method].self[h] >= bestSelf - 0.01).sort((a, b) => b[method].precision[h] - a[method].precision[h])[0];
}
const lines: string[] = [];
lines.push(`### Similarity front-end study (issue 11, item 2)`);
lines.push(`Machine: ${machineLine()}. Date: ${today()}. ${nO} corpus tracks (${new Set(labels).size} albums), ${copyItems.length} copies of ${picked.length} of them`);
lines.push(`(${VARIANT_KINDS.map((k) => k.name).join(', ')}). Albums split in two halves (seed 1); a configuration is chosen on one half`);
lines.push(`(best self-retrieval of that half's copies among that half's originals, then within 1 point the best album precision@10) and reported on the other.`);
lines.push('');
lines.push('| method | configuration | chosen on | precision@10 (other half) | with artist filter | self-retrieval (other half) |');
lines.push('| --- | --- | --- | --- | --- | --- |');
for (const method of ['cos', 'tim'] as const) {
  const label = method === 'cos' ? 'cosine (mean/std, z-scored)' : 'timbre (Gaussian, SKL, MP)';
  const today0 = results[0];
  for (const h of [0, 1]) lines.push(`| ${label} | librosa MFCC (today) | - | ${f3(today0[method].precision[1 - h])} | ${f3(today0[method].precisionAF[1 - h])} | ${pc(today0[method].self[1 - h])} |`);
  for (const h of [0, 1]) {
    const c = choose(method, h);
    lines.push(`| ${label} | ${c.name} | half ${h + 1} | ${f3(c[method].precision[1 - h])} (half ${2 - h}) | ${f3(c[method].precisionAF[1 - h])} | ${pc(c[method].self[1 - h])} |`);
  }
}
lines.push('');
lines.push('Self-retrieval per kind on both halves together, today vs the configuration chosen on half 1:');
lines.push('');
lines.push(`| method | front-end | ${VARIANT_KINDS.map((k) => k.name).join(' | ')} |`);
lines.push(`| --- | --- | ${VARIANT_KINDS.map(() => '---').join(' | ')} |`);
for (const method of ['cos', 'tim'] as const) {
  for (const r of [results[0], choose(method, 0)]) {
    const avg = (k: string) => (r[method].selfByKind[0][k] + r[method].selfByKind[1][k]) / 2;
    lines.push(`| ${method === 'cos' ? 'cosine' : 'timbre'} | ${r === results[0] ? 'today' : r.name} | ${VARIANT_KINDS.map((k) => pc(avg(k.name))).join(' | ')} |`);
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(path.join(out, 'study.md'), `${lines.join('\n')}\n`);
