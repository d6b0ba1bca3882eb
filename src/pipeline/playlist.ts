/**
 * Playlists: the one M3U writer (discover's report and `yasr path` use it), and a path from one
 * track to another through the catalogue.
 *
 * pathBetween. A path from A to B in N steps is A, x_1, ..., x_{N-1}, B where x_i is the unused
 * track nearest to the point P_i = (1 - t_i) A + t_i B, t_i = i / N, of the method's space. It is
 * computed from score rows alone: with squared distances d^2 (for cosine, whose vectors are unit
 * length, d^2 = 2 - 2 cos),
 *
 *     (1 - t) d^2(A, c) + t d^2(B, c) = |c - P_t|^2 + t (1 - t) |A - B|^2,
 *
 * so the track minimising the left side is exactly the one nearest to P_t in any Euclidean space
 * (cosine's unit vectors, features' standardised descriptors); for hybrid and timbre (not
 * Euclidean) it is the natural generalisation, the track with the least weighted mean squared
 * distance to both ends. Evenly spaced points make each step close to the last; each step
 * reports the method's score between it and the track before. A shortest path over the kNN
 * graph was the alternative: it needs stored lists, and with a fixed number of hops it tends to
 * bounce inside one cluster before jumping, where interpolation moves at an even pace.
 * dtw/fastdtw give no whole rows (only stored top-k lists), so they are refused.
 */
import { existsSync } from 'node:fs';
import type { Db } from '../store/db.js';
import { trackDetails } from '../store/tracks.js';
import { findSets, getTrackStats } from '../store/similarity.js';
import { likedIds } from '../store/likes.js';
import { YasrError, badParameter } from '../errors.js';
import { hashOf, orientation, type MethodName, type SimilarityParams } from './similarity/methods.js';
import { vectorModelFor } from './similarity/run-similarity.js';
import { methodNamed } from './similarity/registry.js';
import { scoringContext } from './recommend.js';

/** What a playlist line needs; DiscoverPick and PathStep both are one. */
export interface PlaylistEntry {
  artist: string | null;
  title: string | null;
  /** Seconds (-1 in the playlist when unknown). */
  duration: number | null;
  localPath: string | null;
  audioUrl: string | null;
}

/** Control characters (CR, LF, tab, ...) become spaces: one playlist entry is one line. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Where an entry can be played: the local file when it exists (or with `urls`), else its audio URL. */
export function playable(e: PlaylistEntry, urls = false): string | null {
  if (!urls && e.localPath && existsSync(e.localPath)) return e.localPath;
  return e.audioUrl && /^https?:\/\//i.test(e.audioUrl) ? e.audioUrl : e.localPath;
}

/**
 * An extended M3U playlist: #EXTM3U, an optional #PLAYLIST title, then #EXTINF (seconds, artist -
 * title) and the location for each entry that can be played (the others are left out). With
 * `urls`, catalogue audio URLs win over local files (a playlist for another machine).
 */
export function m3u(entries: PlaylistEntry[], o: { urls?: boolean; title?: string } = {}): string {
  const out = ['#EXTM3U'];
  if (o.title) out.push(`#PLAYLIST:${oneLine(o.title)}`);
  for (const e of entries) {
    const where = playable(e, o.urls);
    if (!where || !oneLine(where)) continue;
    out.push(`#EXTINF:${e.duration ? Math.round(e.duration) : -1},${oneLine(`${e.artist ?? '?'} - ${e.title ?? '?'}`)}`);
    const loc = oneLine(where);
    // a relative path starting with '#' would read as a comment
    out.push(loc.startsWith('#') ? `./${loc}` : loc);
  }
  return `${out.join('\n')}\n`;
}

export interface PathStep extends PlaylistEntry {
  /** 0 = the first track, steps = the last. */
  step: number;
  trackId: number;
  album: string | null;
  link: string | null;
  /** Where on the way from A to B this step aims (i / steps). */
  t: number;
  /** The method's score between this track and the one before (null for the first). */
  score: number | null;
}

export interface PathResult {
  method: MethodName;
  params: Record<string, unknown>;
  scoreKind: 'similarity' | 'distance';
  steps: PathStep[];
}

/** The one validation of pathBetween's parameters. */
export function checkPathOptions(fromId: number, toId: number, steps: number): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > 1000) throw badParameter('--steps', steps, 'an integer from 1 to 1000');
  if (fromId === toId) throw badParameter('to', toId, 'a track other than the first');
}

/**
 * A path of `steps` steps from track `fromId` to track `toId` (steps + 1 tracks, both ends
 * included), each intermediate track the nearest unused one to its point on the way (see above).
 * Liked files (your own music) and tracks with either end's audio are not used.
 */
export function pathBetween(db: Db, fromId: number, toId: number, steps: number, p: SimilarityParams): PathResult {
  checkPathOptions(fromId, toId, steps);
  const ctx = scoringContext(db, p);
  if (methodNamed(ctx.method).kind === 'sequence') throw badParameter('--method', ctx.method, 'cosine, features, timbre or hybrid (dtw and fastdtw keep only top-k lists)');
  for (const id of [fromId, toId]) {
    if (!ctx.tracks.has(id)) throw new YasrError('NOT_FOUND', `no track #${id}`);
    if (!ctx.pos.has(id)) throw new YasrError('NOT_FOUND', `track #${id} has no ${ctx.method} features yet: run "yasr features" first`);
  }
  const n = ctx.entries.length;
  if (steps - 1 > n - 2) throw badParameter('--steps', steps, `at most ${n - 1}: the catalogue has ${n} analysed tracks`);
  const set = findSets(db, ctx.method).find((s) => s.paramsHash === hashOf(ctx.params));
  const model = (ctx.model ??= vectorModelFor(db, ctx.params, ctx.entries, ctx.cache, set ? getTrackStats(db, set.id) : undefined));
  const kind = orientation(ctx.method);
  const d2 = (row: Float64Array) => row.map((v) => (kind === 'similarity' ? 2 - 2 * v : v * v));
  const ia = ctx.pos.get(fromId)!;
  const ib = ctx.pos.get(toId)!;
  const [da, db2] = [d2(model.row(ia)), d2(model.row(ib))];
  const liked = likedIds(db);
  const ends = new Set([ctx.tracks.get(fromId)!.sha256, ctx.tracks.get(toId)!.sha256].filter(Boolean));
  const used = new Set([ia, ib]);
  const usable = (j: number) => {
    const t = ctx.tracks.get(ctx.entries[j].trackId)!;
    return !used.has(j) && liked.get(t.id) !== 'file' && !(t.sha256 && ends.has(t.sha256)) && Number.isFinite(da[j]) && Number.isFinite(db2[j]);
  };
  const chosen = [ia];
  for (let i = 1; i < steps; i++) {
    const t = i / steps;
    let best = -1;
    let bestV = Infinity;
    for (let j = 0; j < n; j++) {
      if (!usable(j)) continue;
      const v = (1 - t) * da[j] + t * db2[j];
      if (v < bestV) {
        bestV = v;
        best = j;
      }
    }
    if (best < 0) throw new YasrError('NOT_FOUND', `only ${i - 1} tracks can stand between #${fromId} and #${toId}; ask for fewer --steps`);
    used.add(best);
    chosen.push(best);
  }
  chosen.push(ib);
  const out: PathStep[] = chosen.map((j, step) => {
    const d = trackDetails(db, ctx.entries[j].trackId)!;
    return {
      step,
      trackId: d.id,
      artist: d.artist,
      title: d.title,
      album: d.album,
      duration: d.statedDuration ?? d.duration,
      localPath: d.localPath,
      audioUrl: d.audioUrl,
      link: d.link,
      t: step / steps,
      score: step === 0 ? null : model.row(chosen[step - 1])[j],
    };
  });
  return { method: ctx.method, params: ctx.params, scoreKind: kind, steps: out };
}
