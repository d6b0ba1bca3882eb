import type { Db } from './db.js';

/**
 * Ratings: thumbs up (+1) or down (-1) on a recommended track, for a query. The table is
 * append-only (every click is a row, see migration 6); the rating in force for a (query, track)
 * is its latest row, whichever method showed the track. A value of 0 withdraws a rating.
 */
export interface NewRating {
  queryTrackId: number | null;
  querySha256: string | null;
  /** For a file query: a human label (its tags' artist - title, or its file name). */
  queryLabel: string | null;
  trackId: number;
  method: string;
  rank: number | null;
  value: -1 | 0 | 1;
  session: string | null;
  /** ISO time; default now. */
  ratedAt?: string;
}

export interface RatingRow extends Omit<NewRating, 'ratedAt'> {
  id: number;
  ratedAt: string;
  queryArtist: string | null;
  queryTitle: string | null;
  artist: string | null;
  title: string | null;
}

/** A rating in force (the latest for its query and track). */
export interface ActiveRating {
  id: number;
  queryTrackId: number | null;
  querySha256: string | null;
  trackId: number;
  value: -1 | 0 | 1;
}

export function insertRating(db: Db, r: NewRating): number {
  return db
    .prepare(
      `INSERT INTO ratings (query_track_id, query_sha256, query_label, track_id, method, rank, value, session, rated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))) RETURNING id`,
    )
    .pluck()
    .get(r.queryTrackId, r.querySha256, r.queryLabel, r.trackId, r.method, r.rank, r.value, r.session, r.ratedAt ?? null) as number;
}

interface JoinedRow {
  id: number;
  query_track_id: number | null;
  query_sha256: string | null;
  query_label: string | null;
  track_id: number;
  method: string;
  rank: number | null;
  value: -1 | 0 | 1;
  session: string | null;
  rated_at: string;
  q_artist: string | null;
  q_title: string | null;
  artist: string | null;
  title: string | null;
}

/** Every rating row (the history), oldest first, with the artist and title of query and track. */
export function ratingHistory(db: Db, f: { session?: string; queryTrackId?: number; id?: number } = {}): RatingRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.id !== undefined) {
    where.push('r.id = ?');
    args.push(f.id);
  }
  if (f.session !== undefined) {
    where.push('r.session = ?');
    args.push(f.session);
  }
  if (f.queryTrackId !== undefined) {
    where.push('r.query_track_id = ?');
    args.push(f.queryTrackId);
  }
  const rows = db
    .prepare(
      `SELECT r.*, q.artist AS q_artist, q.title AS q_title, t.artist, t.title
       FROM ratings r JOIN tracks t ON t.id = r.track_id LEFT JOIN tracks q ON q.id = r.query_track_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id`,
    )
    .all(...args) as JoinedRow[];
  return rows.map((r) => ({
    id: r.id,
    queryTrackId: r.query_track_id,
    querySha256: r.query_sha256,
    queryLabel: r.query_label,
    trackId: r.track_id,
    method: r.method,
    rank: r.rank,
    value: r.value,
    session: r.session,
    ratedAt: r.rated_at,
    queryArtist: r.q_artist,
    queryTitle: r.q_title,
    artist: r.artist,
    title: r.title,
  }));
}

/**
 * The ratings in force: the latest row per (query, track), the query keyed by its content hash
 * (so a file and the stored track with the same audio are one query), else its track id. Newest
 * first (`limit` of them; -1: all); withdrawn ones (0) included so callers see the withdrawal.
 */
export function activeRatings(db: Db, limit = -1): ActiveRating[] {
  const rows = db
    .prepare(
      `SELECT id, query_track_id, query_sha256, track_id, value FROM (
         SELECT r.*, ROW_NUMBER() OVER (
           PARTITION BY COALESCE(r.query_sha256, 't' || r.query_track_id), r.track_id ORDER BY r.id DESC) AS nth
         FROM ratings r) AS latest
       WHERE nth = 1 ORDER BY id DESC${limit >= 0 ? ' LIMIT ?' : ''}`,
    )
    .raw()
    .all(...(limit >= 0 ? [limit] : [])) as [number, number | null, string | null, number, -1 | 0 | 1][];
  return rows.map(([id, queryTrackId, querySha256, trackId, value]) => ({ id, queryTrackId, querySha256, trackId, value }));
}

export function countRatings(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM ratings').get() as { n: number }).n;
}
