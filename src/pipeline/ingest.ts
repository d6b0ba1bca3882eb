import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import { getSource, recordSourceFailure, upsertTrack, type TrackMeta } from '../store/tracks.js';
import { sha256File } from '../util/hash.js';
import { probeAudio } from '../audio/probe.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import { errorLine, YasrError } from '../errors.js';
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
  download?: { timeoutMs?: number; maxBytes?: number; retries?: number };
  progress?: ProgressSink;
}

export interface IngestSummary {
  added: number;
  changed: number;
  duplicates: number;
  unchanged: number;
  failed: number;
  failures: { source: string; error: string }[];
  manifestErrors: { file: string; line: number; message: string; level: 'error' | 'warning' }[];
}

interface WorkItem {
  kind: 'file' | 'url' | 'query';
  source: string;
  meta: TrackMeta;
  line?: number;
  manifest?: string;
}

function ext(p: string): string {
  return path.extname(p).slice(1).toLowerCase();
}

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && FOLDER_EXTENSIONS.has(ext(p))) out.push(p);
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
      walk(s, files);
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
  const summary: IngestSummary = { added: 0, changed: 0, duplicates: 0, unchanged: 0, failed: 0, failures: [], manifestErrors: [] };
  const items = expandSources(sources, summary);
  o.progress?.start(items.length, 'ingest');
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.source)) {
      summary.unchanged++;
      o.progress?.tick(`${it.source}: listed twice`, true);
      continue;
    }
    seen.add(it.source);
    const where = it.manifest ? `${it.manifest}:${it.line}: ` : '';
    try {
      const status = await ingestOne(db, it, o);
      if (status === 'new') summary.added++;
      else if (status === 'changed') summary.changed++;
      else if (status === 'duplicate') summary.duplicates++;
      else summary.unchanged++;
      o.progress?.tick(`${it.source}: ${status}`, true);
    } catch (err) {
      const error = `${where}${errorLine(err)}`;
      recordSourceFailure(db, it.source, it.kind, error);
      summary.failed++;
      summary.failures.push({ source: it.source, error });
      o.progress?.tick(`${it.source}: ${error}`, false);
    }
  }
  o.progress?.stop();
  return summary;
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
  } else {
    if (known?.status === 'ok' && known.track_id != null) return 'unchanged';
    if (!o.downloader) {
      throw new YasrError('BAD_INPUT', `row has neither path nor url: pass --downloader 'COMMAND {query} {out}' to fetch "${it.source.slice(6)}"`);
    }
    const got = await runDownloaderCommand(o.downloader, { query: it.source.slice(6), line: it.line }, { storeDir: o.storeDir });
    file = got.path;
    sha = got.sha256;
  }
  const st = statSync(file);
  sha ??= await sha256File(file);
  const probe = await probeAudio(o.tools, file);
  if (!probe.hasAudio) throw new YasrError('BAD_INPUT', `${file}: no audio stream`);
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
  });
  return r.status;
}

function hasMeta(m: TrackMeta): boolean {
  return Object.values(m).some((v) => v !== undefined && v !== null && v !== '');
}

function definedOnly(m: TrackMeta): TrackMeta {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined && v !== null && v !== '')) as TrackMeta;
}

function upsertMetaOnly(db: Db, trackId: number, m: TrackMeta): void {
  const d = definedOnly(m);
  const cols: Record<string, string> = { artist: 'artist', title: 'title', album: 'album', releaseDate: 'release_date', popularity: 'popularity' };
  for (const [k, v] of Object.entries(d)) db.prepare(`UPDATE tracks SET ${cols[k]} = ? WHERE id = ?`).run(v, trackId);
}
