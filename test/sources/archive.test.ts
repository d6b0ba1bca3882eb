/**
 * Internet Archive adapter against replayed replies (test/fixtures/sources/archive): string-or-list
 * fields, lengths as seconds or "MM:SS", one track per audio original with the MP3 derivative
 * preferred, file names with spaces and folders, `{}` for a missing item, downloads -> popularity.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseLength } from '../../src/sources/adapters/archive.js';
import { audiencePopularity } from '../../src/sources/popularity.js';
import { parseSpec } from '../../src/sources/registry.js';
import { fixtureJson, startReplay, type ReplayServer } from './replay-server.js';
import { byKey, list } from './helpers.js';

let s: ReplayServer;
beforeAll(async () => {
  s = await startReplay();
});
afterAll(() => s.close());
beforeEach(() => {
  s.clear();
  s.on('/advancedsearch.php', { fixture: 'archive/advancedsearch-netlabels.json' });
  s.on('/metadata/ambientnet042-tidepools', { fixture: 'archive/metadata-ambientnet042-tidepools.json' });
  s.on('/metadata/fieldnet007', { fixture: 'archive/metadata-fieldnet007.json' });
  s.on('/metadata/ghostnet-999', { fixture: 'archive/metadata-missing.json' });
});

describe('archive:netlabels', () => {
  it('lists one track per audio original, every field mapped', async () => {
    const r = await list(s, 'archive:netlabels');
    const t = byKey(r.tracks);
    expect(Object.keys(t)).toEqual([
      'archive:ambientnet042-tidepools/01 - Tidepool One.flac',
      'archive:ambientnet042-tidepools/02 - Tidepool Two.flac',
      'archive:fieldnet007/disc 1/A1 Marrow Hum - Bone Choir.mp3',
    ]);
    expect(t['archive:ambientnet042-tidepools/01 - Tidepool One.flac']).toEqual({
      key: 'archive:ambientnet042-tidepools/01 - Tidepool One.flac',
      service: 'archive',
      serviceIds: { item: 'ambientnet042-tidepools', file: '01 - Tidepool One.flac' },
      artist: 'Tidepool Collective',
      title: 'Tidepool One',
      album: 'Tidepools',
      releaseDate: '2025-06-12',
      duration: 206, // "03:26" on the original
      link: 'https://archive.org/details/ambientnet042-tidepools',
      isrc: null,
      licence: 'https://creativecommons.org/licenses/by-nc-sa/4.0/',
      coverUrl: 'https://archive.org/services/img/ambientnet042-tidepools',
      audioUrl: `${s.origin}/download/ambientnet042-tidepools/01%20-%20Tidepool%20One.mp3`, // the VBR MP3 derivative
      isPreview: false,
      popularity: audiencePopularity(15.3), // 153 downloads / 10
      popularityBasis: 'archive downloads 153',
    });
    const two = t['archive:ambientnet042-tidepools/02 - Tidepool Two.flac'];
    expect(two.artist).toBe('Tidepool Collective'); // first of a list
    expect(two.duration).toBeCloseTo(251.48, 2);
    const field = t['archive:fieldnet007/disc 1/A1 Marrow Hum - Bone Choir.mp3'];
    expect(field).toMatchObject({
      artist: 'Marrow Hum', // from the item (the file has none)
      title: 'Bone Choir',
      album: 'Marrow Songs',
      releaseDate: '2025', // "date": "2025"
      duration: 250,
      licence: 'http://creativecommons.org/licenses/by/3.0/', // a one-element list
      audioUrl: `${s.origin}/download/fieldnet007/disc%201/A1%20Marrow%20Hum%20-%20Bone%20Choir.mp3`,
      popularity: audiencePopularity(0.9),
    });
    // `{}` for an item that is gone: one line naming it
    expect(r.failures).toEqual([{ item: 'archive:ghostnet-999', error: expect.stringMatching(/item has no files or metadata/) }]);
    // the search asked for the netlabels collection since the day, newest first
    const q = s.hitsOf('/advancedsearch.php')[0].query;
    expect(q.get('q')).toBe('collection:netlabels AND mediatype:audio AND publicdate:[2025-06-08 TO 2025-06-15T23:59:59Z]');
    expect(q.getAll('sort[]')).toEqual(['publicdate desc']);
    expect(q.get('output')).toBe('json');
    expect(q.get('page')).toBe('1');
  });

  it('lengths: seconds, MM:SS, HH:MM:SS', () => {
    expect([parseLength('215.3'), parseLength('03:26'), parseLength('1:02:03'), parseLength('0'), parseLength('n/a'), parseLength(12)]).toEqual([215.3, 206, 3723, null, null, 12]);
  });

  it('pages while numFound says there is more', async () => {
    const d = fixtureJson('archive/advancedsearch-netlabels.json');
    const docs = Array.from({ length: 100 }, (_, i) => ({ ...d.response.docs[1], identifier: `bulk-${i}` }));
    s.on('/advancedsearch.php?page=1', { json: { ...d, response: { numFound: 101, start: 0, docs } } });
    s.on('/advancedsearch.php?page=2', { json: { ...d, response: { numFound: 101, start: 100, docs: [d.response.docs[0]] } } });
    const r = await list(s, 'archive:netlabels', { maxTracks: 3 });
    // bulk items have no /metadata route: a 404 each, one failure line per item
    expect(r.failures.slice(0, 2).map((f) => f.item)).toEqual(['archive:bulk-0', 'archive:bulk-1']);
    expect(r.failures[0].error).toMatch(/HTTP 404/);
    expect(r.tracks).toHaveLength(2);
    expect(s.hitsOf('/advancedsearch.php').map((h) => h.query.get('page'))).toEqual(['1', '2']);
  });

  it('an extra query is added; bad ones are refused', async () => {
    await list(s, 'archive:netlabels?q=subject:ambient');
    expect(s.hitsOf('/advancedsearch.php')[0].query.get('q')).toMatch(/ AND \(subject:ambient\)$/);
    expect(() => parseSpec('archive:netlabels?q=a&b=c')).toThrow();
    expect(() => parseSpec('archive:netlabels?q=x]')).toThrow();
    expect(() => parseSpec('archive:collections')).toThrow();
  });

  it('unsafe file names and items without a creator are failures, not tracks', async () => {
    const m = fixtureJson('archive/metadata-fieldnet007.json');
    m.files.push({ name: '../../etc/passwd.mp3', source: 'original', format: 'VBR MP3' });
    delete m.metadata.creator;
    s.on('/metadata/fieldnet007', { json: m });
    const r = await list(s, 'archive:netlabels');
    const mine = r.failures.filter((f) => f.item.startsWith('archive:fieldnet007'));
    expect(mine.map((f) => f.error)).toEqual(['unsafe file name "../../etc/passwd.mp3"', 'no creator']);
    expect(r.tracks.filter((t) => t.key.startsWith('archive:fieldnet007'))).toEqual([]);
  });

  it('a search error object stops the listing with one line', async () => {
    s.on('/advancedsearch.php', { json: { error: 'Invalid query: unbalanced parentheses', responseHeader: { status: 400 } } });
    const r = await list(s, 'archive:netlabels');
    expect(r.failures).toEqual([{ item: 'archive:netlabels', error: expect.stringMatching(/Internet Archive error: Invalid query/) }]);
  });
});
