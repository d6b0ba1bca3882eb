/**
 * Deezer adapter against replayed Deezer replies (test/fixtures/sources/deezer): listing,
 * pagination (no `next` on the last page), every mapped field, --since, maxTracks, the other
 * forms, and Deezer's own failures (HTTP 200 with an error object, quota code 4 retried).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { audiencePopularity } from '../../src/sources/popularity.js';
import { parseSpec } from '../../src/sources/registry.js';
import { deezerWeek, fixtureJson, startReplay, type ReplayServer } from './replay-server.js';
import { byKey, list } from './helpers.js';

let s: ReplayServer;
beforeAll(async () => {
  s = await startReplay();
});
afterAll(() => s.close());
beforeEach(() => {
  // a fresh server state per test: routes re-added (later routes win), counters reset
  deezerWeek(s.clear());
});

const COVER = (albumId: number) => fixtureJson(`deezer/album-${albumId}.json`).cover_xl as string;

describe('deezer:releases', () => {
  it('lists the week: both pages, every field mapped, old albums skipped without a request', async () => {
    const r = await list(s, 'deezer:releases');
    const t = byKey(r.tracks);
    expect(Object.keys(t).sort()).toEqual(
      ['3100000001', '3100000002', '3100000003', '3100000011', '3100000021', '3100000022'].map((id) => `deezer:track/${id}`),
    );
    expect(t['deezer:track/3100000001']).toEqual({
      key: 'deezer:track/3100000001',
      service: 'deezer',
      serviceIds: { track: '3100000001', album: '900000101', artist: '5500001' },
      artist: 'Nadia Okonkwo-Reyes',
      title: 'Low Tide Signal',
      album: 'Glass Harbour',
      releaseDate: '2025-06-13',
      duration: 214,
      link: 'https://www.deezer.com/track/3100000001',
      isrc: null, // album replies carry no ISRC (formats.md, GET /album/{id})
      licence: null,
      coverUrl: COVER(900000101),
      audioUrl: `${s.origin}${new URL(fixtureJson('deezer/album-900000101.json').tracks.data[0].preview).pathname}`,
      isPreview: true,
      popularity: 58, // 12,345 fans: round(100 * log10(12346) / 7)
      popularityBasis: 'deezer artist fans 12345',
    });
    expect(t['deezer:track/3100000003'].title).toBe('Naïve Cartographer (feat. Tomas Brill)');
    expect(t['deezer:track/3100000011'].popularity).toBe(0); // 0 fans
    expect(t['deezer:track/3100000011'].popularityBasis).toBe('deezer artist fans 0');
    expect(t['deezer:track/3100000021'].popularity).toBe(91); // 2.4 M fans
    expect(t['deezer:track/3100000021'].coverUrl).toBe(COVER(900000104));
    // one failure line per failed item, naming it; the rest went on
    expect(r.failures).toHaveLength(2);
    expect(r.failures).toContainEqual({ item: 'deezer:album/900000102', error: expect.stringMatching(/deezer:track\/3100000012: no preview/) });
    expect(r.failures).toContainEqual({ item: 'deezer:album/900000105', error: expect.stringMatching(/DataException 800: no data/) });
    // pages followed through `next` (absent on the last page); the old album never asked for
    expect(s.count('/editorial/0/releases')).toBe(2);
    expect(s.hitsOf('/editorial/0/releases')[1].query.get('index')).toBe('3');
    expect(s.count('/album/900000103')).toBe(0);
    // one request per artist for the fan count
    expect(s.count('/artist/5500001')).toBe(1);
    expect(r.stats.requests).toBe(2 + 4 + 3);
    // every request names yasr
    expect(s.hits.every((h) => /^yasr\//.test(String(h.headers['user-agent'])))).toBe(true);
  });

  it('popularity follows the documented 0-100 audience scale', () => {
    expect([0, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 1e9].map(audiencePopularity)).toEqual([0, 15, 29, 43, 57, 71, 86, 100, 100]);
    expect(audiencePopularity(12345)).toBe(58);
    expect(audiencePopularity(2_400_000)).toBe(91);
    expect(audiencePopularity(-1)).toBeNull();
  });

  it('without --since lists old albums too', async () => {
    const r = await list(s, 'deezer:releases', { since: null });
    expect(r.tracks.map((t) => t.key)).toContain('deezer:track/3100000031');
    expect(byKey(r.tracks)['deezer:track/3100000031'].popularity).toBe(audiencePopularity(87));
    expect(r.tracks).toHaveLength(7);
  });

  it('--since a later day keeps only the newer albums', async () => {
    const r = await list(s, 'deezer:releases', { since: '2025-06-12' });
    expect(r.tracks.map((t) => t.key).sort()).toEqual(['deezer:track/3100000001', 'deezer:track/3100000002', 'deezer:track/3100000003']);
    expect(s.count('/album/900000102')).toBe(0);
    expect(s.count('/album/900000104')).toBe(0);
  });

  it('maxTracks stops the listing (and its requests) early', async () => {
    const r = await list(s, 'deezer:releases', { maxTracks: 2 });
    expect(r.tracks.map((t) => t.key)).toEqual(['deezer:track/3100000001', 'deezer:track/3100000002']);
    expect(s.count('/editorial/0/releases')).toBe(1);
    expect(s.count('/album/900000102')).toBe(0);
  });

  it('a genre asks /editorial/{genre}/releases', async () => {
    s.on('/editorial/116/releases', { fixture: 'deezer/search-empty.json' });
    const r = await list(s, 'deezer:releases?genre=116');
    expect(r.tracks).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(s.hitsOf('/editorial/116/releases')[0].query.get('limit')).toBe('100');
  });

  it('quota error code 4 (HTTP 200) is waited for and retried', async () => {
    s.on('/album/900000101', { fixture: 'deezer/error-quota.json' }, { fixture: 'deezer/album-900000101.json' });
    const r = await list(s, 'deezer:releases', { http: { backoffMs: 5, timeoutMs: 2000, retries: 2, maxRetryAfterMs: 120 } });
    expect(r.tracks).toHaveLength(6);
    expect(r.failures).toHaveLength(2);
    expect(r.retries).toHaveLength(1);
    expect(r.retries[0]).toMatchObject({ attempt: 1, delayMs: 120 }); // Deezer asks for a 5 s pause, capped here at 120 ms
    expect(r.retries[0].reason).toMatch(/Quota limit exceeded/);
    const [a, b] = s.hitsOf('/album/900000101');
    expect(b.at - a.at).toBeGreaterThanOrEqual(110);
    expect(r.stats.retries).toBe(1);
  });

  it('quota that never passes: one failure line for that album, the rest go on', async () => {
    s.on('/album/900000101', { fixture: 'deezer/error-quota.json' });
    const r = await list(s, 'deezer:releases');
    expect(r.tracks.map((t) => t.key)).not.toContain('deezer:track/3100000001');
    expect(r.tracks).toHaveLength(3);
    const f = r.failures.find((x) => x.item === 'deezer:album/900000101');
    expect(f?.error).toMatch(/Exception 4: Quota limit exceeded \(gave up after 3 attempts\)/);
    expect(s.count('/album/900000101')).toBe(3);
  });

  it('other error objects are not retried; a missing `code` is still an error', async () => {
    s.on('/album/900000101', { fixture: 'deezer/error-generic-no-code.json' });
    s.on('/album/900000104', { fixture: 'deezer/error-wrong-parameter.json' });
    const r = await list(s, 'deezer:releases');
    expect(r.failures.find((x) => x.item === 'deezer:album/900000101')?.error).toMatch(/Deezer error Exception: An error has occured/);
    expect(r.failures.find((x) => x.item === 'deezer:album/900000104')?.error).toMatch(/ParameterException 500: Wrong parameter/);
    expect(s.count('/album/900000101')).toBe(1);
    expect(r.tracks.map((t) => t.key).sort()).toEqual(['deezer:track/3100000011']);
  });

  it('an error object on the first page ends the listing with one line naming the spec', async () => {
    s.on('/editorial/0/releases', { fixture: 'deezer/error-wrong-parameter.json' });
    const r = await list(s, 'deezer:releases');
    expect(r.tracks).toEqual([]);
    expect(r.failures).toEqual([{ item: 'deezer:releases', error: expect.stringMatching(/^listing stopped: .*ParameterException 500: Wrong parameter/) }]);
  });

  it('HTTP 404 with {"error": "Not Found"} (a string) is one clear failure', async () => {
    s.on('/album/900000104', { status: 404, fixture: 'deezer/error-404-unknown-path.json' });
    const r = await list(s, 'deezer:releases');
    expect(r.failures.find((x) => x.item === 'deezer:album/900000104')?.error).toMatch(/HTTP 404 Not Found/);
    expect(s.count('/album/900000104')).toBe(1);
  });

  it('missing fields: a track without title or id is one failure line, its album-mates are listed', async () => {
    const al = fixtureJson('deezer/album-900000101.json');
    delete al.tracks.data[1].title;
    delete al.tracks.data[2].id;
    al.tracks.data.push({ id: 3100000009, title: 'No Artist', duration: 100, preview: al.tracks.data[0].preview.replace('-3.mp3', '-9.mp3'), type: 'track' });
    s.on('/album/900000101', { json: al });
    const r = await list(s, 'deezer:releases');
    const mine = r.failures.filter((x) => x.item === 'deezer:album/900000101').map((x) => x.error);
    expect(mine.sort()).toEqual(['deezer:track/3100000002: missing artist or title', 'deezer:track/3100000009: missing artist or title', 'track without an id']);
    expect(r.tracks.map((t) => t.key)).toContain('deezer:track/3100000001');
  });

  it('an album reply without release_date or cover still maps (date from nowhere: filtered by --since)', async () => {
    const al = fixtureJson('deezer/album-900000104.json');
    delete al.release_date;
    delete al.cover_xl;
    s.on('/album/900000104', { json: al });
    const r = await list(s, 'deezer:releases', { since: null });
    const t = byKey(r.tracks)['deezer:track/3100000021'];
    expect(t.releaseDate).toBeNull();
    expect(t.coverUrl).toBe(al.cover_big);
    const r2 = await list(s, 'deezer:releases');
    expect(r2.tracks.map((x) => x.key)).not.toContain('deezer:track/3100000021');
  });

  it('a `next` link to another host stops the listing (after what was listed)', async () => {
    const p1 = fixtureJson('deezer/editorial-0-releases.json');
    p1.next = 'https://evil.example.org/editorial/0/releases?limit=100&index=3';
    s.on('/editorial/0/releases', { json: p1 });
    const r = await list(s, 'deezer:releases');
    expect(r.tracks).toHaveLength(4);
    expect(r.failures.at(-1)).toEqual({ item: 'deezer:releases', error: expect.stringMatching(/refused: not on the API host/) });
    expect(s.count('/editorial/0/releases')).toBe(1);
  });

  it('an artist failing its fan count only loses the popularity', async () => {
    s.on('/artist/5500001', { status: 500, body: 'oops' });
    const r = await list(s, 'deezer:releases');
    const t = byKey(r.tracks)['deezer:track/3100000001'];
    expect(t.popularity).toBeNull();
    expect(t.popularityBasis).toBeNull();
    expect(r.failures).toHaveLength(2);
    expect(s.count('/artist/5500001')).toBe(3); // retried, then asked once only for the whole album
  });
});

describe('other Deezer forms', () => {
  it('deezer:album/ID lists one album', async () => {
    const r = await list(s, 'deezer:album/900000104');
    expect(r.tracks.map((t) => [t.key, t.title, t.duration])).toEqual([
      ['deezer:track/3100000021', 'Sodium Lights', 176],
      ['deezer:track/3100000022', 'Last Stop', 301],
    ]);
    expect(r.tracks[0].album).toBe('Night Bus');
  });

  it('deezer:artist/ID walks the albums newest first and skips the old one unasked', async () => {
    const r = await list(s, 'deezer:artist/5500003');
    expect(r.tracks.map((t) => t.key)).toEqual(['deezer:track/3100000021', 'deezer:track/3100000022']);
    expect(s.count('/album/900000199')).toBe(0);
    expect(s.hitsOf('/artist/5500003/albums')).toHaveLength(1);
  });

  it('deezer:search reads each album once for its date; --since drops the old match', async () => {
    const r = await list(s, 'deezer:search?q=sodium');
    expect(r.tracks.map((t) => t.key)).toEqual(['deezer:track/3100000021']);
    expect(r.tracks[0].releaseDate).toBe('2025-06-09');
    expect(r.tracks[0].album).toBe('Night Bus');
    expect(s.count('/album/900000103')).toBe(1);
    const all = await list(s, 'deezer:search?q=sodium', { since: null });
    expect(all.tracks).toHaveLength(2);
  });

  it('an empty search is an empty listing', async () => {
    const r = await list(s, 'deezer:search?q=nothing at all');
    expect(r.tracks).toEqual([]);
    expect(r.failures).toEqual([]);
  });

  it('bad specs are refused before any request', () => {
    for (const bad of ['deezer:album/abc', 'deezer:releases?genre=x', 'deezer:search', 'deezer:playlist/1', 'deezer:album/1/2']) {
      expect(() => parseSpec(bad), bad).toThrow(/source/);
    }
    expect(parseSpec('deezer:releases?genre=116').path).toEqual(['releases']);
  });
});
