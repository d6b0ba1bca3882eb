/**
 * iTunes Search API (https://performance-partners.apple.com/search-api): 30 s AAC previews.
 * Forms:
 *   itunes:search?term=TEXT[&country=CC]   songs matching TEXT (one page of up to 200)
 *   itunes:lookup?id=ID[,ID...]            tracks by id, or an artist's / album's songs
 * Apple asks for about 20 requests a minute. iTunes offers no audience figure, so popularity
 * stays unknown; no ISRC either.
 */
import { badParameter } from '../../errors.js';
import { ReplyError } from '../http-json.js';
import { numberField } from '../popularity.js';
import { isoDay, onOrAfter } from '../since.js';
import type { CatalogueAdapter, CatalogueTrack, ListPage } from '../types.js';
import { arr, httpUrl, id, ids, obj, str } from './json-fields.js';

function checkItunes(body: unknown): void {
  const o = obj(body);
  if (!o) throw new ReplyError('reply is not a JSON object');
  if (typeof o.errorMessage === 'string') throw new ReplyError(`iTunes error: ${str(o.errorMessage)}`);
  if (!Array.isArray(o.results)) throw new ReplyError('reply has no "results" list');
}

function mapSong(raw: unknown): CatalogueTrack | string | null {
  const t = obj(raw);
  if (!t || t.wrapperType !== 'track' || (t.kind !== undefined && t.kind !== 'song')) return null; // artists, albums, videos
  const tid = id(t.trackId);
  if (!tid) return 'song without a trackId';
  const artist = str(t.artistName);
  const title = str(t.trackName);
  if (!artist || !title) return `itunes:track/${tid}: missing artist or title`;
  const preview = httpUrl(t.previewUrl);
  if (!preview) return `itunes:track/${tid}: no previewUrl`;
  const ms = numberField(t.trackTimeMillis);
  const art = httpUrl(t.artworkUrl100) ?? httpUrl(t.artworkUrl60);
  return {
    key: `itunes:track/${tid}`,
    service: 'itunes',
    serviceIds: ids({ track: tid, album: id(t.collectionId), artist: id(t.artistId) }),
    artist,
    title,
    album: str(t.collectionName),
    releaseDate: isoDay(t.releaseDate),
    duration: ms === null ? null : ms / 1000,
    link: httpUrl(t.trackViewUrl),
    isrc: null,
    licence: null,
    coverUrl: art ? art.replace(/\/\d+x\d+(bb)?\.(jpg|png)$/, '/600x600bb.$2') : null,
    audioUrl: preview,
    isPreview: true,
    popularity: null,
    popularityBasis: null,
  };
}

export const itunes: CatalogueAdapter = {
  scheme: 'itunes',
  defaultBase: 'https://itunes.apple.com',
  baseEnv: 'YASR_ITUNES_API',
  rate: { requests: 20, perMs: 60_000 },
  retryStatuses: [403],
  forms: ['itunes:search?term=TEXT[&country=CC]   songs matching TEXT, 30 s previews', 'itunes:lookup?id=ID[,ID]            tracks, or an artist\'s or album\'s songs'],
  check(spec) {
    const [kind, ...rest] = spec.path;
    const country = spec.params.get('country');
    const ok =
      rest.length === 0 &&
      (country === null || /^[a-z]{2}$/i.test(country)) &&
      ((kind === 'search' && !!spec.params.get('term')?.trim()) || (kind === 'lookup' && /^\d{1,15}(,\d{1,15})*$/.test(spec.params.get('id') ?? '')));
    if (!ok) throw badParameter('source', spec.text, "itunes:search?term=TEXT[&country=CC] or itunes:lookup?id=ID (country: two letters)");
  },
  async *list(spec, ctx) {
    const kind = spec.path[0];
    const country = spec.params.get('country')?.toUpperCase();
    const url =
      kind === 'search'
        ? ctx.http.url('search', { term: spec.params.get('term')!.trim(), media: 'music', entity: 'song', limit: 200, country })
        : ctx.http.url('lookup', { id: spec.params.get('id')!, entity: 'song', limit: 200, country });
    const body = (await ctx.http.get(url, { check: checkItunes })) as { results: unknown[] };
    const page: ListPage = { tracks: [], failures: [] };
    const seen = new Set<string>();
    for (const raw of arr(body.results)) {
      const t = mapSong(raw);
      if (t === null) continue;
      if (typeof t === 'string') page.failures.push({ item: spec.text, error: t });
      else if (!seen.has(t.key) && onOrAfter(t.releaseDate, ctx.options.since)) {
        seen.add(t.key);
        page.tracks.push(t);
      }
    }
    yield page;
  },
};
