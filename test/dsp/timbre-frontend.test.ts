import { describe, expect, it } from 'vitest';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import { LIBROSA_FRONTEND, timbreMfcc, type TimbreFrontEnd } from '../../src/dsp/timbre-frontend.js';
import { synthTrack } from '../../src/demo/synth.js';

const y = synthTrack({ seconds: 6, bpm: 110, key: 2, mode: 'minor', timbre: 'brass' });
const r = analyzeSignal(y, { keepMel: true });
const mel = r.mel!;

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('timbre front-end', () => {
  it("librosa's settings give librosa's MFCC", () => {
    const m = timbreMfcc(mel, LIBROSA_FRONTEND);
    expect([m.rows, m.cols]).toEqual([r.mfcc.rows, r.mfcc.cols]);
    expect(maxDiff(m.data, r.mfcc.data)).toBeLessThan(1e-3);
  });

  it('a reference from the track makes it level-invariant: 6 dB louder gives the same coefficients', () => {
    const cfg: TimbreFrontEnd = { ...LIBROSA_FRONTEND, ref: 'p95', floorDb: 50 };
    const louder = { ...mel, data: mel.data.map((v) => v * 10 ** 0.6) };
    expect(maxDiff(timbreMfcc(mel, cfg).data, timbreMfcc(louder, cfg).data)).toBeLessThan(1e-3);
    // with librosa's absolute reference, MFCC 0 moves by 6 dB * sqrt(128)
    const a = timbreMfcc(mel, LIBROSA_FRONTEND);
    const b = timbreMfcc(louder, LIBROSA_FRONTEND);
    expect(b.data[0] - a.data[0]).toBeCloseTo(6 * Math.sqrt(128), 1);
  });

  it('quiet frames are left out; band limits and dropping c0 shape the output', () => {
    const T = mel.cols;
    const quiet = { ...mel, data: Float32Array.from(mel.data) };
    for (let b = 0; b < mel.rows; b++) for (let t = 0; t < 20; t++) quiet.data[b * T + t] *= 1e-6; // 60 dB down
    const m = timbreMfcc(quiet, { ...LIBROSA_FRONTEND, ref: 'p95', quietDb: 30 });
    expect(m.cols).toBe(T - 20);
    const n = timbreMfcc(mel, { ...LIBROSA_FRONTEND, minHz: 40, maxHz: 8000, dropC0: true, nMfcc: 12 });
    expect([n.rows, n.cols]).toEqual([12, T]);
    expect(() => timbreMfcc(mel, { ...LIBROSA_FRONTEND, minHz: 5000, maxHz: 5001 })).toThrow(/at least 2 mel bands/);
    expect(() => timbreMfcc(mel, { ...LIBROSA_FRONTEND, floorDb: 0 })).toThrow(/floorDb/);
  });
});
