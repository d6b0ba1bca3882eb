import { readdirSync, realpathSync, statSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../store/db.js';
import {
  backfillMatchKeys,
  findSameRecording,
  getSource,
  linkSource,
  recordSourceFailure,
  setTrackMeta,
  trackBySha,
  updatePopularity,
  upsertTrack,
  type CatalogueExtra,
  type SourceKind,
  type TrackMeta,
} from '../store/tracks.js';
import { isCatalogueSpec, listCatalogue, parseSpec, type CatalogueRunOptions } from '../sources/registry.js';
import type { HttpStats } from '../sources/http-json.js';
import type { CatalogueTrack } from '../sources/types.js';
import { sha256File } from '../util/hash.js';
import { probeAudio } from '../audio/probe.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import { errorLine, isStoreError, YasrError } from '../errors.js';
import { matchKey } from '../sources/match-key.js';
import { removeStaleTempFiles } from '../ingest/content-store.js';
import { parseManifestFile, type ManifestRow } from '../ingest/manifest.js';
import { downloadToStore } from '../ingest/download.js';
import { runDownloaderCommand } from '../ingest/downloader-command.js';
import type { ProgressSink } from './progress-events.js';
import { FOLDER_EXTENSIONS } from '../ingest/audio-extensions.js';

export const MANIFEST_EXTENSIONS = new Set(['csv', 'jsonl']);

export interface IngestOptions {
  tools: FfmpegTools;
  /** Where downloaded audio is kept (content-addressed). */
  storeDir: string;
  downloader?: string;
  download?: { timeoutMs?: number; maxBytes?: number; retries?: number; backoffMs?: number };
  /** For catalogue sources (deezer:, itunes:, jamendo:, archive:). */
  catalogue?: Partial<CatalogueRunOptions>;
  /** Catalogue tracks downloaded and probed at once (default 4). */
  concurrency?: number;
  /** Largest preview accepted, bytes (a 30 s preview is about 0.5-1 MB). Default 20 MiB. */
  maxPreviewBytes?: number;
  progress?: ProgressSink;
  signal?: AbortSignal;
}

export interface IngestSummary {
  added: number;
  changed: number;
  duplicates: number;
  unchanged: number;
  failed: number;
  failures: { source: string; error: string }[];
  /** Catalogue tracks listed (before de-duplication and download). */
  listed: number;
  /** Catalogue API requests: sent, answered from the cache, revalidated (304), retried. */
  requests: { sent: number; cacheHits: number; notModified: number; retries: number };
  manifestErrors: { file: string; line: number; message: string; level: 'error' | 'warning' }[];
  /** Entries of a folder that were not ingested and why (dangling links, folders reached twice). */
  skipped: { source: string; reason: string }[];
}

interface WorkItem {
  kind: SourceKind;
  source: string;
  meta: TrackMeta;
  line?: number;
  manifest?: string;
  track?: CatalogueTrack;
}

function ext(p: string): string {
  return path.extname(p).slice(1).toLowerCase();
}

/**
 * The audio files under `dir`, sorted by name. Symbolic links are followed, to files and to
 * folders alike; a folder reached a second time (a link loop, or two links to one folder) is
 * walked once, and a dangling link is skipped: both are noted in `skipped` with the reason.
 */
function walk(dir: string, out: string[], skipped: { source: string; reason: string }[], seen = new Set<string>()): void {
  seen.add(realpathSync(dir));
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const st = statSync(p);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch (err) {
        if (FOLDER_EXTENSIONS.has(ext(p))) skipped.push({ source: path.resolve(p), reason: `dangling symbolic link (${(err as NodeJS.ErrnoException).code ?? errorLine(err)})` });
        continue;
      }
      if (isDir) {
        const real = realpathSync(p);
        if (seen.has(real)) {
          skipped.push({ source: path.resolve(p), reason: `symbolic link to a folder already walked (${real})` });
          continue;
        }
      }
    }
    if (isDir) walk(p, out, skipped, seen);
    else if (isFile && FOLDER_EXTENSIONS.has(ext(p))) out.push(p);
  }
}

function rowToItem(r: ManifestRow, manifest: string): WorkItem {
  const meta: TrackMeta = { artist: r.artist, title: r.title, album: r.album, releaseDate: r.releaseDate, popularity: r.popularity };
  if (r.path) return { kind: 'file', source: path.resolve(r.path), meta, line: r.line, manifest };
  if (r.url) return { kind: 'url', source: r.url, meta, line: r.line, manifest };
  const query = r.query ?? [r.artist, r.title].filter(Boolean).join(' - ');
  return { kind: 'query', source: `query:${query}`, meta, line: r.line, manifest };
}

/** Expand folders, files and manifests into work items (manifest problems are collected). */
export function expandSources(sources: string[], summary: IngestSummary): WorkItem[] {
  const items: WorkItem[] = [];
  for (const s of sources) {
    if (isCatalogueSpec(s)) continue; // listed by ingest() itself, page by page
    if (/^https?:\/\//i.test(s)) {
      items.push({ kind: 'url', source: s, meta: {} });
      continue;
    }
    let st;
    try {
      st = statSync(s);
    } catch (err) {
      summary.failed++;
      summary.failures.push({ source: s, error: `cannot read: ${errorLine(err)}` });
      continue;
    }
    if (st.isDirectory()) {
      const files: string[] = [];
      walk(s, files, summary.skipped);
      for (const f of files) items.push({ kind: 'file', source: path.resolve(f), meta: {} });
    } else if (MANIFEST_EXTENSIONS.has(ext(s))) {
      const m = parseManifestFile(s);
      for (const e of m.errors) summary.manifestErrors.push({ file: s, line: e.line, message: e.message, level: e.level });
      for (const r of m.rows) items.push(rowToItem(r, s));
    } else {
      items.push({ kind: 'file', source: path.resolve(s), meta: {} });
    }
  }
  return items;
}

function tagMeta(tags: Record<string, string>, file: string): TrackMeta {
  const date = tags.date ?? tags.year ?? tags.original_date ?? tags.creation_time;
  const m = date ? /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(date) : null;
  return {
    artist: tags.artist ?? tags.album_artist ?? tags.composer ?? null,
    title: tags.title ?? path.basename(file, path.extname(file)),
    album: tags.album ?? null,
    releaseDate: m ? [m[1], m[2], m[3]].filter(Boolean).join('-') : null,
  };
}

/**
 * Register every source: hash, probe (duration, tags) and upsert. Explicit manifest metadata
 * wins over tags. A file whose size and mtime are unchanged is not read again. One bad source
 * is recorded with its reason and the rest go on.
 */
export async function ingest(db: Db, sources: string[], o: IngestOptions): Promise<IngestSummary> {
  const summary: IngestSummary = {
    added: 0, changed: 0, duplicates: 0, unchanged: 0, failed: 0, failures: [], skipped: [], listed: 0,
    requests: { sent: 0, cacheHits: 0, notModified: 0, retries: 0 }, manifestErrors: [],
  };
  const catalogues = sources.filter(isCatalogueSpec);
  for (const c of catalogues) parseSpec(c); // a mistyped spec stops here, before any work
  const items = expandSources(sources, summary);
  const seen = new Set<string>();
  o.progress?.start(items.length, 'ingest');
  await ingestItems(db, items, o, summary, seen);
  o.progress?.stop();
  if (catalogues.length) {
    backfillMatchKeys(db);
    // parts of downloads a killed run left behind (downloads stall out after --timeout, far less)
    await removeStaleTempFiles(o.storeDir, 3600_000);
    const stats: HttpStats[] = [];
    const run: CatalogueRunOptions = { since: null, maxTracks: null, cacheDir: null, signal: o.signal, ...o.catalogue };
    for (const spec of catalogues) {
      for await (const page of listCatalogue(spec, run, stats)) {
        for (const f of page.failures) {
          summary.failed++;
          summary.failures.push({ source: f.item, error: f.error });
          o.progress?.tick(`${f.item}: ${f.error}`, false);
        }
        summary.listed += page.tracks.length;
        if (page.tracks.length) o.progress?.start(page.tracks.length, spec.split('?')[0]);
        await ingestItems(db, page.tracks.map((t) => ({ kind: 'catalogue' as const, source: t.key, meta: catalogueMeta(t), track: t })), o, summary, seen, o.concurrency ?? 4);
        o.progress?.stop();
        if (o.signal?.aborted) break;
      }
    }
    for (const st of stats) {
      summary.requests.sent += st.requests;
      summary.requests.cacheHits += st.cacheHits;
      summary.requests.notModified += st.notModified;
      summary.requests.retries += st.retries;
    }
  }
  return summary;
}

function catalogueMeta(t: CatalogueTrack): TrackMeta {
  return { artist: t.artist, title: t.title, album: t.album, releaseDate: t.releaseDate, popularity: t.popularity };
}

function catalogueExtra(t: CatalogueTrack): CatalogueExtra {
  return { isrc: t.isrc, licence: t.licence, coverUrl: t.coverUrl, link: t.link, audioUrl: t.audioUrl, isPreview: t.isPreview, statedDuration: t.duration };
}

function sourceMeta(t: CatalogueTrack): string {
  return JSON.stringify({ service: t.service, ids: t.serviceIds, link: t.link, popularityBasis: t.popularityBasis, audioUrl: t.audioUrl, preview: t.isPreview });
}

/** Keys that make two items the same recording: such items never run at the same time. */
function recordingKeys(it: WorkItem): string[] {
  if (!it.track) return [];
  const keys = [`k:${matchKey(it.track.artist, it.track.title) ?? it.source}`];
  if (it.track.isrc) keys.push(`i:${it.track.isrc}`);
  return keys;
}

/**
 * Register items, up to `concurrency` at a time (downloads and probes overlap; each item still
 * commits alone). Items that may be one recording wait for each other, so the second finds the
 * first and becomes its second source instead of a second track.
 */
async function ingestItems(db: Db, items: WorkItem[], o: IngestOptions, summary: IngestSummary, seen: Set<string>, concurrency = 1): Promise<void> {
  const inflight = new Set<Promise<void>>();
  const claims = new Map<string, Promise<void>>();
  let fatal: unknown;
  const one = async (it: WorkItem): Promise<void> => {
    const where = it.manifest ? `${it.manifest}:${it.line}: ` : '';
    try {
      const status = await ingestOne(db, it, o);
      if (status === 'new') summary.added++;
      else if (status === 'changed') summary.changed++;
      else if (status === 'duplicate') summary.duplicates++;
      else summary.unchanged++;
      o.progress?.tick(`${it.source}: ${status}`, true);
    } catch (err) {
      if (isStoreError(err)) throw err; // the database itself failed: stop, finished items are kept
      const error = `${where}${errorLine(err)}`;
      recordSourceFailure(db, it.source, it.kind, error);
      summary.failed++;
      summary.failures.push({ source: it.source, error });
      o.progress?.tick(`${it.source}: ${error}`, false);
    }
  };
  for (const it of items) {
    if (o.signal?.aborted || fatal) break;
    if (seen.has(it.source)) {
      summary.unchanged++;
      o.progress?.tick(`${it.source}: listed twice`, true);
      continue;
    }
    seen.add(it.source);
    const keys = recordingKeys(it);
    const before = keys.map((k) => claims.get(k)).filter((p): p is Promise<void> => !!p);
    const p: Promise<void> = Promise.all(before)
      .then(() => one(it))
      .catch((err: unknown) => {
        fatal ??= err;
      })
      .finally(() => inflight.delete(p));
    for (const k of keys) claims.set(k, p);
    inflight.add(p);
    if (inflight.size >= concurrency) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  if (fatal) throw fatal;
}

async function ingestOne(db: Db, it: WorkItem, o: IngestOptions): Promise<'new' | 'changed' | 'duplicate' | 'unchanged'> {
  let file: string;
  let sha: string | undefined;
  const known = getSource(db, it.source);
  if (it.kind === 'file') {
    file = it.source;
    let st;
    try {
      st = statSync(file);
    } catch (err) {
      throw new YasrError('BAD_INPUT', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? errorLine(err)})`);
    }
    if (!st.isFile()) throw new YasrError('BAD_INPUT', `${file}: not a regular file`);
    if (st.size === 0) throw new YasrError('BAD_INPUT', `${file}: empty file (0 bytes)`);
    if (known?.status === 'ok' && known.track_id != null && known.size === st.size && known.mtime_ms === st.mtimeMs) {
      if (hasMeta(it.meta)) upsertMetaOnly(db, known.track_id, it.meta);
      return 'unchanged';
    }
  } else if (it.kind === 'url') {
    if (known?.status === 'ok' && known.track_id != null) return 'unchanged';
    const d = await downloadToStore(it.source, { storeDir: o.storeDir, ...o.download });
    file = d.path;
    sha = d.sha256;
  } else if (it.kind === 'catalogue') {
    const t = it.track!;
    if (known?.status === 'ok' && known.track_id != null) {
      updatePopularity(db, known.track_id, t.popularity);
      return 'unchanged';
    }
    // the same recording found through another source (or listed twice): link, do not download
    const same = findSameRecording(db, { isrc: t.isrc, artist: t.artist, title: t.title, duration: t.duration });
    if (same !== undefined) {
      linkSource(db, { source: t.key, kind: 'catalogue', trackId: same, meta: it.meta, extra: catalogueExtra(t), sourceMeta: sourceMeta(t) });
      return 'duplicate';
    }
    const d = await downloadToStore(t.audioUrl, {
      storeDir: o.storeDir,
      ...o.download,
      maxBytes: t.isPreview ? Math.min(o.maxPreviewBytes ?? 20 * 1024 * 1024, o.download?.maxBytes ?? Infinity) : o.download?.maxBytes,
      audioOnly: true,
      signal: o.signal,
    });
    file = d.path;
    sha = d.sha256;
  } else {
    if (known?.status === 'ok' && known.track_id != null) return 'unchanged';
    if (!o.downloader) {
      throw new YasrError('BAD_INPUT', `row has neither path nor url: pass --downloader 'COMMAND {query} {out}' to fetch "${it.source.slice(6)}"`);
    }
    const got = await runDownloaderCommand(o.downloader, { query: it.source.slice(6), line: it.line }, { storeDir: o.storeDir });
    file = got.path;
    sha = got.sha256;
  }
  try {
    return await registerFile(db, it, file, sha, o.tools);
  } catch (err) {
    // a download that did not become a track leaves nothing behind
    if (it.kind !== 'file' && sha && !trackBySha(db, sha)) await unlink(file).catch(() => undefined);
    throw err;
  }
}

async function registerFile(db: Db, it: WorkItem, file: string, sha: string | undefined, tools: FfmpegTools): Promise<'new' | 'changed' | 'duplicate' | 'unchanged'> {
  const st = statSync(file);
  sha ??= await sha256File(file);
  const probe = await probeAudio(tools, file);
  if (!probe.hasAudio) throw new YasrError('BAD_INPUT', `${file}: no audio stream`);
  if (it.track && probe.duration !== null && probe.duration < 1) throw new YasrError('BAD_INPUT', `${it.track.audioUrl}: audio shorter than 1 s (${probe.duration.toFixed(2)} s)`);
  const meta = { ...tagMeta(probe.tags, it.kind === 'file' ? file : it.source), ...definedOnly(it.meta) };
  const r = upsertTrack(db, {
    source: it.source,
    kind: it.kind,
    sha256: sha,
    localPath: file,
    size: st.size,
    mtimeMs: it.kind === 'file' ? st.mtimeMs : null,
    duration: probe.duration,
    meta,
    extra: it.track ? catalogueExtra(it.track) : undefined,
    sourceMeta: it.track ? sourceMeta(it.track) : undefined,
  });
  return r.status;
}

function hasMeta(m: TrackMeta): boolean {
  return Object.values(m).some((v) => v !== undefined && v !== null && v !== '');
}

function definedOnly(m: TrackMeta): TrackMeta {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined && v !== null && v !== '')) as TrackMeta;
}

/** The given metadata fields (the non-empty ones) overwrite the track's (SQL in the store). */
function upsertMetaOnly(db: Db, trackId: number, m: TrackMeta): void {
  setTrackMeta(db, trackId, m);
}
