/**
 * The one-pass analysis's optional outputs: the descriptors' per-frame spectral statistics
 * (`spectralFrames`) and the reduced pass for the similarity windows (analyzeTimbre). Both must
 * give exactly the values the full pass and |STFT| give, with either kernel.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSignal, analyzeTimbre } from '../../src/dsp/analyze.js';
import { spectralFramesOf } from '../../src/dsp/descriptors/spectral.js';
import { bandLimitedMfcc, frameMaxima } from '../../src/dsp/level-reference.js';
import { synthTrack } from '../../src/demo/synth.js';
import type { Matrix } from '../../src/dsp/matrix.js';

const KERNELS = ['wasm', 'js'] as const;

/** The same numbers, bit for bit (faster than a deep toEqual on large typed arrays). */
function bytes(a: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } | undefined): Buffer {
  return a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.alloc(0);
}
function expectSame(a: Matrix | undefined, b: Matrix | undefined, what: string): void {
  expect([a?.rows, a?.cols], what).toEqual([b?.rows, b?.cols]);
  expect(bytes(a?.data).equals(bytes(b?.data)), what).toBe(true);
}

function sine(f: number, seconds: number, amp = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * 22050) }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / 22050));
}

/** Music, then silence, then a quiet tone: frames of every kind (sounding, floor-clipped, silent). */
function mixed(): Float32Array {
  const a = synthTrack({ seconds: 4, bpm: 120, key: 2, mode: 'minor', timbre: 'pluck' });
  const y = new Float32Array(a.length + 22050 + 22050);
  y.set(a, 0);
  y.set(sine(3000, 1, 1e-4), a.length + 22050);
  return y;
}

describe('spectral frames in the one pass', () => {
  it('equal spectralFramesOf(stft_mag) exactly, with either kernel, and change nothing else', () => {
    for (const y of [mixed(), sine(440, 0.3), new Float32Array(22050), new Float32Array(0)]) {
      for (const kernel of KERNELS) {
        const withMag = analyzeSignal(y, { kernel, keepStft: true });
        const withFrames = analyzeSignal(y, { kernel, spectralFrames: true });
        expect(withFrames.stft_mag).toBeUndefined();
        expect(withFrames.spectral_frames).toEqual(spectralFramesOf(withMag.stft_mag!, { sr: 22050 }));
        for (const k of ['mel_db', 'mfcc', 'chroma', 'rms', 'centroid', 'zcr'] as const) expectSame(withFrames[k], withMag[k], `${kernel} ${k}`);
        // both at once: the same |STFT| and the same frames
        const both = analyzeSignal(y, { kernel, keepStft: true, spectralFrames: true });
        expectSame(both.stft_mag, withMag.stft_mag, `${kernel} stft_mag`);
        expect(both.spectral_frames).toEqual(withFrames.spectral_frames);
      }
    }
  });

  it('read a sine at its frequency (centroid, roll-off) with near-zero flatness', () => {
    const f = analyzeSignal(sine(1000, 2), { spectralFrames: true }).spectral_frames!;
    const mid = 40;
    expect(Math.abs(f.centroid[mid] - 1000)).toBeLessThan(30);
    expect(Math.abs(f.rolloff[mid] - 1000)).toBeLessThan(25); // within 2 bins of 10.8 Hz
    expect(f.flatness[mid]).toBeLessThan(0.01);
    // energy is sum |X|^2: a sine twice as loud has four times the energy
    const g = analyzeSignal(sine(1000, 2, 1), { spectralFrames: true }).spectral_frames!;
    expect(g.energy[mid] / f.energy[mid]).toBeCloseTo(4, 5);
  });
});

describe('analyzeTimbre', () => {
  it('gives analyzeSignal\'s MFCCs and the frame maxima of its mel dB exactly, with either kernel', () => {
    for (const y of [mixed(), sine(220, 0.2), new Float32Array(5000)]) {
      for (const kernel of KERNELS) {
        const full = analyzeSignal(y, { kernel });
        const t = analyzeTimbre(y, { kernel });
        expectSame(t.mfcc, full.mfcc, `${kernel} mfcc`);
        expect(bytes(t.frameMaxDb).equals(bytes(frameMaxima(full.mel_db)))).toBe(true);
        expect(t.bands).toBe(128);
      }
    }
  });

  it('honours other parameter sets and checks its input like analyzeSignal', () => {
    const y = mixed().subarray(0, 30000);
    const o = { sr: 16000, nFft: 1024, hopLength: 256, nMels: 40, nMfcc: 13 };
    const t = analyzeTimbre(y, o);
    const full = analyzeSignal(y, o);
    expect([t.mfcc.rows, t.mfcc.cols, t.bands]).toEqual([13, full.mfcc.cols, 40]);
    expect(t.mfcc).toEqual(full.mfcc);
    expect(t.frameMaxDb).toEqual(frameMaxima(full.mel_db));
    const bad = Float32Array.of(0, NaN, 0);
    expect(() => analyzeTimbre(bad)).toThrow(/sample 1 is not finite/);
    expect(() => analyzeTimbre(y, { nMfcc: 200 })).toThrow(/nMfcc/);
  });
});

describe('analyzeTimbre with fewer bands', () => {
  it('gives bandLimitedMfcc of analyzeSignal\'s mel_db exactly, with either kernel', () => {
    for (const y of [mixed(), sine(220, 0.2), new Float32Array(5000)]) {
      for (const kernel of KERNELS) {
        const full = analyzeSignal(y, { kernel });
        const t = analyzeTimbre(y, { kernel, bands: 124 });
        const want = bandLimitedMfcc(full.mel_db, 124, 20);
        expectSame(t.mfcc, want.mfcc, `${kernel} mfcc`);
        expect(bytes(t.frameMaxDb).equals(bytes(want.maxima))).toBe(true);
        expect(t.bands).toBe(124);
        expect(t.mel).toBeUndefined();
        // keepMel: analyzeSignal's mel power, every band, to the bit
        const withMel = analyzeTimbre(y, { kernel, bands: 124, keepMel: true });
        expectSame(withMel.mel!, analyzeSignal(y, { kernel, keepMel: true }).mel!, `${kernel} mel`);
        expectSame(withMel.mfcc, want.mfcc, `${kernel} mfcc with the mel kept`);
      }
    }
    expect(() => analyzeTimbre(sine(220, 0.1), { bands: 129 })).toThrow(/bands/);
    expect(() => analyzeTimbre(sine(220, 0.1), { bands: 19 })).toThrow(/bands/);
  });
});
