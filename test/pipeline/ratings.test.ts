import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRateInput, csvField, exportRatings, listRatings, rate, resolveRatingQuery, RATING_COLUMNS } from '../../src/pipeline/ratings.js';
import { YasrError } from '../../src/errors.js';
import { shaOf, vectorCatalogue } from '../helpers/vector-catalogue.js';

/** A minimal RFC 4180 reader: enough to check that what exportRatings writes reads back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') (f += '"'), i++;
      else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(f), (f = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(f), rows.push(row), (row = []), (f = ''), i++;
    else f += c;
  }
  return rows;
}

const hostile = [
  { artist: 'Plain', title: 'Query', v: [1, 0] },
  { artist: 'Comma, "Quote" & Co', title: 'Line\nbreak\r\nsong', v: [0.9, 0.1] },
  { artist: '=HYPERLINK("http://evil")', title: ' padded ', v: [0.8, 0.2] },
  { artist: 'Ünïcødé ✓', title: '-M-', v: [0.7, 0.3] },
];

describe('rate and export', () => {
  it('stores a rating with the query, method, rank, session and time', () => {
    const db = vectorCatalogue(hostile);
    const r = rate(db, { query: { trackId: 1 }, trackId: 2, value: 'up', method: 'cosine', rank: 1, session: 's-1', at: '2026-11-29T10:00:00Z' });
    expect(r).toMatchObject({ queryTrackId: 1, querySha256: shaOf(1), trackId: 2, value: 1, method: 'cosine', rank: 1, session: 's-1', ratedAt: '2026-11-29T10:00:00.000Z', artist: hostile[1].artist });
    expect(rate(db, { query: { trackId: 1 }, trackId: 3, value: -1 })).toMatchObject({ value: -1, method: 'hybrid', rank: null, session: null });
    expect(rate(db, { query: { sha256: 'a'.repeat(64), label: 'song.mp3' }, trackId: 4, value: 'clear' })).toMatchObject({ queryTrackId: null, queryLabel: 'song.mp3', value: 0 });
    expect(listRatings(db)).toHaveLength(3);
    expect(listRatings(db, { session: 's-1' })).toHaveLength(1);
  });

  it('validates once, quoting the bad value', () => {
    const db = vectorCatalogue(hostile);
    const ok = { query: { trackId: 1 }, trackId: 2, value: 'up' as const };
    expect(() => rate(db, { ...ok, value: 'meh' as 'up' })).toThrow(/invalid value: "meh" \(expected up, down or clear\)/);
    expect(() => rate(db, { ...ok, method: 'spotify' })).toThrow(/invalid --method: "spotify"/);
    expect(() => rate(db, { ...ok, rank: 0 })).toThrow(/invalid --rank: 0/);
    expect(() => rate(db, { ...ok, rank: 1.5 })).toThrow(/--rank/);
    expect(() => rate(db, { ...ok, session: 'a\nb' })).toThrow(/invalid --session: "a\\nb"/);
    expect(() => rate(db, { ...ok, query: { sha256: 'XYZ' } })).toThrow(/invalid query: "XYZ"/);
    expect(() => rate(db, { ...ok, trackId: 1 })).toThrow(/other than the query/);
    expect(() => rate(db, { ...ok, at: 'yesterday' })).toThrow(/invalid at: "yesterday"/);
    try {
      rate(db, { ...ok, trackId: 99 });
      expect.unreachable();
    } catch (err) {
      expect((err as YasrError).code).toBe('NOT_FOUND');
    }
    expect(() => rate(db, { ...ok, query: { trackId: 77 } })).toThrow(/no query track #77/);
    expect(checkRateInput({ ...ok, value: 'down' }).value).toBe(-1);
    expect(listRatings(db)).toHaveLength(0);
  });

  it('a query that is a file outside the catalogue is known by its content hash', async () => {
    const db = vectorCatalogue(hostile);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-rate-'));
    const f = path.join(dir, 'outside.mp3');
    writeFileSync(f, 'not really audio');
    const q = await resolveRatingQuery(db, f);
    expect(q).toEqual({ sha256: createHash('sha256').update('not really audio').digest('hex'), label: 'outside.mp3' });
    expect(await resolveRatingQuery(db, 'Plain - Query')).toEqual({ trackId: 1 });
    await expect(resolveRatingQuery(db, path.join(dir, 'missing.mp3'))).rejects.toThrow(/no track matches/);
  });

  it('CSV: RFC 4180 quoting, CRLF, formulas defused; it reads back', () => {
    const db = vectorCatalogue(hostile);
    rate(db, { query: { trackId: 1 }, trackId: 2, value: 'up', method: 'cosine', rank: 1, session: 'a,b' });
    rate(db, { query: { trackId: 1 }, trackId: 3, value: 'down', method: 'cosine', rank: 2 });
    rate(db, { query: { sha256: 'b'.repeat(64), label: 'my "song".mp3' }, trackId: 4, value: 'up' });
    const csv = exportRatings(listRatings(db), 'csv');
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...RATING_COLUMNS]);
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r).toHaveLength(RATING_COLUMNS.length);
    const col = (r: string[], name: string) => r[RATING_COLUMNS.indexOf(name as (typeof RATING_COLUMNS)[number])];
    expect(col(rows[1], 'artist')).toBe(hostile[1].artist);
    expect(col(rows[1], 'title')).toBe(hostile[1].title);
    expect(col(rows[1], 'session')).toBe('a,b');
    expect(col(rows[1], 'query_artist')).toBe('Plain');
    expect(col(rows[1], 'value')).toBe('1');
    expect(col(rows[2], 'artist')).toBe(`'${hostile[2].artist}`); // a formula is shown, never run
    expect(col(rows[2], 'title')).toBe(' padded ');
    expect(col(rows[2], 'value')).toBe('-1'); // numbers stay numbers
    expect(col(rows[3], 'query_track_id')).toBe('');
    expect(col(rows[3], 'query_title')).toBe('my "song".mp3');
    expect(col(rows[3], 'title')).toBe("'-M-");
    const json = JSON.parse(exportRatings(listRatings(db), 'json'));
    expect(json).toHaveLength(3);
    expect(json[0].artist).toBe(hostile[1].artist);
    expect(csvField(null)).toBe('');
    expect(csvField('a"b')).toBe('"a""b"');
    expect(() => exportRatings([], 'xml' as 'csv')).toThrow(/invalid format: "xml"/);
  });
});
