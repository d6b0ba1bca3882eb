/**
 * Spectral shape statistics: the per-frame values (spectralFrame) against hand-worked frames and a
 * plain implementation of librosa's definitions, and the means over sounding frames.
 */
import { describe, expect, it } from 'vitest';
import {
  binFrequencies, spectralFrame, spectralFramesFor, spectralFramesOf, spectralMeans, spectralMeansOfFrames,
} from '../../../src/dsp/descriptors/spectral.js';
import type { Matrix } from '../../../src/dsp/matrix.js';

/** A [nBins, T] matrix from frames given as columns. */
function fromFrames(frames: number[][]): Matrix {
  const nBins = frames[0].length;
  const T = frames.length;
  const data = new Float32Array(nBins * T);
  frames.forEach((f, t) => f.forEach((v, k) => (data[k * T + t] = v)));
  return { rows: nBins, cols: T, data };
}

/** librosa's definitions, written plainly (float64, logs of every bin). */
function plainFrame(mag: number[], sr: number): { energy: number; centroid: number; rolloff: number; flatness: number } {
  const nFft = 2 * (mag.length - 1);
  const f = (k: number) => (k * sr) / nFft;
  const total = mag.reduce((a, v) => a + v, 0);
  const energy = mag.reduce((a, v) => a + v * v, 0);
  const centroid = total > 0 ? mag.reduce((a, v, k) => a + f(k) * v, 0) / total : 0;
  const p = mag.map((v) => Math.max(1e-10, v * v));
  const flatness = Math.exp(p.reduce((a, v) => a + Math.log(v), 0) / p.length) / (p.reduce((a, v) => a + v, 0) / p.length);
  let cum = 0;
  let rolloff = f(mag.length - 1);
  for (let k = 0; k < mag.length; k++) {
    cum += mag[k];
    if (cum >= 0.85 * total) { rolloff = f(k); break; }
  }
  return { energy, centroid, rolloff, flatness };
}

describe('spectralFrame', () => {
  it('a hand-worked frame: |X| = [1, 2, 1] at sr 4 (bins at 0, 1, 2 Hz)', () => {
    const out = spectralFramesFor(4, 1);
    spectralFrame(Float32Array.of(1, 2, 1), 0, 1, 3, binFrequencies(4, 3), 0.85, out, 0);
    expect(out.energy[0]).toBe(6);
    expect(out.centroid[0]).toBe(1); // (0 * 1 + 1 * 2 + 2 * 1) / 4
    expect(out.rolloff[0]).toBe(2); // cumulative 1, 3, 4 reaches 0.85 * 4 = 3.4 at bin 2
    expect(out.flatness[0]).toBeCloseTo(Math.cbrt(4) / 2, 14); // geometric mean of 1, 4, 1 over their mean 2
  });

  it('a strided column and a frame of its own give the same values', () => {
    const m = fromFrames([[0.5, 1, 0, 3, 2], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]]);
    const strided = spectralFramesOf(m, { sr: 8 });
    const own = spectralFramesFor(8, 3);
    const freqs = binFrequencies(8, 5);
    for (let t = 0; t < 3; t++) {
      const col = Float32Array.from({ length: 5 }, (_, k) => m.data[k * 3 + t]);
      spectralFrame(col, 0, 1, 5, freqs, 0.85, own, t);
    }
    expect(own).toEqual(strided);
    // white (flat) frame: flatness 1, centroid in the middle; silent frame: centroid 0
    expect(strided.flatness[1]).toBeCloseTo(1, 14);
    expect(strided.centroid[1]).toBeCloseTo(2, 14);
    expect(strided.centroid[2]).toBe(0);
  });

  it('agrees with the plain definitions on random frames of 1025 bins (products of 8 powers, logs of each)', () => {
    let s = 7;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
    const frames = Array.from({ length: 6 }, (_, t) =>
      Array.from({ length: 1025 }, (_, k) => (t === 5 && k % 3 === 0 ? 0 : Math.fround(Math.exp(8 * rnd() - 6) / (1 + k / 50)))));
    const got = spectralFramesOf(fromFrames(frames), { sr: 22050 });
    frames.forEach((f, t) => {
      const want = plainFrame(f, 22050);
      expect(got.energy[t]).toBeCloseTo(want.energy, 9);
      expect(got.centroid[t]).toBeCloseTo(want.centroid, 8);
      expect(got.rolloff[t]).toBe(want.rolloff);
      expect(Math.abs(got.flatness[t] - want.flatness) / want.flatness).toBeLessThan(1e-12);
    });
  });
});

describe('spectral means', () => {
  it('average the frames within 60 dB of the loudest (energy), and equal spectralMeans', () => {
    // loud frame, frame 50 dB down (kept), frame 70 dB down (dropped), silent frame (dropped)
    const g = (db: number) => Math.pow(10, db / 20);
    const m = fromFrames([[1, 2, 1], [g(-50), 2 * g(-50), g(-50)], [0, 0, g(-70) * Math.sqrt(6)], [0, 0, 0]]);
    const f = spectralFramesOf(m, { sr: 4 });
    const r = spectralMeansOfFrames(f);
    expect(r.frames).toBe(2);
    expect(r.centroid).toBeCloseTo((f.centroid[0] + f.centroid[1]) / 2, 12);
    expect(r.centroid).toBeCloseTo(1, 6);
    expect(r.rolloff).toBe(2);
    expect(spectralMeans(m, { sr: 4 })).toEqual(r);
    expect(spectralMeansOfFrames(f, { topDb: 80 }).frames).toBe(3);
  });

  it('silence and no frames read zeros', () => {
    const zero = { centroid: 0, rolloff: 0, flatness: 0, frames: 0 };
    expect(spectralMeans(fromFrames([[0, 0, 0], [0, 0, 0]]))).toEqual(zero);
    expect(spectralMeans({ rows: 1025, cols: 0, data: new Float32Array(0) })).toEqual(zero);
    expect(spectralMeansOfFrames(spectralFramesFor(2048, 0))).toEqual(zero);
  });
});
