/**
 * iTunes Search adapter against replayed replies (test/fixtures/sources/itunes): bodies padded
 * with leading newlines, songs among videos and collections, ms durations, artwork resized,
 * no ISRC and no popularity, 403 throttling retried.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/sources/registry.js';
import { fixture, fixtureJson, startReplay, type ReplayServer } from './replay-server.js';
import { byKey, list } from './helpers.js';

let s: ReplayServer;
beforeAll(async () => {
  s = await startReplay();
});
afterAll(() => s.close());
beforeEach(() => {
  s.clear();
  s.on('/search?term=sodium', { fixture: 'itunes/search-sodium.json', type: 'text/javascript; charset=utf-8' });
  s.on('/search', { fixture: 'itunes/search-empty.json', type: 'text/javascript; charset=utf-8' });
  s.on('/lookup?id=1790000104', { fixture: 'itunes/lookup-album-1790000104.json', type: 'text/javascript; charset=utf-8' });
});

describe('itunes:search', () => {
  it('the fixture keeps the real leading newlines', () => {
    expect(fixture('itunes/search-sodium.json').startsWith('\n\n\n{')).toBe(true);
  });

  it('maps every field of a song; videos skipped, old songs dropped by --since, a song without preview is one failure', async () => {
    const r = await list(s, 'itunes:search?term=sodium&country=gb');
    const raw = fixtureJson('itunes/search-sodium.json').results[0];
    expect(r.tracks.map((t) => t.key)).toEqual(['itunes:track/1790000121', 'itunes:track/1790000211']);
    expect(byKey(r.tracks)['itunes:track/1790000121']).toEqual({
      key: 'itunes:track/1790000121',
      service: 'itunes',
      serviceIds: { track: '1790000121', album: '1790000104', artist: '1590001' },
      artist: 'Lumen Drift',
      title: 'Sodium Lights',
      album: 'Night Bus',
      releaseDate: '2025-06-09',
      duration: 177.4,
      link: raw.trackViewUrl,
      isrc: null,
      licence: null,
      coverUrl: raw.artworkUrl100.replace('/100x100bb.jpg', '/600x600bb.jpg'),
      audioUrl: `${s.origin}${new URL(raw.previewUrl).pathname}`,
      isPreview: true,
      popularity: null, // iTunes offers no audience figure
      popularityBasis: null,
    });
    expect(r.failures).toEqual([{ item: 'itunes:search?term=sodium&country=gb', error: 'itunes:track/1790000411: no previewUrl' }]);
    const q = s.hitsOf('/search')[0].query;
    expect(Object.fromEntries(q)).toEqual({ term: 'sodium', media: 'music', entity: 'song', limit: '200', country: 'GB' });
  });

  it('without --since the 2019 song is listed; maxTracks caps', async () => {
    expect((await list(s, 'itunes:search?term=sodium', { since: null })).tracks).toHaveLength(3);
    expect((await list(s, 'itunes:search?term=sodium', { since: null, maxTracks: 1 })).tracks).toHaveLength(1);
  });

  it('an empty result is an empty listing', async () => {
    const r = await list(s, 'itunes:search?term=zzzz');
    expect(r).toMatchObject({ tracks: [], failures: [] });
  });

  it('itunes:lookup skips the collection row and lists its songs', async () => {
    const r = await list(s, 'itunes:lookup?id=1790000104');
    expect(r.tracks.map((t) => [t.title, t.duration, t.releaseDate])).toEqual([
      ['Sodium Lights', 177.4, '2025-06-09'],
      ['Last Stop', 301.2, '2025-06-09'],
    ]);
    expect(s.hitsOf('/lookup')[0].query.get('entity')).toBe('song');
  });

  it('HTTP 403 (Apple throttling) is retried', async () => {
    s.on('/search?term=sodium', { status: 403, body: '' }, { fixture: 'itunes/search-sodium.json' });
    const r = await list(s, 'itunes:search?term=sodium');
    expect(r.tracks).toHaveLength(2);
    expect(r.retries.map((x) => x.reason)).toEqual(['HTTP 403']);
  });

  it('an HTML error page and an errorMessage object are one line naming the spec', async () => {
    s.on('/search?term=sodium', { fault: 'html' });
    const r = await list(s, 'itunes:search?term=sodium', { http: { retries: 1, backoffMs: 1, timeoutMs: 1000 } });
    expect(r.failures).toEqual([{ item: 'itunes:search?term=sodium', error: expect.stringMatching(/listing stopped: .*web page \(HTML\), not JSON \(gave up after 2 attempts\)/) }]);
    s.on('/search?term=sodium', { status: 400, json: { errorMessage: 'Invalid value(s) for key(s): [country]', queryParameters: { country: 'xx' } } });
    const r2 = await list(s, 'itunes:search?term=sodium');
    expect(r2.failures[0].error).toMatch(/HTTP 400/);
    s.on('/search?term=sodium', { json: { errorMessage: 'Invalid value(s) for key(s): [mediaType]' } });
    const r3 = await list(s, 'itunes:search?term=sodium');
    expect(r3.failures[0].error).toMatch(/iTunes error: Invalid value/);
  });

  it('bad specs are refused', () => {
    for (const bad of ['itunes:search', 'itunes:search?term=x&country=usa', 'itunes:lookup?id=abc', 'itunes:top']) expect(() => parseSpec(bad), bad).toThrow();
  });
});
