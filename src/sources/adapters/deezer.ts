/**
 * Deezer (https://developers.deezer.com/api): 30 s MP3 previews of almost every track, with
 * the artist's fan count for popularity. Forms:
 *   deezer:releases[?genre=ID]  editorial new releases (GET /editorial/{genre}/releases, 0 = all),
 *                               then each album (GET /album/{id}) for its tracks and date
 *   deezer:album/ID             one album's tracks
 *   deezer:artist/ID            the artist's albums (GET /artist/{id}/albums), newest first
 *   deezer:search?q=TEXT        track search (GET /search), each album read for its date
 * Errors come as HTTP 200 with {"error": {"type", "message", "code"}}; code 4 is the quota
 * ("Quota limit exceeded", 50 requests per 5 s): waited for and retried.
 */
import { badParameter } from '../../errors.js';
import { ReplyError } from '../http-json.js';
import { audiencePopularity, numberField } from '../popularity.js';
import { isoDay, onOrAfter } from '../since.js';
import { normaliseIsrc } from '../match-key.js';
import type { CatalogueAdapter, CatalogueTrack, ListPage, SourceContext, SourceSpec } from '../types.js';
import { arr, httpUrl, id, ids, obj, str, type Obj } from './json-fields.js';

const DAY = 86_400_000;
/** Album and artist details change rarely: reuse them for a week before revalidating. */
const DETAIL_TTL = 7 * DAY;

function checkDeezer(body: unknown): void {
  const o = obj(body);
  if (!o) throw new ReplyError('reply is not a JSON object');
  if (typeof o.error === 'string') throw new ReplyError(`Deezer error: ${str(o.error)}`);
  const e = obj(o.error);
  if (e) {
    const code = numberField(e.code);
    const msg = `${str(e.type) ?? 'error'} ${code ?? ''}: ${str(e.message) ?? 'no message'}`.replace(/\s+:/, ':');
    throw new ReplyError(`Deezer error ${msg}`, code === 4 || code === 700, code === 4 ? 5000 : undefined);
  }
}

function checkList(body: unknown): void {
  checkDeezer(body);
  if (!Array.isArray((body as Obj).data)) throw new ReplyError('reply has no "data" list');
}

interface AlbumInfo {
  id: string;
  title: string | null;
  releaseDate: string | null;
  cover: string | null;
  link: string | null;
  upc: string | null;
  tracks: unknown[];
}

async function album(ctx: SourceContext, albumId: string): Promise<AlbumInfo> {
  const a = (await ctx.http.get(`album/${albumId}`, { ttlMs: DETAIL_TTL, check: checkDeezer })) as Obj;
  return {
    id: albumId,
    title: str(a.title),
    releaseDate: isoDay(a.release_date),
    cover: httpUrl(a.cover_xl) ?? httpUrl(a.cover_big) ?? httpUrl(a.cover),
    link: httpUrl(a.link),
    upc: str(a.upc),
    tracks: arr(obj(a.tracks)?.data),
  };
}

/** Fan counts, one request per artist per week. */
async function fans(ctx: SourceContext, memo: Map<string, number | null>, artistId: string | null): Promise<number | null> {
  if (!artistId) return null;
  if (memo.has(artistId)) return memo.get(artistId)!;
  let n: number | null = null;
  try {
    const a = (await ctx.http.get(`artist/${artistId}`, { ttlMs: DETAIL_TTL, check: checkDeezer })) as Obj;
    n = numberField(a.nb_fan);
  } catch {
    n = null; // popularity stays unknown; the track is still listed
  }
  memo.set(artistId, n);
  return n;
}

async function mapTrack(
  ctx: SourceContext,
  memo: Map<string, number | null>,
  raw: unknown,
  al: { title: string | null; releaseDate: string | null; cover: string | null; id: string | null },
): Promise<CatalogueTrack | string> {
  const t = obj(raw);
  const tid = id(t?.id);
  if (!t || !tid) return 'track without an id';
  const artistObj = obj(t.artist);
  const artist = str(artistObj?.name);
  const title = str(t.title);
  if (!artist || !title) return `deezer:track/${tid}: missing artist or title`;
  const preview = httpUrl(t.preview);
  if (!preview) return `deezer:track/${tid}: no preview (not available in this country or removed)`;
  const artistId = id(artistObj?.id);
  const n = await fans(ctx, memo, artistId);
  const albumObj = obj(t.album);
  return {
    key: `deezer:track/${tid}`,
    service: 'deezer',
    serviceIds: ids({ track: tid, album: al.id ?? id(albumObj?.id), artist: artistId }),
    artist,
    title,
    album: al.title ?? str(albumObj?.title),
    releaseDate: isoDay(t.release_date) ?? al.releaseDate,
    duration: numberField(t.duration),
    link: httpUrl(t.link) ?? `https://www.deezer.com/track/${tid}`,
    isrc: normaliseIsrc(t.isrc),
    licence: null,
    coverUrl: al.cover ?? httpUrl(albumObj?.cover_xl) ?? httpUrl(albumObj?.cover_big),
    audioUrl: preview,
    isPreview: true,
    popularity: audiencePopularity(n),
    popularityBasis: n === null ? null : `deezer artist fans ${n}`,
  };
}

async function albumPage(ctx: SourceContext, memo: Map<string, number | null>, albumId: string): Promise<ListPage> {
  const page: ListPage = { tracks: [], failures: [] };
  let al: AlbumInfo;
  try {
    al = await album(ctx, albumId);
  } catch (err) {
    page.failures.push({ item: `deezer:album/${albumId}`, error: (err as Error).message });
    return page;
  }
  if (!onOrAfter(al.releaseDate, ctx.options.since)) return page;
  for (const raw of al.tracks) {
    const t = await mapTrack(ctx, memo, raw, al);
    if (typeof t === 'string') page.failures.push({ item: `deezer:album/${albumId}`, error: t });
    else page.tracks.push(t);
  }
  return page;
}

/** Walk a paginated list ({data, next, total}); `next` must stay on the API host. */
async function* pages(ctx: SourceContext, first: string): AsyncGenerator<unknown[]> {
  let url: string | URL = first;
  const seen = new Set<string>();
  for (let n = 0; n < 200; n++) {
    const body = (await ctx.http.get(url, { check: checkList })) as Obj;
    yield arr(body.data);
    const next = httpUrl(body.next);
    if (!next || seen.has(next) || arr(body.data).length === 0) return;
    seen.add(next);
    url = new URL(next);
  }
}

export const deezer: CatalogueAdapter = {
  scheme: 'deezer',
  defaultBase: 'https://api.deezer.com',
  baseEnv: 'YASR_DEEZER_API',
  rate: { requests: 50, perMs: 5000 },
  forms: [
    'deezer:releases[?genre=ID]   editorial new releases (all genres, or one genre id), 30 s previews',
    'deezer:album/ID              one album',
    'deezer:artist/ID             an artist\'s albums, newest first',
    'deezer:search?q=TEXT         a track search',
  ],
  check(spec: SourceSpec) {
    const [kind, arg, ...rest] = spec.path;
    const ok =
      rest.length === 0 &&
      ((kind === 'releases' && arg === undefined && (!spec.params.has('genre') || /^\d{1,9}$/.test(spec.params.get('genre')!))) ||
        ((kind === 'album' || kind === 'artist') && /^\d{1,15}$/.test(arg ?? '')) ||
        (kind === 'search' && arg === undefined && !!spec.params.get('q')?.trim()));
    if (!ok) throw badParameter('source', spec.text, `one of: ${this.forms.map((f) => f.split(/\s{2,}/)[0]).join(', ')}`);
  },
  async *list(spec, ctx) {
    const memo = new Map<string, number | null>();
    const [kind, arg] = spec.path;
    if (kind === 'album') {
      yield await albumPage(ctx, memo, arg);
      return;
    }
    if (kind === 'releases' || kind === 'artist') {
      const first =
        kind === 'releases'
          ? ctx.http.url(`editorial/${spec.params.get('genre') ?? '0'}/releases`, { limit: 100 }).href
          : ctx.http.url(`artist/${arg}/albums`, { limit: 100 }).href;
      const done = new Set<string>();
      for await (const albums of pages(ctx, first)) {
        let older = 0;
        for (const raw of albums) {
          const a = obj(raw);
          const aid = id(a?.id);
          if (!aid) continue;
          if (done.has(aid)) continue;
          done.add(aid);
          // the lists carry release_date: skip old albums without asking for them
          const d = isoDay(a?.release_date);
          if (d && !onOrAfter(d, ctx.options.since)) {
            older++;
            continue;
          }
          yield await albumPage(ctx, memo, aid);
        }
        // artist albums come newest first: a page of only old albums ends the walk
        if (kind === 'artist' && albums.length > 0 && older === albums.length) return;
      }
      return;
    }
    // search: tracks carry their album id; each album is read once for its release date
    const albums = new Map<string, AlbumInfo | null>();
    for await (const data of pages(ctx, ctx.http.url('search', { q: spec.params.get('q')!.trim(), limit: 100 }).href)) {
      const page: ListPage = { tracks: [], failures: [] };
      for (const raw of data) {
        const aid = id(obj(obj(raw)?.album)?.id);
        let al: AlbumInfo | null = null;
        if (aid) {
          if (!albums.has(aid)) albums.set(aid, await album(ctx, aid).catch(() => null));
          al = albums.get(aid)!;
        }
        const t = await mapTrack(ctx, memo, raw, { title: al?.title ?? null, releaseDate: al?.releaseDate ?? null, cover: al?.cover ?? null, id: aid });
        if (typeof t === 'string') page.failures.push({ item: spec.text, error: t });
        else if (onOrAfter(t.releaseDate, ctx.options.since)) page.tracks.push(t);
      }
      yield page;
    }
  },
};
