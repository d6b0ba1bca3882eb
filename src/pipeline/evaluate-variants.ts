/**
 * `yasr evaluate --variants`: self-retrieval of generated variants. For a sample of analysed
 * tracks, ffmpeg makes copies in other codecs (MP3 64 and 320 kb/s, AAC, Opus, Vorbis), at other
 * sample rates (22.05 and 48 kHz), 6 dB louder and quieter, starting 5 s later, and an MP3 at
 * 22.05 kHz (band-limited below what yasr analyses). The copies
 * are analysed in a scratch copy of the database (the catalogue itself is not touched), with the
 * default feature groups and the opt-in groups every analysed track has (the supervector); a copy is
 * retrieved when its original is its nearest neighbour among all the original tracks. A track
 * must stay nearer to itself than to any other track, whatever the method. Each method is scored
 * with its defaults, and once more for each of its choices that reads an opt-in group's feature
 * (`timbre (mutual proximity, with the supervector)` when the tracks have supervectors).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../store/db.js';
import { copyDatabase, openDb } from '../store/db.js';
import { getSource, tracksByIds } from '../store/tracks.js';
import { badParameter, errorLine } from '../errors.js';
import { runProcess } from '../audio/run-process.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import { ingest } from './ingest.js';
import { runFeatures } from './features-stage.js';
import { DEFAULT_FEATURE_OPTIONS, OPT_IN_GROUP_FEATURES, type FeatureGroup } from './feature-options.js';
import { analysedEntries, analysedTracks, requiredFeatures } from './similarity/catalogue.js';
import { methodNamed, normalizedParams } from './similarity/registry.js';
import type { SimilarityParams } from './similarity/methods.js';
import { runSimilarity, SEQUENCE_METHODS } from './similarity/run-similarity.js';
import { denseMatrix } from './similarity/dense.js';
import { METHODS, checkMethodNames, type MethodName } from './similarity/methods.js';
import { neighboursFromDistanceMatrix } from '../evaluate/neighbours.js';
import { selfRetrieval } from '../evaluate/self-retrieval.js';
import type { ProgressSink } from './progress-events.js';
import { hashString } from '../util/random.js';

export interface VariantKind {
  name: string;
  /** File extension of the copy. */
  ext: string;
  /** ffmpeg output options (after `-i original`). */
  args: string[];
}

/** What the issue asks a track to survive: codecs, rates, gains and a shift. */
export const VARIANT_KINDS: readonly VariantKind[] = [
  { name: 'mp3-64k', ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '64k'] },
  { name: 'mp3-320k', ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '320k'] },
  { name: 'aac-128k', ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '128k'] },
  { name: 'opus-96k', ext: 'opus', args: ['-c:a', 'libopus', '-b:a', '96k'] },
  { name: 'vorbis-q3', ext: 'ogg', args: ['-c:a', 'libvorbis', '-q:a', '3'] },
  { name: 'rate-22k', ext: 'flac', args: ['-ar', '22050', '-c:a', 'flac'] },
  { name: 'rate-48k', ext: 'flac', args: ['-ar', '48000', '-c:a', 'flac'] },
  // float WAV: a louder copy must not clip
  { name: 'gain+6dB', ext: 'wav', args: ['-af', 'volume=6dB', '-c:a', 'pcm_f32le'] },
  { name: 'gain-6dB', ext: 'wav', args: ['-af', 'volume=-6dB', '-c:a', 'pcm_f32le'] },
  { name: 'shift-5s', ext: 'flac', args: ['-ss', '5', '-c:a', 'flac'] },
  // an MP3 of a 22,050 Hz source: the encoder's low-pass (about 10 kHz at this rate) cuts the top
  // of what yasr analyses, where a 44.1 kHz MP3's lies above it
  { name: 'mp3-96k-22k', ext: 'mp3', args: ['-ar', '22050', '-c:a', 'libmp3lame', '-b:a', '96k'] },
];

export interface VariantOptions {
  tools: FfmpegTools;
  /** Originals sampled (default 20; fewer when fewer tracks have local audio). */
  count?: number;
  /** Kinds by name (default all of VARIANT_KINDS). */
  kinds?: string[];
  methods?: MethodName[];
  seed?: number;
  workers?: number;
  /** Scratch folder (default a new one under the system's temp folder, removed afterwards). */
  workDir?: string;
  progress?: ProgressSink;
  /** Stage messages ("making 200 copies ..."). */
  log?: (line: string) => void;
}

export interface VariantCounts {
  rate: number;
  queries: number;
  hits: number;
}

export interface VariantResult {
  originals: number;
  kinds: string[];
  /** Copies made and analysed, per kind. */
  made: Record<string, number>;
  /** Copies that could not be made or analysed, with the reason. */
  failures: { original: number; kind: string; error: string }[];
  /** Opt-in feature groups the copies were analysed with (those every analysed track has). */
  groups: string[];
  methods: {
    /** The method, or `method (choice)` for a choice that reads an opt-in group's feature. */
    method: string;
    params: SimilarityParams;
    /** Over every copy of every kind. */
    all: VariantCounts;
    byKind: Record<string, VariantCounts>;
    /** Copies whose row held a NaN or infinite distance. */
    nonFinite: number;
    /** Copies that missed, with the track they found instead: [copy kind, original id, found id]. */
    misses: [string, number, number][];
  }[];
}


/** Check the options; the kinds by name. */
export function checkVariantOptions(o: Pick<VariantOptions, 'count' | 'kinds' | 'methods'>): VariantKind[] {
  if (o.count !== undefined && (!Number.isInteger(o.count) || o.count < 1)) throw badParameter('--variants', o.count, 'a positive integer');
  checkMethodNames(o.methods ?? []);
  const names = o.kinds ?? VARIANT_KINDS.map((k) => k.name);
  return names.map((n) => {
    const k = VARIANT_KINDS.find((v) => v.name === n);
    if (!k) throw badParameter('--variant-kinds', n, VARIANT_KINDS.map((v) => v.name).join(', '));
    return k;
  });
}

export async function evaluateVariants(db: Db, o: VariantOptions): Promise<VariantResult> {
  const kinds = checkVariantOptions(o);
  const methods = o.methods ?? [...METHODS];
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 1;
  // originals: analysed tracks whose audio is at hand, in a seeded order
  const { entries } = analysedTracks(db, ['mfcc_summary']);
  const tracks = tracksByIds(db, entries.map((e) => e.trackId));
  const withAudio = entries
    .map((e) => tracks.get(e.trackId)!)
    .filter((t) => t.localPath && existsSync(t.localPath))
    .sort((a, b) => hashString(`${seed}:${a.id}`) - hashString(`${seed}:${b.id}`) || a.id - b.id);
  const originals = withAudio.slice(0, o.count ?? 20);
  if (originals.length < 2 || entries.length < 3) {
    throw badParameter('catalogue', entries.length, 'at least 3 analysed tracks, 2 of them with their audio file at hand');
  }
  const work = o.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'yasr-variants-'));
  mkdirSync(work, { recursive: true });
  // the opt-in groups every analysed track was analysed with: the copies get them too
  const optIn = (Object.entries(OPT_IN_GROUP_FEATURES) as [FeatureGroup, string][]).filter(
    ([, feature]) => analysedEntries(db, ['mfcc_summary', feature]).length === entries.length,
  );
  const optInFeatures = new Set(optIn.map(([, f]) => f));
  const featureOptions = { ...DEFAULT_FEATURE_OPTIONS, groups: [...DEFAULT_FEATURE_OPTIONS.groups, ...optIn.map(([g]) => g)] };
  // each method's defaults, and its choices that read an opt-in feature the catalogue has
  const rows = methods.flatMap((method) => [
    { label: method as string, method, params: { method } as SimilarityParams },
    ...methodNamed(method)
      .choices()
      .filter((ch) => requiredFeatures(normalizedParams(ch.params)).some((f) => optInFeatures.has(f)))
      .map((ch) => ({ label: `${method} (${ch.name})`, method, params: ch.params })),
  ]);
  const result: VariantResult = { originals: originals.length, kinds: kinds.map((k) => k.name), made: {}, failures: [], groups: optIn.map(([g]) => g), methods: [] };
  try {
    // 1. the copies
    log(`making ${originals.length * kinds.length} copies of ${originals.length} tracks (${kinds.length} kinds) with ffmpeg ...`);
    const made: { file: string; original: number; kind: string }[] = [];
    o.progress?.start(originals.length * kinds.length, 'variants');
    for (const t of originals) {
      for (const k of kinds) {
        const file = path.join(work, 'audio', `${t.id}.${k.name}.${k.ext}`);
        mkdirSync(path.dirname(file), { recursive: true });
        const r = await runProcess(o.tools.ffmpeg, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', '-i', t.localPath!, '-vn', '-ac', '1', ...k.args, file], { timeoutMs: 300_000 });
        if (r.status === 0 && existsSync(file)) made.push({ file, original: t.id, kind: k.name });
        else result.failures.push({ original: t.id, kind: k.name, error: `ffmpeg: ${errorLine(r.stderr || `exit ${r.status}`)}` });
        o.progress?.tick(`${t.id} ${k.name}`, r.status === 0);
      }
    }
    o.progress?.stop();
    // 2. a scratch copy of the database: the catalogue stays as it is
    const scratchFile = path.join(work, 'scratch.db');
    copyDatabase(db, scratchFile);
    const scratch = openDb(scratchFile);
    try {
      log(`analysing ${made.length} copies ...`);
      const ing = await ingest(scratch, made.map((m) => m.file), { tools: o.tools, storeDir: path.join(work, 'store') });
      for (const f of ing.failures) result.failures.push({ original: -1, kind: '?', error: `${f.source}: ${f.error}` });
      // the default options with the catalogue's opt-in groups: tracks analysed so keep their
      // features; one analysed otherwise (another excerpt, say) is analysed again here, so that
      // copies and originals are compared alike
      const fs = await runFeatures(scratch, { ffmpeg: o.tools.ffmpeg, options: featureOptions, workers: o.workers ?? os.availableParallelism(), progress: o.progress });
      for (const f of fs.failures) result.failures.push({ original: -1, kind: '?', error: `#${f.trackId}: ${f.error}` });
      const copyOf = new Map<number, { original: number; kind: string }>();
      for (const m of made) {
        const id = getSource(scratch, m.file)?.track_id;
        if (id != null && !copyOf.has(id) && id !== m.original) copyOf.set(id, { original: m.original, kind: m.kind });
      }
      for (const k of kinds) result.made[k.name] = [...copyOf.values()].filter((c) => c.kind === k.name).length;
      // 3. each method: is the original the nearest of all non-copies?
      for (const { label, method, params } of rows) {
        log(`${label} ...`);
        if (SEQUENCE_METHODS.has(method)) await runSimilarity(scratch, params, { k: 10, workers: o.workers ?? os.availableParallelism() });
        const m = denseMatrix(scratch, params);
        const pos = new Map(m.trackIds.map((id, i) => [id, i]));
        const queries: number[] = [];
        const origs: number[] = [];
        const kindOf: string[] = [];
        for (const [id, c] of copyOf) {
          const qi = pos.get(id);
          const oi = pos.get(c.original);
          if (qi === undefined || oi === undefined) continue;
          queries.push(qi);
          origs.push(oi);
          kindOf.push(c.kind);
        }
        let nonFinite = 0;
        for (const q of queries) {
          for (let j = 0; j < m.n; j++) {
            if (!Number.isFinite(m.data[q * m.n + j])) {
              nonFinite++;
              break;
            }
          }
        }
        const isCopy = new Uint8Array(m.n);
        for (const q of queries) isCopy[q] = 1;
        const neighbours = neighboursFromDistanceMatrix(m.data, m.n, { order: m.orientation === 'similarity' ? 'descending' : 'ascending' });
        const r = selfRetrieval({ neighbours, queries, originals: origs, kinds: kindOf, isCandidate: (j) => !isCopy[j] });
        const misses: [string, number, number][] = [];
        r.ranks.forEach((rank, q) => {
          if (rank === 1) return;
          const found = Array.from(neighbours(queries[q])).find((j) => j !== queries[q] && !isCopy[j]);
          misses.push([kindOf[q], m.trackIds[origs[q]], found === undefined ? -1 : m.trackIds[found]]);
        });
        const byKind: Record<string, VariantCounts> = {};
        for (const [kind, c] of Object.entries(r.byKind ?? {})) byKind[kind] = { rate: c.rate, queries: c.queries, hits: c.hits };
        result.methods.push({ method: label, params, all: { rate: r.rate, queries: r.queries, hits: r.hits }, byKind, nonFinite, misses });
      }
    } finally {
      scratch.close();
    }
  } finally {
    if (!o.workDir) rmSync(work, { recursive: true, force: true });
  }
  return result;
}
