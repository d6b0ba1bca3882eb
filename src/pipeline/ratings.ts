/**
 * Ratings: a thumbs up or down on a recommended track, for the query it was recommended for
 * (a stored track, or an outside file known by its content hash), with the method that showed
 * it, its rank, an optional session id and the time. Stored append-only (every click is kept,
 * so a session can be replayed and a change of mind is visible); the latest rating per query and
 * track is the one in force, and re-ranks later recommendations (src/pipeline/rerank.ts).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import { insertRating, ratingHistory, type RatingRow } from '../store/ratings.js';
import { getTrack, resolveTrack } from '../store/tracks.js';
import { YasrError, badParameter } from '../errors.js';
import { sha256File } from '../util/hash.js';
import { METHODS, type MethodName } from './similarity/methods.js';
import { isMethodName } from './similarity/registry.js';

export type Rating = RatingRow;
export type RatingQuery = { trackId: number } | { sha256: string; label?: string | null };

export interface RateInput {
  /** What the recommendation was for: a stored track, or a file's sha256 (and a label to show). */
  query: RatingQuery;
  /** The recommended track rated. */
  trackId: number;
  /** 'up' / 1, 'down' / -1, or 'clear' / 0 (withdraws an earlier rating). */
  value: 'up' | 'down' | 'clear' | 1 | -1 | 0;
  /** The method that recommended it (default hybrid, recommend's default). */
  method?: string;
  /** Its rank in the list shown (1 = first). */
  rank?: number | null;
  /** Groups the ratings of one listening session (the web server's session id). */
  session?: string | null;
  /** ISO time of the rating (default now; replays and tests pin it). */
  at?: string;
}

const VALUES: Record<string, -1 | 0 | 1> = { up: 1, down: -1, clear: 0, '1': 1, '-1': -1, '0': 0, '+1': 1 };

/** The one validation of a rating's parameters; every error quotes the bad value. */
export function checkRateInput(i: RateInput): { value: -1 | 0 | 1; method: MethodName; rank: number | null; session: string | null } {
  const value = VALUES[String(i.value)];
  if (value === undefined) throw badParameter('value', i.value, 'up, down or clear');
  const method = (i.method ?? 'hybrid') as MethodName;
  if (!isMethodName(method)) throw badParameter('--method', i.method, METHODS.join(', '));
  const rank = i.rank ?? null;
  if (rank !== null && !(Number.isInteger(rank) && rank >= 1 && rank <= 1_000_000)) throw badParameter('--rank', i.rank, 'an integer from 1');
  const session = i.session ?? null;
  if (session !== null && (typeof session !== 'string' || session.length < 1 || session.length > 200 || /[\u0000-\u001f\u007f]/.test(session))) {
    throw badParameter('--session', session, 'a string of 1 to 200 characters without control characters');
  }
  if (!Number.isInteger(i.trackId)) throw badParameter('track', i.trackId, 'a track id');
  if ('sha256' in i.query && !/^[0-9a-f]{64}$/.test(i.query.sha256)) throw badParameter('query', i.query.sha256, 'a sha256 (64 lowercase hex digits)');
  if ('trackId' in i.query && !Number.isInteger(i.query.trackId)) throw badParameter('query', i.query.trackId, 'a track id');
  if (i.at !== undefined && Number.isNaN(Date.parse(i.at))) throw badParameter('at', i.at, 'an ISO date and time');
  return { value, method, rank, session };
}

/** Record a thumbs up / down (or its withdrawal); returns the stored row. */
export function rate(db: Db, i: RateInput): Rating {
  const { value, method, rank, session } = checkRateInput(i);
  const track = getTrack(db, i.trackId);
  if (!track) throw new YasrError('NOT_FOUND', `no track #${i.trackId}`);
  let queryTrackId: number | null = null;
  let querySha256: string | null;
  let queryLabel: string | null = null;
  if ('trackId' in i.query) {
    const q = getTrack(db, i.query.trackId);
    if (!q) throw new YasrError('NOT_FOUND', `no query track #${i.query.trackId}`);
    queryTrackId = q.id;
    querySha256 = q.sha256;
  } else {
    querySha256 = i.query.sha256;
    queryLabel = i.query.label ?? null;
  }
  if (queryTrackId === track.id || (querySha256 !== null && querySha256 === track.sha256)) {
    throw badParameter('track', i.trackId, 'a track other than the query itself');
  }
  const id = insertRating(db, { queryTrackId, querySha256, queryLabel, trackId: track.id, method, rank, value, session, ratedAt: i.at ? new Date(i.at).toISOString() : undefined });
  return ratingHistory(db, { id })[0];
}

/** Every rating given (the history, oldest first), with artist and title of query and track. */
export function listRatings(db: Db, f: { session?: string; queryTrackId?: number } = {}): Rating[] {
  return ratingHistory(db, f);
}

/**
 * A query for `yasr rate`: a stored track (id, path, 'artist - title'), else an audio file
 * outside the catalogue, known by its content hash (what `recommend --file` rated).
 */
export async function resolveRatingQuery(db: Db, ref: string): Promise<RatingQuery> {
  try {
    return { trackId: resolveTrack(db, ref).id };
  } catch (err) {
    let isFile = false;
    try {
      isFile = existsSync(ref) && statSync(ref).isFile();
    } catch {
      /* not a file */
    }
    if (!(err instanceof YasrError && err.code === 'NOT_FOUND') || !isFile) throw err;
    return { sha256: await sha256File(ref), label: path.basename(ref) };
  }
}

export const RATING_COLUMNS = [
  'rated_at', 'session', 'query_track_id', 'query_sha256', 'query_artist', 'query_title',
  'track_id', 'artist', 'title', 'method', 'rank', 'value',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF or edge spaces, quotes
 * doubled. Text that a spreadsheet would run as a formula (leading =, +, -, @, tab, CR) gets a
 * leading apostrophe (OWASP's advice for CSV injection): catalogue text is untrusted.
 */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function columns(r: Rating): (string | number | null)[] {
  // a file query has no stored artist/title: its label stands in as the title
  return [r.ratedAt, r.session, r.queryTrackId, r.querySha256, r.queryArtist, r.queryTitle ?? r.queryLabel, r.trackId, r.artist, r.title, r.method, r.rank, r.value];
}

/** Ratings as CSV (header row, CRLF line ends, RFC 4180 quoting) or JSON (an array). */
export function exportRatings(rows: Rating[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format !== 'csv') throw badParameter('format', format, 'csv or json');
  return [RATING_COLUMNS.join(','), ...rows.map((r) => columns(r).map(csvField).join(','))].map((l) => `${l}\r\n`).join('');
}
