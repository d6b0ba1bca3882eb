import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { analyzeTrack, decodeAnalysedSignal } from '../../src/pipeline/analyze-track.js';
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from '../../src/pipeline/feature-options.js';

const tools = findFfmpeg();
let dir: string;
let jingle: string;
let tone: string;

function rms(y: Float32Array): number {
  let s = 0;
  for (const v of y) s += v * v;
  return Math.sqrt(s / Math.max(1, y.length));
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-analyze-'));
  jingle = path.join(dir, 'jingle.wav');
  tone = path.join(dir, 'tone.wav');
  // 20 s of sound, then 64 s of digital silence (a game's jingle padded to a fixed length)
  execFileSync(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=440:d=20:r=22050', '-af', 'apad=whole_dur=84', '-ac', '1', jingle]);
  execFileSync(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=330:d=50:r=22050', '-ac', '1', tone]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the analysed signal', () => {
  it('a short sound padded with a minute of silence: the excerpt is the sound, with or without the mfcc group', async () => {
    const noMfcc: FeatureOptions = { ...DEFAULT_FEATURE_OPTIONS, groups: ['chroma'] };
    for (const o of [DEFAULT_FEATURE_OPTIONS, noMfcc]) {
      const s = await decodeAnalysedSignal(tools.ffmpeg, jingle, 84, o);
      expect(s.silent).toBe(false);
      // trimming keeps the 20 s of sound (to a frame), and all of it is the excerpt
      expect(Math.abs(s.y.length / 22050 - 20)).toBeLessThan(0.1);
      expect(rms(s.y)).toBeGreaterThan(0.08); // lavfi sine: amplitude 1/8, rms 0.088
    }
  });

  it('a long file is decoded whole once and its excerpt cut from the centre of the trimmed track', async () => {
    const s = await decodeAnalysedSignal(tools.ffmpeg, tone, 50, DEFAULT_FEATURE_OPTIONS);
    expect(s.offset).toBe(0);
    expect(Math.abs(s.whole.length / 22050 - 50)).toBeLessThan(0.1);
    expect(s.y.length).toBe(30 * 22050);
    expect(Math.abs(s.start - Math.floor((s.whole.length - 30 * 22050) / 2) - s.trim[0])).toBe(0);
  });

  it('stores the librosa MFCC summary, the level-referenced similarity vectors and the block patterns', async () => {
    const r = await analyzeTrack(tools.ffmpeg, jingle, 84, { ...DEFAULT_FEATURE_OPTIONS, groups: ['mfcc'] });
    expect(Object.keys(r.features).sort()).toEqual(['block_patterns', 'mfcc', 'mfcc_summary', 'timbre_gauss', 'timbre_summary', 'timbre_windows']);
    const m = r.features.mfcc_summary.data;
    const t = r.features.timbre_summary.data;
    // same shape of sound, another reference: only the mean of coefficient 0 differs
    expect(t[0]).toBeLessThan(m[0]);
    expect(Array.from(t.subarray(1))).toEqual(Array.from(m.subarray(1)));
    expect(r.meta.silent).toBe(false);
  });
});
