import path from 'node:path';
import { engineOf, jsonValues, type Db } from './db.js';
import { YasrError } from '../errors.js';
import { DURATION_TOLERANCE_S, matchKey } from '../sources/match-key.js';

export interface TrackMeta {
  artist?: string | null;
  title?: string | null;
  album?: string | null;
  releaseDate?: string | null;
  popularity?: number | null;
}

export type SourceKind = 'file' | 'url' | 'query' | 'catalogue';

/** What a catalogue says of a track beyond the basic metadata (see src/sources/types.ts). */
export interface CatalogueExtra {
  isrc?: string | null;
  licence?: string | null;
  coverUrl?: string | null;
  link?: string | null;
  audioUrl?: string | null;
  isPreview?: boolean | null;
  /** The whole track's length as the catalogue states it (a preview file is shorter). */
  statedDuration?: number | null;
}

export interface Track {
  id: number;
  sha256: string | null;
  localPath: string | null;
  artist: string | null;
  title: string | null;
  album: string | null;
  releaseDate: string | null;
  popularity: number | null;
  duration: number | null;
  size: number | null;
  addedAt: string;
}

interface TrackRow {
  id: number;
  sha256: string | null;
  local_path: string | null;
  artist: string | null;
  title: string | null;
  album: string | null;
  release_date: string | null;
  popularity: number | null;
  duration: number | null;
  size: number | null;
  added_at: string;
}

function fromRow(r: TrackRow): Track {
  return {
    id: r.id,
    sha256: r.sha256,
    localPath: r.local_path,
    artist: r.artist,
    title: r.title,
    album: r.album,
    releaseDate: r.release_date,
    popularity: r.popularity,
    duration: r.duration,
    size: r.size,
    addedAt: r.added_at,
  };
}

export function getTrack(db: Db, id: number): Track | undefined {
  const r = db.prepare('SELECT * FROM tracks WHERE id = ?').get(id) as TrackRow | undefined;
  return r && fromRow(r);
}

export function allTracks(db: Db): Track[] {
  const rows = db
    .prepare('SELECT id, sha256, local_path, artist, title, album, release_date, popularity, duration, size, added_at FROM tracks ORDER BY id')
    .raw()
    .all() as [number, string | null, string | null, string | null, string | null, string | null, string | null, number | null, number | null, number | null, string][];
  return rows.map(([id, sha256, localPath, artist, title, album, releaseDate, popularity, duration, size, addedAt]) => ({
    id, sha256, localPath, artist, title, album, releaseDate, popularity, duration, size, addedAt,
  }));
}

/** Only these tracks (by id), as allTracks gives them; ids not stored are left out. */
export function tracksByIds(db: Db, ids: Iterable<number>): Map<number, Track> {
  const rows = db
    .prepare(`SELECT id, sha256, local_path, artist, title, album, release_date, popularity, duration, size, added_at FROM tracks WHERE id IN (${jsonValues(db, 'integer')})`)
    .raw()
    .all(JSON.stringify([...ids])) as [number, string | null, string | null, string | null, string | null, string | null, string | null, number | null, number | null, number | null, string][];
  return new Map(
    rows.map(([id, sha256, localPath, artist, title, album, releaseDate, popularity, duration, size, addedAt]) => [
      id,
      { id, sha256, localPath, artist, title, album, releaseDate, popularity, duration, size, addedAt },
    ]),
  );
}

/** The distinct values of a track column (artist or release date), so that a filter decides each value once. */
export function distinctTrackValues(db: Db, column: 'artist' | 'release_date'): (string | null)[] {
  return db.prepare(`SELECT DISTINCT ${column} FROM tracks`).pluck().all() as (string | null)[];
}

/**
 * Ids (ascending) of the tracks that pass a filter decided per value (see distinctTrackValues): popularity
 * unknown or at most `maxPopularity`, an artist not among `artistsOut` (unknown passes), a
 * release date among `datesIn` (when given; unknown fails), and not the audio `sha256` (SQL IS
 * DISTINCT FROM: NULL is not distinct from NULL). Values are compared as stored (BINARY: as === compares strings).
 */
export function trackIdsPassing(db: Db, f: { maxPopularity: number; artistsOut: string[]; datesIn: (string | null)[] | null; notSha256: string | null }): number[] {
  // (sha256 is unique: a known hash is at most one track, found by its index; the rest of the
  // filter reads the tracks_filters index alone)
  return db
    .prepare(
      `SELECT id FROM tracks WHERE (popularity IS NULL OR popularity <= ?)
         AND (artist IS NULL OR artist NOT IN (${jsonValues(db, 'text')}))
         ${f.datesIn ? `AND release_date IN (${jsonValues(db, 'text')})` : ''}
         AND ${f.notSha256 === null ? 'sha256 IS NOT NULL' : 'id IS DISTINCT FROM (SELECT id FROM tracks WHERE sha256 = ?)'}
       ORDER BY id`,
    )
    .pluck()
    .all(f.maxPopularity, JSON.stringify(f.artistsOut), ...(f.datesIn ? [JSON.stringify(f.datesIn.filter((d) => d !== null))] : []), ...(f.notSha256 === null ? [] : [f.notSha256])) as number[];
}

export function trackBySha(db: Db, sha: string): Track | undefined {
  const r = db.prepare('SELECT * FROM tracks WHERE sha256 = ?').get(sha) as TrackRow | undefined;
  return r && fromRow(r);
}

export interface SourceRow {
  source: string;
  kind: SourceKind;
  track_id: number | null;
  size: number | null;
  mtime_ms: number | null;
  status: 'ok' | 'failed';
  error: string | null;
}

export function getSource(db: Db, source: string): SourceRow | undefined {
  return db.prepare('SELECT * FROM sources WHERE source = ?').get(source) as SourceRow | undefined;
}

/**
 * Register audio content: one track per content hash. `source` (an absolute path, a URL or a
 * downloader query) points at it. Returns the track id and whether anything changed.
 * - same source, same hash: nothing changes (metadata given explicitly still fills gaps);
 * - same source, new hash (the file changed): the track takes the new hash, so its features
 *   become pending again;
 * - new source, known hash: the source is linked to the existing track (a duplicate).
 */
export function upsertTrack(
  db: Db,
  a: {
    source: string;
    kind: SourceKind;
    sha256: string;
    localPath: string;
    size: number;
    mtimeMs?: number | null;
    duration?: number | null;
    meta: TrackMeta;
    extra?: CatalogueExtra;
    /** JSON kept with the source row (a catalogue's ids, popularity basis). */
    sourceMeta?: string | null;
  },
): { id: number; status: 'new' | 'changed' | 'duplicate' | 'unchanged' } {
  return db.transaction(() => {
    const src = getSource(db, a.source);
    const byHash = trackBySha(db, a.sha256);
    let id: number;
    let status: 'new' | 'changed' | 'duplicate' | 'unchanged';
    if (byHash) {
      id = byHash.id;
      status = src?.track_id === id ? 'unchanged' : 'duplicate';
      if (byHash.localPath !== a.localPath && src?.track_id === id) {
        db.prepare('UPDATE tracks SET local_path = ? WHERE id = ?').run(a.localPath, id);
      }
    } else if (src?.track_id != null && getTrack(db, src.track_id)) {
      id = src.track_id;
      status = 'changed';
      db.prepare(
        `UPDATE tracks SET sha256 = ?, local_path = ?, size = ?, duration = ?,
           updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
      ).run(a.sha256, a.localPath, a.size, a.duration ?? null, id);
    } else {
      id = db
        .prepare(`INSERT INTO tracks (sha256, local_path, size, duration) VALUES (?, ?, ?, ?) RETURNING id`)
        .pluck()
        .get(a.sha256, a.localPath, a.size, a.duration ?? null) as number;
      status = 'new';
    }
    applyMeta(db, id, a.meta, status === 'new' || status === 'changed');
    if (a.extra) applyExtra(db, id, a.extra, status === 'new' || status === 'changed');
    refreshMatchKey(db, id);
    db.prepare(
      `INSERT INTO sources (source, kind, track_id, size, mtime_ms, status, error, meta)
       VALUES (?, ?, ?, ?, ?, 'ok', NULL, ?)
       ON CONFLICT (source) DO UPDATE SET track_id = excluded.track_id, size = excluded.size,
         mtime_ms = excluded.mtime_ms, status = 'ok', error = NULL, meta = COALESCE(excluded.meta, sources.meta),
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
    ).run(a.source, a.kind, id, a.size, a.mtimeMs ?? null, a.sourceMeta ?? null);
    // The source's old content now lives nowhere else: that track is gone.
    if (src?.track_id != null && src.track_id !== id) {
      const left = db.prepare('SELECT COUNT(*) AS n FROM sources WHERE track_id = ?').get(src.track_id) as { n: number };
      if (left.n === 0) db.prepare('DELETE FROM tracks WHERE id = ?').run(src.track_id);
    }
    return { id, status };
  }).immediate(); // reads before it writes: IMMEDIATE waits for a concurrent writer (deferred gets SQLITE_BUSY at once)
}

/** Set metadata fields of one track (the given ones only). */
export function setTrackMeta(db: Db, id: number, m: TrackMeta): void {
  applyMeta(db, id, m, true);
}

/** Explicit metadata overrides; with `fillOnly`, only empty fields are filled. */
function applyMeta(db: Db, id: number, m: TrackMeta, overwrite: boolean): void {
  const cols: [string, unknown][] = [
    ['artist', m.artist],
    ['title', m.title],
    ['album', m.album],
    ['release_date', m.releaseDate],
    ['popularity', m.popularity],
  ];
  for (const [col, v] of cols) {
    if (v === undefined || v === null || v === '') continue;
    const sql = overwrite
      ? `UPDATE tracks SET ${col} = ? WHERE id = ?`
      : `UPDATE tracks SET ${col} = COALESCE(${col}, ?) WHERE id = ?`;
    db.prepare(sql).run(v, id);
  }
}

const EXTRA_COLUMNS: [keyof CatalogueExtra, string][] = [
  ['isrc', 'isrc'],
  ['licence', 'licence'],
  ['coverUrl', 'cover_url'],
  ['link', 'link'],
  ['audioUrl', 'audio_url'],
  ['isPreview', 'is_preview'],
  ['statedDuration', 'stated_duration'],
];

function applyExtra(db: Db, id: number, e: CatalogueExtra, overwrite: boolean): void {
  for (const [k, col] of EXTRA_COLUMNS) {
    let v = e[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'boolean') v = v ? 1 : 0;
    const sql = overwrite
      ? `UPDATE tracks SET ${col} = ? WHERE id = ?`
      : `UPDATE tracks SET ${col} = COALESCE(${col}, ?) WHERE id = ?`;
    db.prepare(sql).run(v, id);
  }
}

/**
 * A match key as stored: PostgreSQL text cannot hold the NUL that separates artist and title
 * there, so a unit separator (U+001F, which normalised names never hold either) stands for it.
 */
function storedKey(db: Db, key: string | null): string | null {
  return key !== null && engineOf(db) === 'postgres' ? key.replace(/\u0000/g, '\u001f') : key;
}

/** Keep tracks.match_key (normalised artist + title) in step with the metadata. */
function refreshMatchKey(db: Db, id: number): void {
  const r = db.prepare('SELECT artist, title FROM tracks WHERE id = ?').get(id) as { artist: string | null; title: string | null } | undefined;
  if (r) db.prepare('UPDATE tracks SET match_key = ? WHERE id = ?').run(storedKey(db, matchKey(r.artist, r.title)), id);
}

/** Tracks stored before match keys existed get theirs (cheap when there are none). */
export function backfillMatchKeys(db: Db): void {
  const rows = db.prepare('SELECT id, artist, title FROM tracks WHERE match_key IS NULL AND artist IS NOT NULL AND title IS NOT NULL').all() as { id: number; artist: string; title: string }[];
  if (!rows.length) return;
  const up = db.prepare('UPDATE tracks SET match_key = ? WHERE id = ?');
  db.transaction(() => {
    for (const r of rows) up.run(storedKey(db, matchKey(r.artist, r.title)), r.id);
  })();
}

/**
 * The stored track a catalogue item is, if any: same ISRC, else same normalised artist and title
 * with lengths within DURATION_TOLERANCE_S (the catalogue's stated length, else the file's).
 */
export function findSameRecording(db: Db, q: { isrc: string | null; artist: string; title: string; duration: number | null }): number | undefined {
  if (q.isrc) {
    const r = db.prepare('SELECT id FROM tracks WHERE isrc = ? ORDER BY id LIMIT 1').get(q.isrc) as { id: number } | undefined;
    if (r) return r.id;
  }
  const key = matchKey(q.artist, q.title);
  if (!key || q.duration === null) return undefined;
  const rows = db.prepare('SELECT id, COALESCE(stated_duration, duration) AS d FROM tracks WHERE match_key = ? ORDER BY id').all(storedKey(db, key)) as { id: number; d: number | null }[];
  return rows.find((r) => r.d !== null && Math.abs(r.d - q.duration!) <= DURATION_TOLERANCE_S)?.id;
}

/** Point a new source at an existing track (one recording found through two sources). */
export function linkSource(db: Db, a: { source: string; kind: SourceKind; trackId: number; meta: TrackMeta; extra?: CatalogueExtra; sourceMeta?: string | null }): void {
  db.transaction(() => {
    applyMeta(db, a.trackId, a.meta, false);
    if (a.extra) applyExtra(db, a.trackId, a.extra, false);
    db.prepare(
      `INSERT INTO sources (source, kind, track_id, status, error, meta) VALUES (?, ?, ?, 'ok', NULL, ?)
       ON CONFLICT (source) DO UPDATE SET track_id = excluded.track_id, status = 'ok', error = NULL,
         meta = COALESCE(excluded.meta, sources.meta), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
    ).run(a.source, a.kind, a.trackId, a.sourceMeta ?? null);
  }).immediate();
}

/** A catalogue's popularity moves week to week: the latest listing wins. */
export function updatePopularity(db: Db, trackId: number, popularity: number | null): void {
  if (popularity !== null) db.prepare('UPDATE tracks SET popularity = ? WHERE id = ?').run(popularity, trackId);
}

export interface TrackDetails extends Track {
  isrc: string | null;
  licence: string | null;
  coverUrl: string | null;
  link: string | null;
  audioUrl: string | null;
  isPreview: boolean | null;
  statedDuration: number | null;
  sources: { source: string; kind: SourceKind; meta: unknown }[];
}

export function trackDetails(db: Db, id: number): TrackDetails | undefined {
  const t = getTrack(db, id);
  if (!t) return undefined;
  const r = db.prepare('SELECT isrc, licence, cover_url, link, audio_url, is_preview, stated_duration FROM tracks WHERE id = ?').get(id) as {
    isrc: string | null; licence: string | null; cover_url: string | null; link: string | null; audio_url: string | null; is_preview: number | null; stated_duration: number | null;
  };
  const sources = (db.prepare(`SELECT source, kind, meta FROM sources WHERE track_id = ? AND status = 'ok' ORDER BY source`).all(id) as { source: string; kind: SourceKind; meta: string | null }[]).map((s) => ({
    source: s.source,
    kind: s.kind,
    meta: s.meta ? (JSON.parse(s.meta) as unknown) : null,
  }));
  return {
    ...t,
    isrc: r.isrc,
    licence: r.licence,
    coverUrl: r.cover_url,
    link: r.link,
    audioUrl: r.audio_url,
    isPreview: r.is_preview === null ? null : r.is_preview === 1,
    statedDuration: r.stated_duration,
    sources,
  };
}

export function recordSourceFailure(db: Db, source: string, kind: SourceKind, error: string): void {
  db.prepare(
    `INSERT INTO sources (source, kind, track_id, status, error) VALUES (?, ?, NULL, 'failed', ?)
     ON CONFLICT (source) DO UPDATE SET status = 'failed', error = excluded.error,
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
  ).run(source, kind, error);
}

export function failedSources(db: Db): { source: string; error: string }[] {
  return db.prepare(`SELECT source, error FROM sources WHERE status = 'failed' ORDER BY source`).all() as {
    source: string;
    error: string;
  }[];
}

/** 'Artist - Title', or the title alone when the artist is unknown (a file without tags). */
export function trackName(t: { id?: number; artist: string | null; title: string | null }): string {
  if (t.artist) return `${t.artist} - ${t.title ?? '?'}`;
  return t.title ?? (t.id !== undefined ? `#${t.id}` : '?');
}

export function describeTrack(t: Track): string {
  const name = t.artist || t.title ? `${t.artist ?? '?'} - ${t.title ?? '?'}` : path.basename(t.localPath ?? `#${t.id}`);
  return `#${t.id} ${name}`;
}

/**
 * Find a track by id, by path (of any of its sources or its stored file) or by
 * 'artist - title' (case-insensitive). Unknown or ambiguous names list the closest matches.
 */
export function resolveTrack(db: Db, ref: string): Track {
  const trimmed = ref.trim();
  if (/^#?\d+$/.test(trimmed)) {
    const t = getTrack(db, Number(trimmed.replace('#', '')));
    if (t) return t;
  }
  const abs = path.resolve(trimmed);
  const bySource = db
    .prepare('SELECT t.* FROM sources s JOIN tracks t ON t.id = s.track_id WHERE s.source = ? OR s.source = ?')
    .get(trimmed, abs) as TrackRow | undefined;
  if (bySource) return fromRow(bySource);
  const byPath = db.prepare('SELECT * FROM tracks WHERE local_path = ?').get(abs) as TrackRow | undefined;
  if (byPath) return fromRow(byPath);
  const all = allTracks(db);
  const needle = trimmed.toLowerCase();
  const label = (t: Track) => `${t.artist ?? ''} - ${t.title ?? ''}`.toLowerCase();
  const exact = all.filter((t) => label(t) === needle);
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) {
    throw new YasrError(
      'AMBIGUOUS',
      `"${ref}" matches ${exact.length} tracks:\n${exact.map((t) => `  ${describeTrack(t)}`).join('\n')}\nuse the track id`,
    );
  }
  const scored = all
    .map((t) => ({ t, s: similarity(needle, label(t)) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, 5)
    .filter((x) => x.s > 0);
  const hint = scored.length
    ? `\nclosest matches:\n${scored.map((x) => `  ${describeTrack(x.t)}`).join('\n')}`
    : '';
  throw new YasrError('NOT_FOUND', `no track matches "${ref}" (an id, a path or 'artist - title')${hint}`);
}

/** Trigram overlap in [0, 1]: a cheap closeness for 'did you mean'. */
function similarity(a: string, b: string): number {
  const grams = (s: string) => {
    const g = new Set<string>();
    const p = `  ${s} `;
    for (let i = 0; i + 3 <= p.length; i++) g.add(p.slice(i, i + 3));
    return g;
  };
  const ga = grams(a);
  const gb = grams(b);
  let common = 0;
  for (const x of ga) if (gb.has(x)) common++;
  return common / Math.max(1, ga.size + gb.size - common);
}
