/**
 * Internet Archive netlabels (https://archive.org/details/netlabels): whole tracks, mostly
 * Creative Commons. Form:
 *   archive:netlabels[?q=EXTRA]   items of the netlabels collection by publication date, newest
 *                                 first (GET /advancedsearch.php), then each item's files
 *                                 (GET /metadata/{identifier}); EXTRA is added to the query
 * One track per audio original; the MP3 derivative is preferred (small), else Ogg, else the
 * original itself. Field values may be a string or a list of strings (creator, licenseurl...).
 * Popularity: the item's downloads / 10 on the common scale.
 */
import { badParameter } from '../../errors.js';
import { ReplyError } from '../http-json.js';
import { audiencePopularity, numberField } from '../popularity.js';
import { isoDay, onOrAfter } from '../since.js';
import type { CatalogueAdapter, CatalogueTrack, ListPage, SourceContext } from '../types.js';
import { arr, httpUrl, obj, str, type Obj } from './json-fields.js';

const ROWS = 100;
const ITEM_TTL = 30 * 86_400_000;
const IDENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

function checkSearch(body: unknown): void {
  const o = obj(body);
  if (!o) throw new ReplyError('reply is not a JSON object');
  if (o.error !== undefined) throw new ReplyError(`Internet Archive error: ${str(o.error) ?? JSON.stringify(o.error).slice(0, 200)}`);
  const r = obj(o.response);
  if (!r || !Array.isArray(r.docs)) throw new ReplyError('reply has no "response.docs" list');
}

function checkMetadata(body: unknown): void {
  const o = obj(body);
  if (!o) throw new ReplyError('reply is not a JSON object');
  if (o.error !== undefined) throw new ReplyError(`Internet Archive error: ${str(o.error) ?? 'unknown'}`);
  if (!Array.isArray(o.files) || !obj(o.metadata)) throw new ReplyError('item has no files or metadata (dark or removed item)');
}

/** '215.3', '3:35', '1:02:03' -> seconds. */
export function parseLength(v: unknown): number | null {
  const n = numberField(v);
  if (n !== null) return n > 0 ? n : null;
  const s = str(v);
  const m = s ? /^(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)$/.exec(s) : null;
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) : null;
}

const RANK: [RegExp, number][] = [
  [/^vbr mp3$/i, 1],
  [/mp3$/i, 2],
  [/^ogg vorbis$/i, 3],
  [/^(flac|24bit flac)$/i, 4],
  [/^(wave|aiff)$/i, 5],
];

function formatRank(f: string | null): number {
  for (const [re, r] of RANK) if (f && re.test(f)) return r;
  return 0;
}

/** A file name inside an item: relative, no '..', no backslashes or control characters. */
function safeName(n: string | null): n is string {
  return !!n && !n.startsWith('/') && !n.includes('\\') && !/[\u0000-\u001f]/.test(n) && n.split('/').every((p) => p !== '..' && p !== '.' && p !== '');
}

function itemTracks(ctx: SourceContext, identifier: string, meta: Obj, files: unknown[], downloads: number | null): ListPage {
  const page: ListPage = { tracks: [], failures: [] };
  // group audio files by the original they come from
  const groups = new Map<string, Obj[]>();
  for (const raw of files) {
    const f = obj(raw);
    const name = str(f?.name);
    if (!f || formatRank(str(f.format)) === 0) continue;
    if (!safeName(name)) {
      page.failures.push({ item: `archive:${identifier}`, error: `unsafe file name ${JSON.stringify(String(f.name).slice(0, 100))}` });
      continue;
    }
    const orig = f.source === 'derivative' ? (str(f.original) ?? name) : name;
    groups.set(orig, [...(groups.get(orig) ?? []), f]);
  }
  const itemDate = isoDay(meta.date) ?? isoDay(meta.publicdate);
  const base = ctx.http.base;
  for (const [orig, fs] of groups) {
    const best = fs.sort((a, b) => formatRank(str(a.format)) - formatRank(str(b.format)))[0];
    const original = fs.find((f) => str(f.name) === orig) ?? best;
    const name = str(best.name)!;
    const title = str(original.title) ?? str(best.title) ?? orig.replace(/^.*\//, '').replace(/\.[^.]+$/, '');
    const artist = str(original.creator) ?? str(original.artist) ?? str(meta.creator);
    if (!artist) {
      page.failures.push({ item: `archive:${identifier}/${orig}`, error: 'no creator' });
      continue;
    }
    const enc = name.split('/').map(encodeURIComponent).join('/');
    page.tracks.push({
      key: `archive:${identifier}/${orig}`,
      service: 'archive',
      serviceIds: { item: identifier, file: orig },
      artist,
      title,
      album: str(original.album) ?? str(meta.title),
      releaseDate: itemDate,
      duration: parseLength(original.length) ?? parseLength(best.length),
      link: `https://archive.org/details/${identifier}`,
      isrc: null,
      licence: httpUrl(meta.licenseurl),
      coverUrl: `https://archive.org/services/img/${identifier}`,
      audioUrl: new URL(`download/${identifier}/${enc}`, base).href,
      isPreview: false,
      popularity: downloads === null ? null : audiencePopularity(downloads / 10),
      popularityBasis: downloads === null ? null : `archive downloads ${downloads}`,
    });
  }
  return page;
}

export const archive: CatalogueAdapter = {
  scheme: 'archive',
  defaultBase: 'https://archive.org',
  baseEnv: 'YASR_ARCHIVE_API',
  rate: { requests: 10, perMs: 1000 },
  forms: ['archive:netlabels[?q=EXTRA]   Internet Archive netlabel releases, whole tracks'],
  check(spec) {
    const extra = spec.params.get('q');
    const other = [...spec.params.keys()].filter((k) => k !== 'q');
    if (spec.path.length !== 1 || spec.path[0] !== 'netlabels' || other.length || (extra !== null && !/^[\p{L}\p{N} :"'()*._-]{1,200}$/u.test(extra))) {
      throw badParameter('source', spec.text, 'archive:netlabels[?q=EXTRA] (EXTRA: letters, digits, spaces, quotes, colons, parentheses)');
    }
  },
  async *list(spec, ctx) {
    const today = ctx.options.today.toISOString().slice(0, 10);
    const date = ctx.options.since ? ` AND publicdate:[${ctx.options.since} TO ${today}T23:59:59Z]` : '';
    const extra = spec.params.get('q');
    const q = `collection:netlabels AND mediatype:audio${date}${extra ? ` AND (${extra})` : ''}`;
    for (let p = 1; p <= 1000; p++) {
      const url = ctx.http.url('advancedsearch.php', { q, rows: ROWS, page: p, output: 'json' });
      for (const f of ['identifier', 'title', 'creator', 'publicdate', 'date', 'downloads', 'licenseurl']) url.searchParams.append('fl[]', f);
      url.searchParams.append('sort[]', 'publicdate desc');
      const body = (await ctx.http.get(url, { check: checkSearch })) as { response: { docs: unknown[]; numFound?: unknown } };
      const docs = arr(body.response.docs);
      for (const raw of docs) {
        const d = obj(raw);
        const identifier = str(d?.identifier);
        if (!d || !identifier || !IDENT.test(identifier)) {
          yield { tracks: [], failures: [{ item: spec.text, error: `item with an invalid identifier ${JSON.stringify(d?.identifier ?? null).slice(0, 80)}` }] };
          continue;
        }
        if (!onOrAfter(isoDay(d.publicdate), ctx.options.since)) continue;
        try {
          const m = (await ctx.http.get(`metadata/${identifier}`, { ttlMs: ITEM_TTL, check: checkMetadata })) as Obj;
          yield itemTracks(ctx, identifier, obj(m.metadata)!, arr(m.files), numberField(d.downloads));
        } catch (err) {
          yield { tracks: [], failures: [{ item: `archive:${identifier}`, error: (err as Error).message }] };
        }
      }
      const total = numberField(body.response.numFound) ?? 0;
      if (docs.length < ROWS || p * ROWS >= total) return;
    }
  },
};
