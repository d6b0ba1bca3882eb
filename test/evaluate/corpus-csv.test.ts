import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsvObjects, readManifest, readVariants } from '../../src/evaluate/corpus-csv.js';
import { YasrError } from '../../src/errors.js';

describe('parseCsvObjects', () => {
  it('reads quoted commas, doubled quotes and line breaks into objects by header', () => {
    expect(parseCsvObjects('\ufeffk,v\r\n1,"a,b"\n2,"say ""hi"""\n\n3,"two\nlines"\n')).toEqual([
      { k: '1', v: 'a,b' },
      { k: '2', v: 'say "hi"' },
      { k: '3', v: 'two\nlines' },
    ]);
  });

  it('rejects, naming the line, an unterminated quote, text after a closing quote and a record of another width', () => {
    expect(() => parseCsvObjects('k,v\n1,"open\n')).toThrow(/CSV line 2: unterminated quoted field/);
    expect(() => parseCsvObjects('k,v\n1,x\n"a"b,c\n')).toThrow(/CSV line 3: unexpected "b" after a quoted field/);
    expect(() => parseCsvObjects('k,v\n1\n')).toThrow(/CSV line 2 has 1 fields, the header has 2/);
    expect(() => parseCsvObjects('k\n1\n', ['v'])).toThrow(/missing column "v"/);
    expect(() => parseCsvObjects('')).toThrow(YasrError);
  });
});

describe('readManifest / readVariants', () => {
  it('reads the corpus file formats', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-eval-'));
    const m = path.join(dir, 'manifest.csv');
    writeFileSync(
      m,
      'path,artist,title,album,release_date,popularity\n' +
        '/c/a.ogg,"Doe, Jane","The ""Best"" Song",Game,2001-02-03,42\n',
    );
    expect(readManifest(m)).toEqual([
      { path: '/c/a.ogg', artist: 'Doe, Jane', title: 'The "Best" Song', album: 'Game', releaseDate: '2001-02-03', popularity: 42 },
    ]);
    const v = path.join(dir, 'variants.csv');
    writeFileSync(v, 'path,original_path,kind\n/v/0.mp3,/c/a.ogg,reencode\n');
    expect(readVariants(v)).toEqual([{ path: '/v/0.mp3', originalPath: '/c/a.ogg', kind: 'reencode' }]);
  });
});

// Integrity of the real corpus, when benchmarks/corpus/build.sh has been run on this machine.
const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../benchmarks/corpus/out');
const HAVE_CORPUS = existsSync(path.join(OUT, 'manifest.csv')) && existsSync(path.join(OUT, 'variants.csv'));
if (!HAVE_CORPUS) console.warn(`skipping corpus integrity checks: run benchmarks/corpus/build.sh to create ${OUT}`);

(HAVE_CORPUS ? describe : describe.skip)('built corpus (benchmarks/corpus/out)', () => {
  it('has well-formed manifest and variants whose originals are in the manifest', () => {
    const rows = readManifest(path.join(OUT, 'manifest.csv'));
    expect(rows.length).toBeGreaterThan(0);
    const paths = new Set(rows.map((r) => r.path));
    expect(paths.size).toBe(rows.length);
    for (const r of rows) {
      expect(r.album).not.toBe('');
      expect(r.artist).not.toBe('');
      expect(r.releaseDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isInteger(r.popularity) && r.popularity >= 0 && r.popularity <= 100).toBe(true);
    }
    for (const v of readVariants(path.join(OUT, 'variants.csv'))) {
      expect(paths.has(v.originalPath)).toBe(true);
      expect(['reencode', 'trim5s']).toContain(v.kind);
    }
  });

  const FRESH = path.join(OUT, 'manifest-fresh.csv');
  (existsSync(FRESH) ? it : it.skip)('has a fresh part that shares no file and no game with the main part', () => {
    const main = readManifest(path.join(OUT, 'manifest.csv'));
    const fresh = readManifest(FRESH);
    expect(fresh.length).toBeGreaterThan(0);
    const mainPaths = new Set(main.map((r) => r.path));
    const mainAlbums = new Set(main.map((r) => r.album));
    for (const r of fresh) {
      expect(mainPaths.has(r.path), r.path).toBe(false);
      expect(mainAlbums.has(r.album), r.album).toBe(false);
      expect(r.artist).not.toBe('');
    }
    const sha = (f: string) => new Set(readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { sha256: string }).sha256));
    const mainSha = sha(path.join(OUT, 'tracks.jsonl'));
    for (const h of sha(path.join(OUT, 'tracks-fresh.jsonl'))) expect(mainSha.has(h)).toBe(false);
  });
});

describe('benchmarks/corpus/corpus-tool.mjs manifest --part', () => {
  it('writes manifest-NAME.csv and drops files byte-identical to one of the main part', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'yasr-corpus-part-'));
    const file = (rel: string, bytes: string) => {
      mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
      writeFileSync(path.join(out, rel), bytes);
      return rel;
    };
    const rec = (rel: string, sha256: string, artist: string) =>
      JSON.stringify({ rel, pkg: 'fresh-game', album: 'Fresh Game', duration: 60, codec: 'vorbis', sha256, tags: { artist, title: '', album: '', date: '' } });
    mkdirSync(path.join(out, 'state'));
    // the main part: one track (sha "same")
    writeFileSync(path.join(out, 'tracks.jsonl'), JSON.stringify({ rel: 'audio/old/a.ogg', sha256: 'same' }) + '\n');
    writeFileSync(path.join(out, 'manifest.csv'), 'path,artist,title,album,release_date,popularity\n');
    const dup = file('audio/fresh-game/copy.ogg', 'x');
    const own = file('audio/fresh-game/new_song.ogg', 'y');
    writeFileSync(path.join(out, 'state', 'fresh-game.jsonl'), `${rec(dup, 'same', 'A')}\n${rec(own, 'other', '<Unknown>')}\n`);
    const tool = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../benchmarks/corpus/corpus-tool.mjs');
    const r = spawnSync(process.execPath, [tool, 'manifest', '--out', out, '--pkgs', 'fresh-game', '--part', 'fresh'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/manifest-fresh: 1 tracks \(1 byte-identical duplicates dropped\)/);
    const rows = readManifest(path.join(out, 'manifest-fresh.csv'));
    expect(rows.map((x) => [x.path, x.artist, x.title, x.album])).toEqual([[path.join(out, own), 'Fresh Game composer', 'new song', 'Fresh Game']]);
    expect(existsSync(path.join(out, dup))).toBe(false);
    // the main part's files are not touched
    expect(readFileSync(path.join(out, 'manifest.csv'), 'utf8')).toBe('path,artist,title,album,release_date,popularity\n');
    const bad = spawnSync(process.execPath, [tool, 'manifest', '--out', out, '--pkgs', 'fresh-game', '--part', '../x'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--part: expected letters, digits or '-', got '\.\.\/x'/);
  });
});

