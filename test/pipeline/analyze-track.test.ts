import { meanSupervector } from '../../src/dsp/gmm.js';
import { timbreUbm } from '../../src/dsp/timbre-ubm.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { analyzeTrack, decodeAnalysedSignal, MFCC_WINDOW_HOP_SECONDS, MFCC_WINDOW_SECONDS, type StageTimes } from '../../src/pipeline/analyze-track.js';
import { DEFAULT_FEATURE_OPTIONS, FEATURE_GROUPS, type FeatureOptions } from '../../src/pipeline/feature-options.js';
import { describeSignal } from '../../src/pipeline/describe.js';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import { bandLimitedMfcc, levelReferencedMfccOfMaxima, levelReferencedWindowsOfMaxima, similarityBands } from '../../src/dsp/level-reference.js';
import { fitGaussian } from '../../src/similarity/gaussian.js';
import { withDeltas } from '../../src/dsp/delta.js';
import { summaryVector } from '../../src/dsp/summary.js';
import { blockPatternVector } from '../../src/dsp/block-level.js';
import { synthTrack } from '../../src/demo/synth.js';
import { writeWav } from '../../src/interop/wav-write.js';
import type { Matrix } from '../../src/dsp/matrix.js';

const tools = findFfmpeg();
let dir: string;
let jingle: string;
let tone: string;
let song: string;

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
  // 48 s of changing music (two synthesised parts), quiet at the start: trimmed, then cut
  song = path.join(dir, 'song.wav');
  const a = synthTrack({ seconds: 24, bpm: 96, key: 7, mode: 'major', timbre: 'organ' });
  const b = synthTrack({ seconds: 24, bpm: 132, key: 1, mode: 'minor', timbre: 'pluck' });
  const y = new Float32Array(a.length + b.length + 22050);
  y.set(a.map((v, i) => (i < 44100 ? v * 0.01 : v)), 22050);
  y.set(b, 22050 + a.length);
  writeWav(song, y, 22050);
});

function same(a: Matrix, b: Matrix): boolean {
  const bytes = (m: Matrix) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  return a.rows === b.rows && a.cols === b.cols && bytes(a).equals(bytes(b));
}
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

  it('stores the librosa MFCC summary, the level-referenced band-limited similarity vectors and the block patterns', async () => {
    const r = await analyzeTrack(tools.ffmpeg, jingle, 84, { ...DEFAULT_FEATURE_OPTIONS, groups: ['mfcc'] });
    expect(Object.keys(r.features).sort()).toEqual(['block_patterns', 'mfcc', 'mfcc_summary', 'timbre_gauss', 'timbre_gauss_delta', 'timbre_summary', 'timbre_windows']);
    const m = r.features.mfcc_summary.data;
    const t = r.features.timbre_summary.data;
    // same sound, another reference and fewer bands (124 of 128): the level moves coefficient 0's
    // mean, the bands every coefficient a little (the exact values: the next test)
    expect(t.length).toBe(m.length);
    expect(t[0]).toBeLessThan(m[0] - 100);
    expect(Math.abs(t[1] - m[1])).toBeGreaterThan(0);
    expect(Math.abs(t[1] - m[1])).toBeLessThan(0.2 * Math.abs(m[1]) + 5);
    expect(r.meta.silent).toBe(false);
  });

  it('timbre_windows and descriptors are exactly those of the full analyses they replace (whole track, |STFT| route)', async () => {
    const o: FeatureOptions = { ...DEFAULT_FEATURE_OPTIONS, groups: [...FEATURE_GROUPS] };
    let ticks = 0;
    const times: StageTimes = { ms: {}, clock: () => ++ticks }; // each stage read: 1 tick
    const r = await analyzeTrack(tools.ffmpeg, song, 48, o, describeSignal, times);
    const s = await decodeAnalysedSignal(tools.ffmpeg, song, 48, o);
    expect(s.whole.length).toBeGreaterThan(s.y.length); // the windows need their own pass
    // before: analyzeSignal over the whole trimmed track, windows from its mel dB matrix's bands
    // up to SIMILARITY_MAX_HZ (124 of 128)
    const bands = similarityBands({ sr: 22050, nMels: 128 });
    expect(bands).toBe(124);
    const whole = analyzeSignal(s.whole);
    const wl = bandLimitedMfcc(whole.mel_db, bands, 20);
    const frames = (sec: number) => Math.round((sec * 22050) / 512);
    expect(same(r.features.timbre_windows, levelReferencedWindowsOfMaxima(wl.mfcc, wl.maxima, bands, frames(MFCC_WINDOW_SECONDS), frames(MFCC_WINDOW_HOP_SECONDS)))).toBe(true);
    // timbre_gauss: the Gaussian of every frame of the whole trimmed track (not the excerpt's), referenced to its loudest cell
    const g = fitGaussian(levelReferencedMfccOfMaxima(wl.mfcc, wl.maxima, bands).data, 20, whole.mfcc.cols);
    expect(Array.from(r.features.timbre_gauss.data)).toEqual(Array.from(g));
    // timbre_gauss_delta: the Gaussian of the same frames with their deltas (+-2 frames) below them
    const lr = levelReferencedMfccOfMaxima(wl.mfcc, wl.maxima, bands);
    const gd = fitGaussian(withDeltas(lr, 2).data, 40, whole.mfcc.cols);
    expect(gd.length).toBe(40 + (40 * 41) / 2);
    expect(Array.from(r.features.timbre_gauss_delta.data)).toEqual(Array.from(gd));
    // timbre_sv (the supervector group, one of FEATURE_GROUPS, not a default): the same frames'
    // mean supervector against the shipped UBM (relevance 4)
    expect(Array.from(r.features.timbre_sv.data)).toEqual(Array.from(meanSupervector(timbreUbm(), withDeltas(lr, 2), 4)));
    expect(r.features.timbre_sv.data.length).toBe(64 * 40);
    // its mean's first half is the MFCCs' mean (timbre_gauss's); its second the mean delta, which
    // telescopes to about (last frame - first frame) / (2 T): small
    expect(Array.from(gd.subarray(0, 20))).toEqual(Array.from(g.subarray(0, 20)));
    for (let k = 20; k < 40; k++) expect(Math.abs(gd[k])).toBeLessThan(1);
    const ex = analyzeSignal(s.y);
    const xl = bandLimitedMfcc(ex.mel_db, bands, 20);
    const gx = fitGaussian(levelReferencedMfccOfMaxima(xl.mfcc, xl.maxima, bands).data, 20, ex.mfcc.cols);
    expect(Math.max(...Array.from(g, (v, k) => Math.abs(v - gx[k])))).toBeGreaterThan(0.1);
    // block_patterns: those of the whole trimmed track's mel power (features version 9), not the excerpt's
    const wm = analyzeSignal(s.whole, { keepMel: true }).mel!;
    expect(same(r.features.block_patterns, blockPatternVector(wm))).toBe(true);
    expect(same(r.features.block_patterns, blockPatternVector(analyzeSignal(s.y, { keepMel: true }).mel!))).toBe(false);
    // timbre_summary stays the excerpt's
    expect(same(r.features.timbre_summary, { rows: 1, cols: 40, data: summaryVector(levelReferencedMfccOfMaxima(xl.mfcc, xl.maxima, bands)) })).toBe(true);
    // before: the descriptors from |STFT| of the excerpt
    const a = analyzeSignal(s.y, { keepStft: true });
    const d = describeSignal(s.y, { sr: 22050, stftMag: a.stft_mag, melDb: a.mel_db, chroma: a.chroma });
    expect(r.meta.descriptors).toEqual(d.record);
    expect(Array.from(r.features.descriptors.data)).toEqual(Array.from(d.vector));
    for (const k of ['mfcc', 'mel_db', 'chroma', 'rms', 'centroid', 'zcr'] as const) expect(same(r.features[k], a[k]), k).toBe(true);
    // every stage was timed
    expect(Object.keys(times.ms).sort()).toEqual(['analysis', 'blocks', 'decode', 'descriptors', 'summaries', 'trim', 'windows']);
    // summaries is read twice (after the mfcc group's summaries, and after the others)
    expect(times.ms).toEqual({ decode: 1, trim: 1, analysis: 1, summaries: 2, windows: 1, blocks: 1, descriptors: 1 });
  });
});
