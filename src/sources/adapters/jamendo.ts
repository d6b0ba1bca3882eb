/**
 * Jamendo (https://developer.jamendo.com/v3.0/tracks): whole Creative Commons tracks, each with
 * its licence URL. Needs a free client id in YASR_JAMENDO_CLIENT_ID. Form:
 *   jamendo:tracks[?order=releasedate_desc&tags=TAG&...]
 * Accepted parameters: order, tags, fuzzytags, artist_id, album_id, search, name,
 * vocalinstrumental, speed, lang, datebetween. With --since, datebetween is set from it.
 * Replies carry {headers: {status, code, error_message, results_count, next}, results: [...]};
 * status 'failed' is an error (code 6 = rate limit exceeded: retried; code 5 = invalid client id:
 * not retried), per https://developer.jamendo.com/v3.0/response-codes.
 */
import { badParameter, YasrError } from '../../errors.js';
import { ReplyError } from '../http-json.js';
import { audiencePopularity, numberField } from '../popularity.js';
import { isoDay, onOrAfter } from '../since.js';
import type { CatalogueAdapter, CatalogueTrack, ListPage } from '../types.js';
import { arr, httpUrl, id, ids, obj, str } from './json-fields.js';

const PARAMS = new Set(['order', 'tags', 'fuzzytags', 'artist_id', 'album_id', 'search', 'name', 'vocalinstrumental', 'speed', 'lang', 'datebetween']);
const PAGE = 200;

function checkJamendo(body: unknown): void {
  const o = obj(body);
  const h = obj(o?.headers);
  if (!o || !h) throw new ReplyError('reply has no "headers" object');
  if (h.status !== 'success') {
    const code = numberField(h.code);
    throw new ReplyError(`Jamendo error ${code ?? '?'}: ${str(h.error_message) ?? 'no message'}`, code === 6 || code === 429);
  }
  if (!Array.isArray(o.results)) throw new ReplyError('reply has no "results" list');
}

function mapTrack(raw: unknown): CatalogueTrack | string {
  const t = obj(raw);
  const tid = id(t?.id);
  if (!t || !tid) return 'track without an id';
  const artist = str(t.artist_name);
  const title = str(t.name);
  if (!artist || !title) return `jamendo:track/${tid}: missing artist or title`;
  const download = t.audiodownload_allowed === false ? null : httpUrl(t.audiodownload);
  const audio = download ?? httpUrl(t.audio);
  if (!audio) return `jamendo:track/${tid}: no audio URL`;
  const stats = obj(t.stats);
  const listens = numberField(stats?.rate_listened_total ?? stats?.listened_total);
  return {
    key: `jamendo:track/${tid}`,
    service: 'jamendo',
    serviceIds: ids({ track: tid, album: id(t.album_id), artist: id(t.artist_id) }),
    artist,
    title,
    album: str(t.album_name),
    releaseDate: isoDay(t.releasedate),
    duration: numberField(t.duration),
    link: httpUrl(t.shareurl) ?? httpUrl(t.shorturl) ?? `https://www.jamendo.com/track/${tid}`,
    isrc: null,
    licence: httpUrl(t.license_ccurl),
    coverUrl: httpUrl(t.album_image) ?? httpUrl(t.image),
    audioUrl: audio,
    isPreview: false,
    popularity: listens === null ? null : audiencePopularity(listens / 10),
    popularityBasis: listens === null ? null : `jamendo listens ${listens}`,
  };
}

export const jamendo: CatalogueAdapter = {
  scheme: 'jamendo',
  defaultBase: 'https://api.jamendo.com/v3.0',
  baseEnv: 'YASR_JAMENDO_API',
  rate: { requests: 10, perMs: 1000 },
  forms: ['jamendo:tracks[?order=releasedate_desc&tags=TAG]   whole Creative Commons tracks (YASR_JAMENDO_CLIENT_ID)'],
  check(spec) {
    if (spec.path.length !== 1 || spec.path[0] !== 'tracks') throw badParameter('source', spec.text, 'jamendo:tracks[?order=releasedate_desc&tags=TAG]');
    for (const k of spec.params.keys()) {
      if (!PARAMS.has(k)) throw badParameter('source', spec.text, `jamendo parameters among ${[...PARAMS].join(', ')} (not "${k}")`);
    }
  },
  async *list(spec, ctx) {
    const clientId = ctx.env.YASR_JAMENDO_CLIENT_ID?.trim();
    if (!clientId) {
      throw new YasrError('BAD_PARAMETER', `${spec.text}: set YASR_JAMENDO_CLIENT_ID to your Jamendo client id (free at https://devportal.jamendo.com)`);
    }
    const q: Record<string, string | number> = {
      client_id: clientId,
      format: 'json',
      limit: PAGE,
      include: 'licenses stats',
      audioformat: 'mp32',
      order: 'releasedate_desc',
    };
    for (const [k, v] of spec.params) q[k] = v;
    if (ctx.options.since && !spec.params.has('datebetween')) {
      q.datebetween = `${ctx.options.since}_${ctx.options.today.toISOString().slice(0, 10)}`;
    }
    const newestFirst = String(q.order).startsWith('releasedate_desc');
    for (let offset = 0; offset < 100_000; offset += PAGE) {
      const body = (await ctx.http.get(ctx.http.url('tracks/', { ...q, offset }), { check: checkJamendo })) as { results: unknown[] };
      const results = arr(body.results);
      const page: ListPage = { tracks: [], failures: [] };
      let older = 0;
      for (const raw of results) {
        const t = mapTrack(raw);
        if (typeof t === 'string') page.failures.push({ item: spec.text, error: t });
        else if (onOrAfter(t.releaseDate, ctx.options.since)) page.tracks.push(t);
        else older++;
      }
      yield page;
      if (results.length < PAGE || (newestFirst && older > 0)) return;
    }
  },
};
