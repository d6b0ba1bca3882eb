import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { YasrError } from '../../src/errors.js';
import {
  downloadQuery,
  parseManifest,
  parseManifestFile,
  parsePopularity,
  parseReleaseDate,
  readManifest,
  type ManifestResult,
} from '../../src/ingest/manifest.js';
import { cleanText, isPathTraversal } from '../../src/ingest/safe-text.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-manifest-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE = '/music/lists';
const csv = (text: string, requireArtist = false): ManifestResult =>
  parseManifest(text, { format: 'csv', baseDir: BASE, requireArtist });
const jsonl = (text: string, requireArtist = false): ManifestResult =>
  parseManifest(text, { format: 'jsonl', baseDir: BASE, requireArtist });
const errorsOf = (r: ManifestResult) => r.errors.filter((e) => e.level === 'error');

function write(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

describe('manifest CSV', () => {
  it('reads all columns, case-insensitive headers and resolves relative paths', () => {
    const r = csv(
      'PATH,Artist,TITLE,Album,Release_Date,Popularity\n' +
        'songs/a.mp3,Nina Simone,Feeling Good,I Put a Spell on You,1965-06,71\n' +
        '/abs/b.flac,,,,,\n',
    );
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([
      {
        line: 2,
        path: path.resolve(BASE, 'songs/a.mp3'),
        artist: 'Nina Simone',
        title: 'Feeling Good',
        album: 'I Put a Spell on You',
        releaseDate: '1965-06',
        popularity: 71,
      },
      { line: 3, path: '/abs/b.flac' },
    ]);
  });

  it('accepts releaseDate / "Release Date" spellings and url and query rows', () => {
    const r = csv('url,query,releaseDate\nhttps://example.com/x.mp3,,2001\n,Daft Punk - Veridis Quo,\n');
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([
      { line: 2, url: 'https://example.com/x.mp3', releaseDate: '2001' },
      { line: 3, query: 'Daft Punk - Veridis Quo' },
    ]);
    expect(csv('path,Release Date\na.mp3,2020-01-01\n').rows[0].releaseDate).toBe('2020-01-01');
  });

  it('keeps quoted fields with commas, quotes and line breaks (line numbers follow the physical lines)', () => {
    const r = csv('path,title,artist\n"a, b.mp3","He said ""yes""","Multi\nLine"\nc.mp3,x,y\n');
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ line: 2, path: path.resolve(BASE, 'a, b.mp3'), title: 'He said "yes"', artist: 'Multi Line' });
    expect(r.rows[1].line).toBe(4);
  });

  it('rejects a row with more fields than the header (an unquoted comma)', () => {
    const r = csv('path,title\na.mp3,Hello, World\nb.mp3,ok\n');
    expect(errorsOf(r)).toEqual([{ line: 2, level: 'error', message: expect.stringMatching(/3 fields but the header has 2/) }]);
    expect(r.rows.map((x) => x.line)).toEqual([3]);
  });

  it('warns once about unknown columns', () => {
    const r = csv('path,genre\na.mp3,jazz\n');
    expect(r.rows).toHaveLength(1);
    expect(r.errors).toEqual([{ line: 1, level: 'warning', message: expect.stringMatching(/unknown column "genre" ignored/) }]);
  });

  it('throws BAD_INPUT without a header row', () => {
    expect(() => csv('a.mp3,Nina Simone,Feeling Good\n')).toThrow(YasrError);
    expect(() => csv('Nina Simone,Feeling Good\n')).toThrow(/line 1 is not a header row/);
    // Known column names, but the first row names a file: data, not a header.
    expect(() => csv('a.mp3,Artist,Title\n')).toThrow(/not a header row/);
    expect(() => csv('https://x.org/a,Artist\n')).toThrow(/not a header row/);
    expect(() => csv('')).toThrow(/empty manifest/);
    expect(() => csv('path,title,PATH\n')).toThrow(/appears twice/);
  });

  it('an unterminated quote is a line error, earlier rows survive', () => {
    const r = csv('path,title\na.mp3,ok\nb.mp3,"oops\nc.mp3,x\n');
    expect(r.rows.map((x) => x.line)).toEqual([2]);
    expect(errorsOf(r)).toEqual([{ line: 3, level: 'error', message: expect.stringMatching(/unterminated/) }]);
  });
});

describe('manifest validation rules', () => {
  it.each([
    ['2024-13-01'],
    ['2024-02-30'],
    ['2023-02-29'],
    ['1900-02-29'],
    ['yesterday'],
    ['2024-1-5'],
    ['24'],
    ['0999'],
    ['2024-00'],
    ['2024-04-31'],
  ])('rejects release_date %s with its line number', (d) => {
    const r = csv(`path,release_date\nok.mp3,2000\nbad.mp3,${d}\n`);
    expect(r.rows.map((x) => x.line)).toEqual([2]);
    expect(errorsOf(r)).toEqual([
      { line: 3, level: 'error', message: `release_date ${JSON.stringify(d)} is not a valid date (expected YYYY, YYYY-MM or YYYY-MM-DD)` },
    ]);
  });

  it('accepts real dates including leap days', () => {
    for (const d of ['2024-02-29', '2000-02-29', '1999-12-31', '1965', '1965-06']) expect(parseReleaseDate(d)).toBe(d);
  });

  it.each([
    ['101', /out of range/],
    ['-1', /out of range/],
    ['42.5', /not an integer/],
    ['abc', /not a number/],
    ['1e2', /not an integer/],
  ])('rejects popularity %s', (p, why) => {
    const r = csv(`path,popularity\nbad.mp3,${p}\n`);
    expect(r.rows).toEqual([]);
    expect(errorsOf(r)[0]).toMatchObject({ line: 2, message: expect.stringMatching(why) });
  });

  it('accepts popularity 0, 100, " 42 " and "42.0" (pandas float export)', () => {
    expect(csv('path,popularity\na,0\nb,100\nc, 42 \nd,42.0\n').rows.map((r) => r.popularity)).toEqual([0, 100, 42, 42]);
    expect(parsePopularity(7)).toBe(7);
    expect(parsePopularity(7.5)).toMatchObject({ problem: expect.stringMatching(/not an integer/) });
    expect(parsePopularity(true)).toMatchObject({ problem: expect.stringMatching(/must be a number/) });
  });

  it.each([
    ['ftp://example.com/a.mp3', /is not http\(s\) \(scheme "ftp"\)/],
    ['file:///etc/passwd', /is not http\(s\)/],
    ['javascript:alert(1)', /is not http\(s\)/],
    ['not a url', /is not a valid URL/],
    ['//example.com/a.mp3', /is not a valid URL/],
  ])('rejects url %s', (u, why) => {
    const r = csv(`url\n${u}\n`);
    expect(r.rows).toEqual([]);
    expect(errorsOf(r)[0]).toMatchObject({ line: 2, message: expect.stringMatching(why) });
  });

  it('rejects a row with none of path, url, query', () => {
    const r = csv('path,url,query,artist,album\n,,,Someone,Some Album\n,,,,\n');
    expect(r.rows).toEqual([]);
    // An all-empty row is a row too (only truly blank lines are skipped).
    expect(errorsOf(r).map((e) => e.line)).toEqual([2, 3]);
    expect(errorsOf(r)[0].message).toMatch(/nothing to fetch/);
  });

  it('artist + title without query is a downloader row searched as "artist - title"', () => {
    const r = csv('artist,title\nBoards of Canada,Roygbiv\n');
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toEqual({ line: 2, artist: 'Boards of Canada', title: 'Roygbiv' });
    expect(downloadQuery(r.rows[0])).toBe('Boards of Canada - Roygbiv');
  });

  it('rejects path-traversal names where the name becomes a file name', () => {
    const r = csv(
      'query,artist,title\n' +
        '../../etc/passwd,,\n' +
        '/etc/passwd,,\n' +
        '..\\..\\windows\\system32,,\n' +
        ',..,../../etc/passwd\n' +
        '"AC/DC - Highway to Hell",,\n' +
        '... And Justice for All,,\n',
    );
    expect(errorsOf(r).map((e) => e.line)).toEqual([2, 3, 4, 5]);
    for (const e of errorsOf(r)) expect(e.message).toMatch(/path traversal/);
    expect(r.rows.map((x) => x.query)).toEqual(['AC/DC - Highway to Hell', '... And Justice for All']);
  });

  it('a relative path with .. is the user\'s own file path, resolved against the manifest folder', () => {
    const r = csv('path\n../shared/a.mp3\n');
    expect(r.rows[0].path).toBe(path.resolve(BASE, '../shared/a.mp3'));
  });

  it('rejects a URL given as a path', () => {
    expect(errorsOf(csv('path\nhttps://x.org/a.mp3\n'))[0].message).toMatch(/is a URL \(put it in the url column\)/);
  });

  it('duplicate rows (same path or url) are skipped with a warning naming the first line', () => {
    const r = csv(
      'path,url,query\n' +
        'a.mp3,,\n' +
        ',https://x.org/1.mp3,\n' +
        './a.mp3,,\n' + // same file as line 2
        ',https://x.org/1.mp3,\n' +
        ',,Artist - Song\n' +
        ',,artist - song\n',
    );
    expect(r.rows.map((x) => x.line)).toEqual([2, 3, 6]);
    expect(r.errors).toEqual([
      { line: 4, level: 'warning', message: 'duplicate of line 2' },
      { line: 5, level: 'warning', message: 'duplicate of line 3' },
      { line: 7, level: 'warning', message: 'duplicate of line 6' },
    ]);
  });

  it('keeps SQL quotes, emoji, Japanese and Cyrillic text verbatim (trimmed)', () => {
    const r = csv(
      'path,artist,title,album\n' +
        `a.mp3,"  Robert'); DROP TABLE tracks;--  ",坂本龍一 — 戦場のメリークリスマス,Кино 🎸🔥\n` +
        `b.mp3,"O'Brien ""The Kid""",Ünïcödé ñ,👩‍👩‍👧 family\n`,
    );
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({
      artist: "Robert'); DROP TABLE tracks;--",
      title: '坂本龍一 — 戦場のメリークリスマス',
      album: 'Кино 🎸🔥',
    });
    expect(r.rows[1]).toMatchObject({ artist: 'O\'Brien "The Kid"', title: 'Ünïcödé ñ', album: '👩‍👩‍👧 family' });
  });

  it('strips control characters from text fields', () => {
    const r = jsonl(JSON.stringify({ path: 'a.mp3', title: 'Bell\u0007 \u001b[31mred\tsong\u0000\n ', artist: '\u0085x' }));
    expect(r.rows[0]).toMatchObject({ title: 'Bell [31mred song', artist: 'x' });
    expect(cleanText(' \u0001 ')).toBeUndefined();
  });

  it('a missing artist is allowed unless requireArtist', () => {
    const text = 'path,artist\na.mp3,\nb.mp3,Someone\n';
    expect(csv(text).rows).toHaveLength(2);
    const strict = csv(text, true);
    expect(strict.rows.map((x) => x.line)).toEqual([3]);
    expect(strict.errors).toEqual([{ line: 2, level: 'error', message: 'missing artist (an artist is required)' }]);
  });

  it('reports all problems of a row in one entry', () => {
    const r = csv('url,release_date,popularity\nftp://x/y,2024-13-01,500\n');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0].message.split('; ')).toHaveLength(3);
  });
});

describe('manifest JSONL', () => {
  it('reads objects, ignores blank lines, reports malformed lines and continues', () => {
    const r = jsonl(
      [
        '{"path":"a.mp3","artist":"A","popularity":12,"release_date":"2010-05-06"}',
        '',
        '{"url":"https://x.org/b.mp3", "Title": "B"',
        '   ',
        '[1,2]',
        '{"Query":"Radiohead - Reckoner","releaseDate":2007}',
        '"just a string"',
        '{"path":"c.mp3","popularity":"high"}',
      ].join('\n'),
    );
    expect(r.rows).toEqual([
      { line: 1, path: path.resolve(BASE, 'a.mp3'), artist: 'A', popularity: 12, releaseDate: '2010-05-06' },
      { line: 6, query: 'Radiohead - Reckoner', releaseDate: '2007' },
    ]);
    expect(errorsOf(r).map((e) => [e.line, e.message.split(':')[0]])).toEqual([
      [3, 'malformed JSON'],
      [5, 'expected a JSON object, got an array'],
      [7, 'expected a JSON object, got string'],
      [8, 'popularity "high" is not a number (expected an integer 0..100)'],
    ]);
  });

  it('null values count as absent; objects as text are rejected', () => {
    const r = jsonl('{"path":"a.mp3","artist":null,"popularity":null}\n{"path":"b.mp3","title":{"x":1}}\n');
    expect(r.rows).toEqual([{ line: 1, path: path.resolve(BASE, 'a.mp3') }]);
    expect(errorsOf(r)[0]).toMatchObject({ line: 2, message: 'title must be text, got object' });
  });

  it('handles a BOM and CRLF, and applies the same rules (traversal, duplicates, dates)', () => {
    const r = jsonl(
      '\uFEFF{"query":"../../etc/passwd"}\r\n{"path":"x.mp3"}\r\n{"path":"x.mp3"}\r\n{"path":"y.mp3","release_date":"2024-02-30"}\r\n',
    );
    expect(r.rows.map((x) => x.line)).toEqual([2]);
    expect(r.errors.map((e) => [e.line, e.level])).toEqual([
      [1, 'error'],
      [3, 'warning'],
      [4, 'error'],
    ]);
  });

  it('keys named like Object.prototype members are just unknown keys', () => {
    const r = jsonl('{"path":"a.mp3","constructor":"x","__proto__":{"title":"evil"},"toString":1}\n');
    expect(r.rows).toEqual([{ line: 1, path: path.resolve(BASE, 'a.mp3') }]);
    expect(r.errors.every((e) => e.level === 'warning')).toBe(true);
    expect(csv('path,constructor\na.mp3,x\n').rows).toEqual([{ line: 2, path: path.resolve(BASE, 'a.mp3') }]);
  });

  it('warns once per unknown key', () => {
    const r = jsonl('{"path":"a.mp3","bpm":120}\n{"path":"b.mp3","bpm":90}\n');
    expect(r.errors).toEqual([{ line: 1, level: 'warning', message: expect.stringMatching(/unknown key "bpm"/) }]);
  });
});

describe('manifest files', () => {
  it('resolves relative paths against the manifest folder', async () => {
    const file = write('sub/list.csv', 'path,title\nmusic/a.mp3,A\n');
    const r = parseManifestFile(file);
    expect(r.rows[0].path).toBe(path.join(dir, 'sub', 'music', 'a.mp3'));
    expect(await readManifest(file)).toEqual(r);
  });

  it('reads .jsonl and .ndjson', () => {
    expect(parseManifestFile(write('l.jsonl', '{"path":"a.mp3"}\n')).rows).toHaveLength(1);
    expect(parseManifestFile(write('l.ndjson', '{"path":"a.mp3"}\n')).rows).toHaveLength(1);
  });

  it('reads UTF-16 (Excel "Unicode text") with its BOM', () => {
    const text = 'path,artist\na.mp3,Кино\n';
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(parseManifestFile(write('u16.csv', buf)).rows[0].artist).toBe('Кино');
  });

  it('throws BAD_INPUT "<file>: reason" when the manifest cannot be read at all', async () => {
    const missing = path.join(dir, 'nope.csv');
    expect(() => parseManifestFile(missing)).toThrow(`${missing}: no such file`);
    await expect(readManifest(missing)).rejects.toMatchObject({ code: 'BAD_INPUT', message: `${missing}: no such file` });
    const folder = path.join(dir, 'folder.csv');
    mkdirSync(folder, { recursive: true });
    expect(() => parseManifestFile(folder)).toThrow(`${folder}: is a folder, not a file`);
    const txt = write('list.txt', 'path\na.mp3\n');
    expect(() => parseManifestFile(txt)).toThrow(/unsupported manifest type ".txt"/);
    const latin1 = write('latin1.csv', Buffer.from([0x70, 0x61, 0x74, 0x68, 0x0a, 0xe9, 0x0a]));
    expect(() => parseManifestFile(latin1)).toThrow(/not valid UTF-8/);
    try {
      parseManifestFile(write('noheader.csv', 'a.mp3\n'));
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'BAD_INPUT' });
      expect((err as Error).message.startsWith(path.join(dir, 'noheader.csv'))).toBe(true);
    }
  });
});

describe('isPathTraversal', () => {
  it('flags names that leave the folder and nothing else', () => {
    for (const bad of ['../x', '..', 'a/../../b', '..\\x', '/etc/passwd', '\\\\server\\share', 'C:\\x', '~/x', '~root/x', 'a\u0000b', ' .. /x', '.../x']) {
      expect(isPathTraversal(bad), bad).toBe(true);
    }
    for (const ok of ['AC/DC - Back in Black', 'a..b', '...And Justice', 'Mr. Big', '~ambient mix', 'A: Song', 'x/y/z']) {
      expect(isPathTraversal(ok), ok).toBe(false);
    }
  });
});
