/**
 * Jamendo adapter against replayed replies (test/fixtures/sources/jamendo): string ids,
 * headers.status 'success', escaped slashes, empty album fields for singles, audiodownload ""
 * when downloads are not allowed, licence URLs, listens -> popularity, paging by offset.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { audiencePopularity } from '../../src/sources/popularity.js';
import { listCatalogue, parseSpec } from '../../src/sources/registry.js';
import { fixtureJson, startReplay, type ReplayServer } from './replay-server.js';
import { byKey, list, replayEnv, TODAY } from './helpers.js';

let s: ReplayServer;
beforeAll(async () => {
  s = await startReplay();
});
afterAll(() => s.close());
beforeEach(() => {
  s.clear();
  s.on('/v3.0/tracks/', { fixture: 'jamendo/tracks-page1.json' });
});

describe('jamendo:tracks', () => {
  it('maps every field; singles have no album; a track without download uses its stream', async () => {
    const r = await list(s, 'jamendo:tracks?order=releasedate_desc&tags=electronic');
    expect(r.failures).toEqual([]);
    const t = byKey(r.tracks);
    expect(Object.keys(t)).toEqual(['jamendo:track/2100001', 'jamendo:track/2100002']);
    expect(t['jamendo:track/2100001']).toEqual({
      key: 'jamendo:track/2100001',
      service: 'jamendo',
      serviceIds: { track: '2100001', album: '880001', artist: '7700001' },
      artist: 'Kalinka Moss',
      title: 'Fernweh',
      album: 'Moss Tapes',
      releaseDate: '2025-06-14',
      duration: 251,
      link: 'https://www.jamendo.com/track/2100001',
      isrc: null,
      licence: 'http://creativecommons.org/licenses/by-sa/3.0/',
      coverUrl: 'https://usercontent.jamendo.com/?type=album&id=880001&width=300&trackid=2100001',
      audioUrl: `${s.origin}/download/track/2100001/mp32/`,
      isPreview: false,
      popularity: audiencePopularity(561.6), // 5616 listens / 10
      popularityBasis: 'jamendo listens 5616',
    });
    expect(t['jamendo:track/2100001'].popularity).toBe(39);
    const single = t['jamendo:track/2100002'];
    expect(single.artist).toBe('Niño Satélite');
    expect(single.title).toBe('Mañana en Órbita');
    expect(single.album).toBeNull();
    expect(single.serviceIds).toEqual({ track: '2100002', artist: '7700002' });
    expect(single.audioUrl).toBe(`${s.origin}/?trackid=2100002&format=mp32&from=app-devsite`);
    expect(single.licence).toBe('http://creativecommons.org/licenses/by-nc-nd/3.0/');
    expect(single.popularity).toBe(0);
    // the request: client id, datebetween from --since, includes, one page (3 < 200 results)
    const h = s.hitsOf('/v3.0/tracks/');
    expect(h).toHaveLength(1);
    expect(Object.fromEntries(h[0].query)).toMatchObject({
      client_id: 'test-client-1234',
      format: 'json',
      limit: '200',
      offset: '0',
      include: 'licenses stats',
      order: 'releasedate_desc',
      tags: 'electronic',
      datebetween: '2025-06-08_2025-06-15',
    });
  });

  it('pages by offset while pages are full; stops at the first older track when newest first', async () => {
    const item = fixtureJson('jamendo/tracks-page1.json').results[0];
    const page = (from: number, n: number, date: (i: number) => string) => ({
      headers: { status: 'success', code: 0, error_message: '', warnings: '', results_count: n, next: `https://api.jamendo.com/v3.0/tracks?offset=${from + n}` },
      results: Array.from({ length: n }, (_, i) => ({ ...item, id: String(3000000 + from + i), name: `Track ${from + i}`, releasedate: date(from + i), audiodownload: item.audiodownload.replace('2100001', String(3000000 + from + i)) })),
    });
    s.on('/v3.0/tracks/?offset=0', { json: page(0, 200, () => '2025-06-14') });
    s.on('/v3.0/tracks/?offset=200', { json: page(200, 200, (i) => (i < 250 ? '2025-06-10' : '2025-05-01')) });
    s.on('/v3.0/tracks/?offset=400', { json: page(400, 200, () => '2025-04-01') });
    const r = await list(s, 'jamendo:tracks');
    expect(r.tracks).toHaveLength(250);
    expect(s.hitsOf('/v3.0/tracks/').map((h) => h.query.get('offset'))).toEqual(['0', '200']);
    const capped = await list(s, 'jamendo:tracks', { maxTracks: 10 });
    expect(capped.tracks).toHaveLength(10);
  });

  it('rate-limit error (code 6) is retried; an invalid client id (code 5) is not', async () => {
    s.on('/v3.0/tracks/', { fixture: 'jamendo/error-rate-limit.json' }, { fixture: 'jamendo/tracks-page1.json' });
    const r = await list(s, 'jamendo:tracks');
    expect(r.tracks).toHaveLength(2);
    expect(r.retries.map((x) => x.reason)).toEqual(['Jamendo error 6: Rate Limit Exceeded']);
    s.reset();
    s.on('/v3.0/tracks/', { fixture: 'jamendo/error-invalid-client-id.json' });
    const bad = await list(s, 'jamendo:tracks');
    expect(bad.failures).toEqual([{ item: 'jamendo:tracks', error: expect.stringMatching(/listing stopped: .*Jamendo error 5: Your credential is not authorized\./) }]);
    expect(s.count('/v3.0/tracks/')).toBe(1);
    // the client id never shows in messages
    expect(bad.failures[0].error).toContain('client_id=***');
    expect(bad.failures[0].error).not.toContain('test-client-1234');
  });

  it('missing fields: one failure per item, the rest listed', async () => {
    const body = fixtureJson('jamendo/tracks-page1.json');
    delete body.results[0].artist_name;
    body.results[1].audio = '';
    body.results[1].audiodownload = 'ftp://example.org/x.mp3';
    s.on('/v3.0/tracks/', { json: body });
    const r = await list(s, 'jamendo:tracks', { since: null });
    expect(r.failures.map((f) => f.error)).toEqual(['jamendo:track/2100001: missing artist or title', 'jamendo:track/2100002: no audio URL']);
    expect(r.tracks.map((t) => t.key)).toEqual(['jamendo:track/2100003']);
  });

  it('needs a client id; unknown parameters are refused', async () => {
    const run = listCatalogue('jamendo:tracks', { since: null, maxTracks: null, today: TODAY, cacheDir: null, env: { ...replayEnv(s), YASR_JAMENDO_CLIENT_ID: '' } });
    await expect(run.next()).rejects.toThrow(/YASR_JAMENDO_CLIENT_ID/);
    expect(() => parseSpec('jamendo:tracks?client_id=x')).toThrow(/not "client_id"/);
    expect(() => parseSpec('jamendo:albums')).toThrow();
  });
});
