/**
 * The taste profile: favourites are ordinary tracks flagged in `likes`. A reference is a
 * catalogue track (id, path, 'artist - title') or an audio file outside the catalogue, which
 * is then ingested and analysed (kept, flagged as a favourite, never itself recommended).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../store/db.js';
import type { FfmpegTools } from '../audio/ffmpeg.js';
import { addLike, listLikes, removeLike } from '../store/likes.js';
import { describeTrack, getTrack, resolveTrack } from '../store/tracks.js';
import { errorLine, YasrError } from '../errors.js';
import { analyseQueryFile } from './query-file.js';
import { analysedTracks } from './similarity/catalogue.js';

export interface LikeResult {
  ref: string;
  trackId: number | null;
  track: string | null;
  status: 'liked' | 'already' | 'unliked' | 'not-liked' | 'failed';
  /** For a file: whether it was analysed now. */
  analysed?: boolean;
  error?: string;
}

function isFile(ref: string): boolean {
  try {
    return existsSync(ref) && statSync(ref).isFile();
  } catch {
    return false;
  }
}

export async function like(db: Db, refs: string[], o: { tools: FfmpegTools; storeDir: string }): Promise<LikeResult[]> {
  const out: LikeResult[] = [];
  for (const ref of refs) {
    try {
      let trackId: number;
      let via: 'track' | 'file' = 'track';
      let analysed = false;
      try {
        trackId = resolveTrack(db, ref).id;
      } catch (err) {
        if (!(err instanceof YasrError && err.code === 'NOT_FOUND') || !isFile(ref)) throw err;
        const q = await analyseQueryFile(db, o.tools, path.resolve(ref), { add: true, storeDir: o.storeDir });
        trackId = (q as { trackId: number }).trackId;
        via = 'file';
        analysed = true;
      }
      // a catalogue file not analysed yet is analysed now, so that discover can use it
      if (!analysed && !analysedTracks(db, ['mfcc_summary']).entries.some((e) => e.trackId === trackId)) {
        const t = getTrack(db, trackId)!;
        if (t.localPath && isFile(t.localPath)) {
          await analyseQueryFile(db, o.tools, t.localPath, { add: true, storeDir: o.storeDir });
          analysed = true;
        }
      }
      const added = addLike(db, trackId, via);
      out.push({ ref, trackId, track: describeTrack(getTrack(db, trackId)!), status: added ? 'liked' : 'already', analysed });
    } catch (err) {
      out.push({ ref, trackId: null, track: null, status: 'failed', error: errorLine(err) });
    }
  }
  return out;
}

export function unlike(db: Db, refs: string[]): LikeResult[] {
  return refs.map((ref) => {
    try {
      const t = resolveTrack(db, ref);
      return { ref, trackId: t.id, track: describeTrack(t), status: removeLike(db, t.id) ? 'unliked' : 'not-liked' };
    } catch (err) {
      return { ref, trackId: null, track: null, status: 'failed', error: errorLine(err) };
    }
  });
}

export function likes(db: Db): { trackId: number; artist: string | null; title: string | null; via: string; addedAt: string; path: string | null }[] {
  return listLikes(db).map((l) => {
    const t = getTrack(db, l.trackId);
    return { trackId: l.trackId, artist: t?.artist ?? null, title: t?.title ?? null, via: l.via, addedAt: l.addedAt, path: t?.localPath ?? null };
  });
}
