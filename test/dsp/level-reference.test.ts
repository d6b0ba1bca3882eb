import { describe, expect, it } from 'vitest';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import {
  SIMILARITY_MAX_HZ, bandLimitedMfcc, frameMaxima, levelReferencedMfcc, levelReferencedMfccOfMaxima, levelReferencedWindows, levelReferencedWindowsOfMaxima, similarityBands,
} from '../../src/dsp/level-reference.js';
import { LIBROSA_FRONTEND, timbreMfcc } from '../../src/dsp/timbre-frontend.js';
import { summaryVector, windowStarts, windowSummaries } from '../../src/dsp/summary.js';
import type { Matrix } from '../../src/dsp/matrix.js';
import { synthTrack } from '../../src/demo/synth.js';

const y = synthTrack({ seconds: 8, bpm: 100, key: 4, mode: 'major', timbre: 'brass' });
const r = analyzeSignal(y, { keepMel: true });

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Columns [from, to) of a matrix. */
function cols(m: Matrix, from: number, to: number): Matrix {
  const n = to - from;
  const data = new Float32Array(m.rows * n);
  for (let i = 0; i < m.rows; i++) data.set(m.data.subarray(i * m.cols + from, i * m.cols + to), i * n);
  return { rows: m.rows, cols: n, data };
}

describe('level-referenced MFCCs', () => {
  it('equal MFCCs computed from the mel power with the loudest cell as reference (the study front-end)', () => {
    const got = levelReferencedMfcc(r.mfcc, r.mel_db);
    const want = timbreMfcc(r.mel!, { ...LIBROSA_FRONTEND, ref: 'max' });
    expect([got.rows, got.cols]).toEqual([want.rows, want.cols]);
    expect(maxDiff(got.data, want.data)).toBeLessThan(2e-3);
  });

  it('only coefficient 0 moves, by sqrt(n_mels) times the loudest cell in dB', () => {
    const got = levelReferencedMfcc(r.mfcc, r.mel_db);
    let loudest = -Infinity;
    for (const v of r.mel_db.data) loudest = Math.max(loudest, v);
    const T = r.mfcc.cols;
    for (const t of [0, 7, T - 1]) expect(got.data[t]).toBeCloseTo(r.mfcc.data[t] - Math.sqrt(128) * loudest, 2);
    expect(maxDiff(got.data.subarray(T), r.mfcc.data.subarray(T))).toBe(0);
  });

  it('a copy 6 dB louder or 6 dB quieter has the same coefficients (librosa moves MFCC 0 by 6 dB * sqrt(128))', () => {
    const base = levelReferencedMfcc(r.mfcc, r.mel_db);
    for (const gain of [2, 0.5]) {
      const a = analyzeSignal(y.map((v) => v * gain));
      expect(Math.abs(a.mfcc.data[3] - r.mfcc.data[3])).toBeCloseTo(20 * Math.log10(2) * Math.sqrt(128), 0);
      expect(maxDiff(levelReferencedMfcc(a.mfcc, a.mel_db).data, base.data)).toBeLessThan(0.05);
    }
  });

  it('silence stays finite', () => {
    const a = analyzeSignal(new Float32Array(22050));
    const m = levelReferencedMfcc(a.mfcc, a.mel_db);
    expect(m.data.every(Number.isFinite)).toBe(true);
    const w = levelReferencedWindows(a.mfcc, a.mel_db, 10, 5);
    expect(w.data.every(Number.isFinite)).toBe(true);
  });

  it('each window is referenced to its own loudest cell: the summary of that stretch analysed alone', () => {
    // second half 20 dB quieter: its window's reference is 20 dB lower
    const z = Float32Array.from(y, (v, i) => (i < y.length / 2 ? v : v * 0.1));
    const a = analyzeSignal(z);
    const win = 100;
    const hop = 60;
    const w = levelReferencedWindows(a.mfcc, a.mel_db, win, hop);
    const plain = windowSummaries(a.mfcc, win, hop);
    expect([w.rows, w.cols]).toEqual([plain.rows, plain.cols]);
    const maxima = frameMaxima(a.mel_db);
    const starts = windowStarts(a.mfcc.cols, win, hop);
    expect(starts.length).toBeGreaterThan(2);
    for (let k = 0; k < w.rows; k++) {
      const s = starts[k];
      const alone = summaryVector(levelReferencedMfcc(cols(a.mfcc, s, s + win), cols(a.mel_db, s, s + win)));
      expect(maxDiff(w.data.subarray(k * w.cols, (k + 1) * w.cols), alone)).toBeLessThan(1e-3);
      // and only the mean of coefficient 0 differs from the plain window summary
      let ref = -Infinity;
      for (let t = s; t < s + win; t++) ref = Math.max(ref, maxima[t]);
      expect(w.data[k * w.cols]).toBeCloseTo(plain.data[k * w.cols] - Math.sqrt(128) * ref, 2);
      expect(maxDiff(w.data.subarray(k * w.cols + 1, (k + 1) * w.cols), plain.data.subarray(k * w.cols + 1, (k + 1) * w.cols))).toBe(0);
    }
    // the quiet half's last window sits about 20 dB lower in absolute terms, not after referencing
    const last = (w.rows - 1) * w.cols;
    expect(Math.abs(w.data[last] - w.data[0])).toBeLessThan(Math.abs(plain.data[last] - plain.data[0]));
  });

  it('from the frame maxima alone (what analyzeTimbre gives) the windows are the same', () => {
    const a = analyzeSignal(y);
    for (const [win, hop] of [[100, 60], [40, 40], [1000, 10]]) {
      expect(levelReferencedWindowsOfMaxima(a.mfcc, frameMaxima(a.mel_db), 128, win, hop)).toEqual(levelReferencedWindows(a.mfcc, a.mel_db, win, hop));
    }
    expect(() => levelReferencedWindowsOfMaxima(a.mfcc, new Float64Array(3), 128, 10, 5)).toThrow(/frame maxima/);
  });
});

describe('band-limited similarity MFCCs', () => {
  it('similarityBands counts the lowest bands whose centre lies at or below the limit', () => {
    // librosa.mel_frequencies(130, fmax=11025)[1:129]: centres 9652 Hz (band 124) and 9912 Hz (band 125)
    expect(similarityBands({ sr: 22050, nMels: 128 })).toBe(124);
    expect(similarityBands({ sr: 22050, nMels: 128 }, 9652)).toBe(124);
    expect(similarityBands({ sr: 22050, nMels: 128 }, 9651)).toBe(123);
    expect(similarityBands({ sr: 22050, nMels: 128 }, 20000)).toBe(128);
    // a low sample rate keeps every band (its top is below the limit)
    expect(similarityBands({ sr: 16000, nMels: 40 })).toBe(40);
    expect(similarityBands({ sr: 22050, nMels: 128, min: 20 }, 10)).toBe(20);
    expect(() => similarityBands({ sr: 22050, nMels: 128 }, 0)).toThrow(/maxHz/);
  });

  it('with every band they are librosa\'s MFCCs, and the maxima frameMaxima', () => {
    const b = bandLimitedMfcc(r.mel_db, 128, 20);
    expect(maxDiff(b.mfcc.data, r.mfcc.data)).toBeLessThan(2e-3);
    expect(b.maxima).toEqual(frameMaxima(r.mel_db));
    expect(() => bandLimitedMfcc(r.mel_db, 129, 20)).toThrow(/bands/);
    expect(() => bandLimitedMfcc(r.mel_db, 10, 20)).toThrow(/bands/);
  });

  it('level-referenced, they are the study front-end with the band limit (ref max, floor 80, bands up to SIMILARITY_MAX_HZ)', () => {
    const bands = similarityBands({ sr: 22050, nMels: 128 });
    const b = bandLimitedMfcc(r.mel_db, bands, 20);
    const got = levelReferencedMfccOfMaxima(b.mfcc, b.maxima, bands);
    const want = timbreMfcc(r.mel!, { ...LIBROSA_FRONTEND, ref: 'max', maxHz: SIMILARITY_MAX_HZ });
    expect(maxDiff(got.data, want.data)).toBeLessThan(2e-3);
  });

  it('a copy without what lies above 10 kHz (an encoder\'s low-pass at 22,050 Hz) keeps them; librosa\'s MFCCs move', () => {
    // the music plus a bright component at 10.5 kHz, faded in and out over 0.2 s (a sudden start
    // or end would splash across the spectrum in the first or last frames): the copy lacks it
    const fade = (i: number) => Math.min(1, i / 4410, (y.length - i) / 4410);
    const bright = Float32Array.from(y, (v, i) => v + 0.05 * fade(i) * Math.sin((2 * Math.PI * 10500 * i) / 22050) * (1 + Math.sin((2 * Math.PI * 3 * i) / 22050)));
    const a = analyzeSignal(bright);
    const c = analyzeSignal(y);
    const bands = similarityBands({ sr: 22050, nMels: 128 });
    const ref = (x: typeof a) => {
      const b = bandLimitedMfcc(x.mel_db, bands, 20);
      return levelReferencedMfccOfMaxima(b.mfcc, b.maxima, bands).data;
    };
    expect(maxDiff(ref(a), ref(c))).toBeLessThan(0.05);
    expect(maxDiff(levelReferencedMfcc(a.mfcc, a.mel_db).data, levelReferencedMfcc(c.mfcc, c.mel_db).data)).toBeGreaterThan(5);
  });
});
