/**
 * Runs the preview-matching check end to end: makes a preview (30 s MP3 128 kb/s from a seeded
 * offset) and a full FLAC of every track, ingests them all into a fresh database, analyses them
 * with the given (default) feature options and scores the given (default: cosine) method.
 * Shared by benchmarks/pipeline/preview-match.ts and test/evaluate/preview-match-corpus.test.ts.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { openDb } from '../store/db.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import { ingest } from '../pipeline/ingest.js';
import { runFeatures } from '../pipeline/features-stage.js';
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from '../pipeline/feature-options.js';
import { denseMatrix } from '../pipeline/similarity/dense.js';
import type { SimilarityParams } from '../pipeline/similarity/methods.js';
import { resolveTrack } from '../store/tracks.js';
import { makeFullFlac, makePreview, previewMatchRates, previewOffset, type PreviewMatchResult } from './preview-match.js';

export interface PreviewMatchTrack {
  /** Source audio file. */
  path: string;
  /** Its duration in seconds. */
  duration: number;
  /** Stable name that seeds the offset (e.g. the path relative to the corpus). */
  key: string;
}

export interface PreviewMatchRun {
  results: { method: string; result: PreviewMatchResult }[];
  pairs: { key: string; offset: number; duration: number; preview: string; full: string }[];
  failed: number;
  seconds: { make: number; ingest: number; features: number; similarity: number };
}

async function inBatches<T>(items: T[], width: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.max(1, width) }, async () => {
    while (next < items.length) await f(items[next++]);
  }));
}

export async function runPreviewMatch(o: {
  tracks: PreviewMatchTrack[];
  tools: FfmpegTools;
  /** Scratch folder (made; the audio is kept there and reused when present). */
  workDir: string;
  seed: number;
  workers?: number;
  features?: FeatureOptions;
  methods?: SimilarityParams[];
}): Promise<PreviewMatchRun> {
  const workers = o.workers ?? 2;
  const t0 = performance.now();
  mkdirSync(path.join(o.workDir, 'audio'), { recursive: true });
  const pairs = o.tracks.map((t) => {
    const offset = previewOffset(t.key, o.seed, t.duration);
    const id = createHash('sha256').update(t.key).digest('hex').slice(0, 12);
    const base = path.join(o.workDir, 'audio', id);
    return { key: t.key, offset, duration: t.duration, src: t.path, preview: `${base}.s${o.seed}.preview.mp3`, full: `${base}.full.flac` };
  });
  await inBatches(pairs, workers, async (p) => {
    if (!existsSync(p.preview)) await makePreview(o.tools.ffmpeg, p.src, p.preview, p.offset);
    if (!existsSync(p.full)) await makeFullFlac(o.tools.ffmpeg, p.src, p.full);
  });
  const t1 = performance.now();
  const dbFile = path.join(o.workDir, 'preview-match.db');
  for (const s of ['', '-wal', '-shm']) rmSync(dbFile + s, { force: true });
  const db = openDb(dbFile);
  try {
    await ingest(db, pairs.flatMap((p) => [p.preview, p.full]), { tools: o.tools, storeDir: path.join(o.workDir, 'store') });
    const t2 = performance.now();
    const fs = await runFeatures(db, { ffmpeg: o.tools.ffmpeg, options: o.features ?? DEFAULT_FEATURE_OPTIONS, workers });
    const t3 = performance.now();
    const results: PreviewMatchRun['results'] = [];
    for (const method of o.methods ?? [{ method: 'cosine' }]) {
      const m = denseMatrix(db, method);
      const pos = new Map(m.trackIds.map((id, i) => [id, i]));
      const idx = pairs.map((p) => ({ preview: pos.get(resolveTrack(db, p.preview).id), full: pos.get(resolveTrack(db, p.full).id) }));
      const ok = idx.filter((x): x is { preview: number; full: number } => x.preview !== undefined && x.full !== undefined);
      results.push({ method: method.method, result: previewMatchRates(m, ok) });
    }
    const t4 = performance.now();
    return {
      results,
      pairs: pairs.map(({ key, offset, duration, preview, full }) => ({ key, offset, duration, preview, full })),
      failed: fs.failed,
      seconds: { make: (t1 - t0) / 1000, ingest: (t2 - t1) / 1000, features: (t3 - t2) / 1000, similarity: (t4 - t3) / 1000 },
    };
  } finally {
    db.close();
  }
}
