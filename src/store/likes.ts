import type { Db } from './db.js';

/** The taste profile: tracks a person marked as favourites, and how (a catalogue track or a file). */
export interface Like {
  trackId: number;
  via: 'track' | 'file';
  addedAt: string;
}

export function addLike(db: Db, trackId: number, via: 'track' | 'file'): boolean {
  const r = db.prepare('INSERT INTO likes (track_id, via) VALUES (?, ?) ON CONFLICT (track_id) DO NOTHING').run(trackId, via);
  return r.changes > 0;
}

export function removeLike(db: Db, trackId: number): boolean {
  return db.prepare('DELETE FROM likes WHERE track_id = ?').run(trackId).changes > 0;
}

export function listLikes(db: Db): Like[] {
  return (db.prepare('SELECT track_id, via, added_at FROM likes ORDER BY added_at, track_id').all() as { track_id: number; via: 'track' | 'file'; added_at: string }[]).map((r) => ({
    trackId: r.track_id,
    via: r.via,
    addedAt: r.added_at,
  }));
}

/** Liked track ids, with how each was liked. */
export function likedIds(db: Db): Map<number, 'track' | 'file'> {
  return new Map(db.prepare('SELECT track_id, via FROM likes').raw().all() as [number, 'track' | 'file'][]);
}
