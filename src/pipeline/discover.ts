/**
 * The weekly discovery report: tracks released in a window, ranked by how they sound next to
 * the whole taste profile (the liked tracks), with diversity and one reason per pick.
 *
 * Ranking. For each favourite f, every candidate c gets the method's score s_f(c) (a similarity,
 * or a negated distance), standardised over the candidates: z_f(c) = (s_f(c) - mean_f) / sd_f,
 * so that each favourite counts alike whatever its own spread. A candidate's score is a soft
 * maximum over the favourites,
 *
 *     S(c) = (1 / tau) * ln( sum_f exp(tau * z_f(c)) ),   tau = 2,
 *
 * which is the nearest favourite's z when one favourite stands out and rises by up to ln(n)/tau
 * when several favourites are close: a track near three of your favourites beats one equally near
 * a single one. Methods that keep stored neighbour lists (timbre, hybrid, dtw, fastdtw) score only
 * the tracks in a favourite's stored lists; missing scores are left out of that favourite's sum.
 *
 * Diversity. Picks are taken in order of S, at most `perArtist` per artist (normalised name) and
 * one per song title (normalised), so a week of covers or remixes of one song yields one pick.
 * Favourites, tracks with a favourite's content, tracks above `maxPopularity` and tracks without a
 * release date in the window are never picked.
 */
import type { Db } from '../store/db.js';
import { trackDetails, trackName, type Track } from '../store/tracks.js';
import { listLikes } from '../store/likes.js';
import { YasrError, badParameter } from '../errors.js';
import { normaliseName } from '../sources/match-key.js';
import { onOrAfter } from '../sources/since.js';
import { orientation, type SimilarityParams } from './similarity/methods.js';
import { scoresFor, scoringContext } from './recommend.js';
import { aspects, aspectsText, shareOf } from './explain.js';

export const SOFTMAX_TAU = 2;

export interface DiscoverOptions {
  /** First release day included, YYYY-MM-DD. */
  since: string;
  /** Last release day included (default: no limit); the CLI passes today, so announced future releases wait. */
  until?: string;
  k: number;
  perArtist: number;
  maxPopularity: number;
  method: SimilarityParams;
}

export interface TrackRef {
  trackId: number;
  artist: string | null;
  title: string | null;
}

export interface DiscoverPick extends TrackRef {
  rank: number;
  album: string | null;
  releaseDate: string | null;
  popularity: number | null;
  /** The soft-maximum score S (higher = closer to the taste profile). */
  score: number;
  nearest: TrackRef & { z: number };
  /** Other favourites the pick is also close to (z >= 1.5). */
  alsoNear: TrackRef[];
  reason: string;
  link: string | null;
  audioUrl: string | null;
  localPath: string | null;
  isPreview: boolean | null;
  licence: string | null;
  coverUrl: string | null;
  duration: number | null;
}

export interface DiscoverReport {
  generatedAt: string;
  since: string;
  method: string;
  params: Record<string, unknown>;
  favourites: TrackRef[];
  /** Favourites that could not take part (no features yet), with the reason. */
  skippedFavourites: (TrackRef & { reason: string })[];
  /** Tracks in the window that passed the filters and were scored. */
  candidates: number;
  picks: DiscoverPick[];
}

export function checkDiscoverOptions(o: DiscoverOptions): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.since)) throw badParameter('since', o.since, 'a date YYYY-MM-DD');
  if (o.until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.until)) throw badParameter('until', o.until, 'a date YYYY-MM-DD');
  if (!Number.isInteger(o.k) || o.k < 1) throw badParameter('k', o.k, 'a positive integer');
  if (!Number.isInteger(o.perArtist) || o.perArtist < 1) throw badParameter('per-artist', o.perArtist, 'a positive integer');
  if (!(o.maxPopularity >= 0 && o.maxPopularity <= 100)) throw badParameter('max-popularity', o.maxPopularity, 'a number from 0 to 100');
}

const ref = (t: Track): TrackRef => ({ trackId: t.id, artist: t.artist, title: t.title });

export function discover(db: Db, o: DiscoverOptions): DiscoverReport {
  checkDiscoverOptions(o);
  const likes = listLikes(db);
  if (!likes.length) {
    throw new YasrError('NOT_FOUND', 'no favourites yet: mark some with "yasr like <track|file>" first');
  }
  const ctx = scoringContext(db, o.method);
  const sign = orientation(ctx.method) === 'similarity' ? 1 : -1;
  const liked = new Set(likes.map((l) => l.trackId));
  const favShas = new Set(likes.map((l) => ctx.tracks.get(l.trackId)?.sha256).filter(Boolean));
  const candidates = [...ctx.tracks.values()].filter(
    (t) =>
      !liked.has(t.id) &&
      !(t.sha256 && favShas.has(t.sha256)) &&
      ctx.pos.has(t.id) &&
      (t.popularity === null || t.popularity <= o.maxPopularity) &&
      onOrAfter(t.releaseDate, o.since) &&
      (!o.until || (t.releaseDate ?? '').slice(0, 10) <= o.until),
  );
  const candIds = new Set(candidates.map((t) => t.id));
  const report: DiscoverReport = {
    generatedAt: new Date().toISOString(),
    since: o.since,
    method: ctx.method,
    params: ctx.params,
    favourites: [],
    skippedFavourites: [],
    candidates: candidates.length,
    picks: [],
  };
  // z_f(c) for every favourite that can be scored
  const zs: { fav: Track; z: Map<number, number> }[] = [];
  for (const l of likes) {
    const fav = ctx.tracks.get(l.trackId);
    if (!fav) continue;
    let scores: Map<number, number>;
    try {
      scores = scoresFor(db, ctx, { trackId: fav.id }).scores;
    } catch (err) {
      if (err instanceof YasrError && (err.code === 'NOT_FOUND' || err.code === 'ANALYSIS_FAILED')) {
        report.skippedFavourites.push({ ...ref(fav), reason: err.message });
        continue;
      }
      throw err;
    }
    report.favourites.push(ref(fav));
    const xs: [number, number][] = [];
    for (const [id, s] of scores) if (candIds.has(id) && Number.isFinite(s)) xs.push([id, sign * s]);
    if (!xs.length) continue;
    const mean = xs.reduce((a, [, v]) => a + v, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, [, v]) => a + (v - mean) ** 2, 0) / xs.length);
    zs.push({ fav, z: new Map(xs.map(([id, v]) => [id, sd > 0 ? (v - mean) / sd : 0])) });
  }
  if (!report.favourites.length) {
    throw new YasrError('NOT_FOUND', `none of the ${likes.length} favourites can be compared yet:\n${report.skippedFavourites.map((s) => `  #${s.trackId}: ${s.reason}`).join('\n')}`);
  }
  const scored: { t: Track; s: number; near: { fav: Track; z: number }[] }[] = [];
  for (const t of candidates) {
    const near = zs.filter((f) => f.z.has(t.id)).map((f) => ({ fav: f.fav, z: f.z.get(t.id)! }));
    if (!near.length) continue;
    const m = Math.max(...near.map((n) => n.z));
    const s = m + Math.log(near.reduce((a, n) => a + Math.exp(SOFTMAX_TAU * (n.z - m)), 0)) / SOFTMAX_TAU;
    near.sort((a, b) => b.z - a.z || a.fav.id - b.fav.id);
    scored.push({ t, s, near });
  }
  scored.sort((a, b) => b.s - a.s || a.t.id - b.t.id);
  const perArtist = new Map<string, number>();
  const titles = new Set<string>();
  // a favourite's timbre row, sorted once: the share of the catalogue farther from it than a pick
  const rows = new Map<number, { row: Float64Array; share: (cosine: number) => number }>();
  const timbreShare = (fav: number, pick: number): number | undefined => {
    const i = ctx.pos.get(fav);
    const j = ctx.pos.get(pick);
    if (i === undefined || j === undefined || !ctx.timbre) return undefined;
    let r = rows.get(fav);
    if (!r) {
      const row = ctx.timbre.row(i);
      r = { row, share: shareOf(row, i) };
      rows.set(fav, r);
    }
    return r.share(r.row[j]);
  };
  for (const c of scored) {
    if (report.picks.length >= o.k) break;
    const artistKey = normaliseName(c.t.artist) || `#${c.t.id}`;
    const titleKey = normaliseName(c.t.title);
    if ((perArtist.get(artistKey) ?? 0) >= o.perArtist) continue;
    if (titleKey && titles.has(titleKey)) continue;
    perArtist.set(artistKey, (perArtist.get(artistKey) ?? 0) + 1);
    if (titleKey) titles.add(titleKey);
    const d = trackDetails(db, c.t.id)!;
    const top = c.near[0];
    const why = aspectsText(aspects(ctx.desc(top.fav.id), ctx.desc(c.t.id), timbreShare(top.fav.id, c.t.id)));
    const alsoNear = c.near.slice(1).filter((n) => n.z >= 1.5).map((n) => ref(n.fav));
    report.picks.push({
      rank: report.picks.length + 1,
      ...ref(c.t),
      album: c.t.album,
      releaseDate: c.t.releaseDate,
      popularity: c.t.popularity,
      score: c.s,
      nearest: { ...ref(top.fav), z: top.z },
      alsoNear,
      reason: `close to ${label(top.fav)}${why ? `: ${why}` : ''}${alsoNear.length ? `; also near ${alsoNear.map(label).join(', ')}` : ''}`,
      link: d.link,
      audioUrl: d.audioUrl,
      localPath: d.localPath,
      isPreview: d.isPreview,
      licence: d.licence,
      coverUrl: d.coverUrl,
      duration: d.statedDuration ?? d.duration,
    });
  }
  return report;
}

function label(t: TrackRef | Track): string {
  return trackName({ id: 'trackId' in t ? t.trackId : t.id, artist: t.artist, title: t.title });
}

