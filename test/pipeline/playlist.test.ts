import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { m3u, pathBetween, playable, type PlaylistEntry } from '../../src/pipeline/playlist.js';
import { addLike } from '../../src/store/likes.js';
import { vectorCatalogue } from '../helpers/vector-catalogue.js';

const e = (over: Partial<PlaylistEntry>): PlaylistEntry => ({ artist: 'A', title: 'T', duration: 30.4, localPath: null, audioUrl: null, ...over });

describe('m3u', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-m3u-'));
  const file = path.join(dir, 'a.flac');
  writeFileSync(file, 'x');

  it('#EXTM3U, #EXTINF with seconds, one line per entry, control characters stripped', () => {
    const text = m3u(
      [
        e({ localPath: file, artist: 'Tab\tArtist', title: 'Line\r\n#EXTINF:0,injected\nhttp://evil/' }),
        e({ audioUrl: 'https://cdn.example/p.mp3', duration: null }),
        e({ title: 'nothing to play' }),
        e({ localPath: '#odd.mp3' }),
      ],
      { title: 'my\nlist' },
    );
    const lines = text.trimEnd().split('\n');
    expect(text.endsWith('\n')).toBe(true);
    expect(lines).toEqual([
      '#EXTM3U',
      '#PLAYLIST:my list',
      '#EXTINF:30,Tab Artist - Line #EXTINF:0,injected http://evil/',
      file,
      '#EXTINF:-1,A - T',
      'https://cdn.example/p.mp3',
      '#EXTINF:30,A - T',
      './#odd.mp3',
    ]);
    expect(m3u([])).toBe('#EXTM3U\n');
  });

  it('local files first; with urls the catalogue audio URL wins; only http(s) URLs', () => {
    expect(playable(e({ localPath: file, audioUrl: 'https://x/a.mp3' }))).toBe(file);
    expect(playable(e({ localPath: file, audioUrl: 'https://x/a.mp3' }), true)).toBe('https://x/a.mp3');
    expect(playable(e({ localPath: '/gone.mp3', audioUrl: 'https://x/a.mp3' }))).toBe('https://x/a.mp3');
    expect(playable(e({ localPath: '/gone.mp3', audioUrl: 'javascript:alert(1)' }))).toBe('/gone.mp3');
    expect(playable(e({ localPath: file }), true)).toBe(file);
  });
});

describe('pathBetween', () => {
  // points on a quarter circle from (1, 0) to (0, 1), shuffled, and two off the way
  const angles = [0, 90, 45, 10, 80, 30, 60, 20, 70, 50, 40];
  const rows = angles.map((deg, i) => ({ artist: `Artist ${i}`, title: `${deg} degrees`, v: [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0], duration: 100 + i }));
  rows.push({ artist: 'Off', title: 'z', v: [0.5, 0.5, 0.9], duration: 1 }, { artist: 'Off2', title: 'neg', v: [-1, 0, 0], duration: 1 });
  const cos = { method: 'cosine' as const, standardize: 'none' as const, windows: 'none' };
  const deg = (t: { title: string | null }) => Number(t.title!.split(' ')[0]);

  it('interpolates: the nearest unused track to each point on the way, with each step\'s similarity', () => {
    const db = vectorCatalogue(rows);
    const r = pathBetween(db, 1, 2, 9, cos);
    // points (1 - t, t) lie at atan(t / (1 - t)) = 7, 16, 27, 39, 51, 63, 74, 83 degrees; each takes the nearest unused track
    expect(r.steps.map(deg)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(r.steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.steps[0].score).toBeNull();
    expect(r.steps[1].score).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 5);
    expect(r.steps[1].t).toBeCloseTo(1 / 9, 12);
    expect(r.scoreKind).toBe('similarity');
    expect(new Set(r.steps.map((s) => s.trackId)).size).toBe(10);
    const short = pathBetween(db, 1, 2, 2, cos);
    expect(short.steps.map(deg)).toEqual([0, 45, 90]);
    expect(pathBetween(db, 1, 2, 1, cos).steps.map(deg)).toEqual([0, 90]);
    // the M3U of a path
    expect(m3u(short.steps).split('\n').filter((l) => l.startsWith('#EXTINF'))).toEqual(['#EXTINF:100,Artist 0 - 0 degrees', '#EXTINF:102,Artist 2 - 45 degrees', '#EXTINF:101,Artist 1 - 90 degrees']);
  });

  it('leaves out your own files; validates steps and ends', () => {
    const db = vectorCatalogue(rows);
    addLike(db, 3, 'file'); // the 45-degree track
    expect(pathBetween(db, 1, 2, 2, cos).steps.map(deg)).not.toContain(45);
    expect(() => pathBetween(db, 1, 2, 0, cos)).toThrow(/invalid --steps: 0/);
    expect(() => pathBetween(db, 1, 2, 2.5, cos)).toThrow(/invalid --steps: 2.5/);
    expect(() => pathBetween(db, 1, 2, 13, cos)).toThrow(/invalid --steps: 13 \(expected at most 12/);
    expect(() => pathBetween(db, 1, 1, 3, cos)).toThrow(/invalid to: 1/);
    expect(() => pathBetween(db, 1, 99, 3, cos)).toThrow(/no track #99/);
    expect(() => pathBetween(db, 1, 2, 3, { method: 'dtw' })).toThrow(/invalid --method: "dtw"/);
    expect(() => pathBetween(db, 1, 2, 12, cos)).toThrow(/fewer --steps/); // 11 usable, one liked file
  });
});
