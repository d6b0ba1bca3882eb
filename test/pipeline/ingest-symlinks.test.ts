/**
 * A music folder made of symbolic links ingests what the links point to: links to files and to
 * folders are followed; a folder reached twice (a loop, or two links to one folder) is walked
 * once; a dangling link is skipped. Skips are counted and named in the summary.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, yasr, yasrJson } from '../helpers/cli.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { synthTrack } from '../../src/demo/synth.js';

describe('ingest follows symbolic links', () => {
  const dir = tempDir();
  const store = path.join(dir, 'store');
  const music = path.join(dir, 'music');
  mkdirSync(path.join(store, 'album'), { recursive: true });
  mkdirSync(music);
  writeWav(path.join(store, 'one.wav'), synthTrack({ seconds: 3, bpm: 100, key: 0, mode: 'major', timbre: 'brass' }), 22050);
  writeWav(path.join(store, 'album', 'two.wav'), synthTrack({ seconds: 3, bpm: 130, key: 5, mode: 'minor', timbre: 'brass' }), 22050);
  symlinkSync(path.join(store, 'one.wav'), path.join(music, 'linked-file.wav'));
  symlinkSync(path.join(store, 'album'), path.join(music, 'linked-album'));
  symlinkSync(path.join(store, 'album'), path.join(music, 'same-album-again'));
  symlinkSync(music, path.join(music, 'loop'));
  symlinkSync(path.join(store, 'gone.wav'), path.join(music, 'dangling.wav'));

  it('a folder of links: both tracks added, the loop, the second link to a folder and the dangling link skipped with reasons', () => {
    const s = yasrJson(path.join(dir, 'y.db'), ['ingest', music]);
    expect(s.added).toBe(2);
    expect(s.failed).toBe(0);
    const reasons = Object.fromEntries(s.skipped.map((k: { source: string; reason: string }) => [path.basename(k.source), k.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['dangling.wav', 'loop', 'same-album-again']);
    expect(reasons['dangling.wav']).toMatch(/^dangling symbolic link \(ENOENT\)$/);
    expect(reasons.loop).toMatch(/^symbolic link to a folder already walked/);
  });

  it('the text summary counts the skips and says why', () => {
    const r = yasr(path.join(dir, 'y2.db'), ['ingest', music]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2 added');
    expect(r.stdout).toMatch(/3 skipped \((dangling symbolic link|symbolic link to a folder already walked); (dangling symbolic link|symbolic link to a folder already walked)\)/);
    expect(r.stderr).toContain(`skipped: ${path.join(music, 'dangling.wav')}: dangling symbolic link`);
  });
});
