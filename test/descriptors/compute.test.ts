/**
 * computeDescriptors as a whole: edge cases stay finite, precomputed stages give the same result,
 * spectral statistics, energy ordering, descriptorVector and DESCRIPTOR_DOCS.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWav } from '../../src/interop/wav.js';
import { stftMagnitude } from '../../src/dsp/stft.js';
import { melSpectrogram, powerToDb } from '../../src/dsp/mel.js';
import { chromaFromPower } from '../../src/dsp/chroma.js';
import type { Matrix } from '../../src/dsp/matrix.js';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import {
  computeDescriptors, descriptorVector, fifthsPosition, spectralMeans, DESCRIPTOR_DOCS,
  DESCRIPTOR_VECTOR_DOCS, DESCRIPTOR_VECTOR_NAMES, type Descriptors,
} from '../../src/dsp/descriptors/index.js';
import { cadence, drumTrack, noiseSource, sine } from './synth.js';
import { REFERENCE, referenceSuite } from './reference.js';

const NUMERIC: (keyof Descriptors)[] = [
  'tempo', 'tempoConfidence', 'keyConfidence', 'loudness', 'energy', 'danceability', 'spectralCentroid',
  'spectralRolloff', 'spectralFlatness', 'onsetRate', 'dynamicRange', 'duration',
];
const UNIT: (keyof Descriptors)[] = ['tempoConfidence', 'keyConfidence', 'energy', 'danceability', 'spectralFlatness'];

function expectSane(d: Descriptors): void {
  for (const k of NUMERIC) expect(Number.isFinite(d[k]), `${k} = ${d[k]}`).toBe(true);
  for (const k of UNIT) {
    expect(d[k] as number).toBeGreaterThanOrEqual(0);
    expect(d[k] as number).toBeLessThanOrEqual(1);
  }
  expect(d.loudness).toBeGreaterThanOrEqual(-70);
  const v = descriptorVector(d);
  expect(v.length).toBe(DESCRIPTOR_VECTOR_NAMES.length);
  for (const x of v) expect(Number.isFinite(x)).toBe(true);
}

function squared(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: m.data.map((v) => v * v) };
}

describe('edge cases', () => {
  it('silence: documented floor values', () => {
    const d = computeDescriptors(new Float32Array(22050 * 2));
    expectSane(d);
    expect(d).toEqual({
      tempo: 0, tempoConfidence: 0, key: 'C', mode: 'major', keyConfidence: 0, loudness: -70, energy: 0,
      danceability: 0, spectralCentroid: 0, spectralRolloff: 0, spectralFlatness: 0, onsetRate: 0,
      dynamicRange: 0, duration: 2,
    });
    expect(Array.from(descriptorVector(d)).slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
  });

  it('empty input, a 0.2 s clip, a 2048-sample clip and non-finite samples stay finite', () => {
    expectSane(computeDescriptors(new Float32Array(0)));
    const short = computeDescriptors(sine(440, -6, 0.2));
    expectSane(short);
    expect(short.tempo).toBe(0);
    expect(short.duration).toBeCloseTo(0.2, 6);
    expectSane(computeDescriptors(sine(440, -6, 2048 / 22050)));
    const bad = sine(440, -6, 1);
    bad[100] = NaN;
    bad[200] = Infinity;
    expectSane(computeDescriptors(bad));
  });

  it('rejects bad parameters with the value quoted', () => {
    expect(() => computeDescriptors(new Float32Array(10), { sr: 0 })).toThrow(/sr.*0/);
    expect(() => computeDescriptors([1, 2] as unknown as Float32Array)).toThrow(/Float32Array/);
    expect(() => computeDescriptors(new Float32Array(10), { chroma: { rows: 11, cols: 1, data: new Float32Array(11) } }))
      .toThrow(/11/);
  });
});

describe('precomputed stages', () => {
  it('give exactly the result computed from them (stftMag + melPower + chroma, or melDb)', () => {
    const y = drumTrack(110, 6);
    const tonal = cadence(2, 'minor', 6);
    for (let i = 0; i < y.length; i++) y[i] += tonal[i];
    const mag = stftMagnitude(y);
    const power = squared(mag);
    const melPower = melSpectrogram(power);
    const chroma = chromaFromPower(power);
    const fromMag = computeDescriptors(y, { stftMag: mag }); // mel and chroma derived from the given |STFT|
    expect(computeDescriptors(y, { stftMag: mag, melPower, chroma })).toEqual(fromMag);
    expect(computeDescriptors(y, { stftMag: mag, melDb: powerToDb(melPower), chroma })).toEqual(fromMag);
    expectSane(fromMag);
    // without stages, computeDescriptors runs analyzeSignal (one pass; float32 rounding may differ
    // from the separate functions in the last digits): descriptors must not move visibly
    const direct = computeDescriptors(y);
    for (const k of NUMERIC) expect(direct[k] as number).toBeCloseTo(fromMag[k] as number, 3);
    expect([direct.key, direct.mode]).toEqual([fromMag.key, fromMag.mode]);
  });

  it('from analyzeSignal (the pipeline route) equal the computation without stages', () => {
    const y = drumTrack(100, 6);
    const a = analyzeSignal(y, { keepStft: true });
    expect(computeDescriptors(y, { stftMag: a.stft_mag, melDb: a.mel_db, chroma: a.chroma })).toEqual(computeDescriptors(y));
  });

  it('per-frame spectral statistics from the one pass (no |STFT|) give exactly the |STFT| route\'s result', () => {
    const y = drumTrack(125, 5);
    const tonal = cadence(9, 'major', 5);
    for (let i = 0; i < y.length; i++) y[i] += tonal[i];
    for (const kernel of ['wasm', 'js'] as const) {
      const a = analyzeSignal(y, { kernel, keepStft: true, spectralFrames: true });
      const viaMag = computeDescriptors(y, { stftMag: a.stft_mag, melDb: a.mel_db, chroma: a.chroma });
      expect(computeDescriptors(y, { spectralFrames: a.spectral_frames, melDb: a.mel_db, chroma: a.chroma })).toEqual(viaMag);
      expect(computeDescriptors(y, { stftMag: a.stft_mag, spectralFrames: a.spectral_frames, melDb: a.mel_db, chroma: a.chroma })).toEqual(viaMag);
      expect(spectralMeans(a.stft_mag!).centroid).toBe(viaMag.spectralCentroid);
    }
    // frames alone: mel and chroma are derived from a new |STFT| (stftMagnitude), as with stftMag
    // alone; the spectral means stay the one pass's (stftMagnitude rounds |X| differently in the
    // last float32 digits, hence the tolerance there)
    const f = analyzeSignal(y, { spectralFrames: true }).spectral_frames;
    const alone = computeDescriptors(y, { spectralFrames: f });
    const fromMag = computeDescriptors(y, { stftMag: stftMagnitude(y) });
    for (const k of ['tempo', 'tempoConfidence', 'key', 'mode', 'keyConfidence', 'loudness', 'onsetRate', 'dynamicRange'] as const) {
      expect(alone[k], k).toBe(fromMag[k]);
    }
    for (const k of ['spectralCentroid', 'spectralRolloff', 'spectralFlatness', 'energy'] as const) {
      expect(Math.abs(alone[k] - fromMag[k]) / fromMag[k], k).toBeLessThan(1e-6);
    }
  });

  it('rejects spectral statistics of another shape, naming them', () => {
    const y = sine(440, -6, 1);
    const a = analyzeSignal(y, { keepStft: true, spectralFrames: true });
    const f = a.spectral_frames!;
    expect(() => computeDescriptors(y, { spectralFrames: { ...f, rolloff: new Float64Array(3) } })).toThrow(/spectralFrames/);
    expect(() => computeDescriptors(y, { spectralFrames: { ...f, nFft: 1024 }, stftMag: a.stft_mag })).toThrow(/spectralFrames.*stftMag/);
  });
});

describe('spectral statistics', () => {
  it('a sine: centroid and roll-off at its frequency, flatness ~0; white noise: flatness high', () => {
    const s = computeDescriptors(sine(1000, -6, 3));
    expect(Math.abs(s.spectralCentroid - 1000)).toBeLessThan(30); // Hann leakage is symmetric about the peak
    expect(Math.abs(s.spectralRolloff - 1000)).toBeLessThan(25); // within 2 bins (10.8 Hz each)
    expect(s.spectralFlatness).toBeLessThan(0.01);
    const rnd = noiseSource(5);
    const n = computeDescriptors(Float32Array.from({ length: 22050 * 3 }, () => 0.3 * rnd()));
    expect(n.spectralFlatness).toBeGreaterThan(0.5); // white noise: ~0.56 (exp(-gamma) for chi-square 2 dof)
    expect(Math.abs(n.spectralCentroid - 5512.5)).toBeLessThan(150); // half of Nyquist
    expect(Math.abs(n.spectralRolloff - 0.85 * 11025)).toBeLessThan(200);
  });

  it('ignores frames more than 60 dB below the loudest', () => {
    const y = new Float32Array(22050 * 4);
    y.set(sine(2000, -6, 2), 22050); // silence, tone, silence
    const m = spectralMeans(stftMagnitude(y));
    expect(Math.abs(m.centroid - 2000)).toBeLessThan(40);
    expect(m.frames).toBeLessThan(100); // ~2 s of 172 frames
  });
});

describe('energy', () => {
  it('grows with level and with activity', () => {
    const tonal = cadence(0, 'major', 8);
    const quiet = computeDescriptors(tonal.map((v) => v * 0.05));
    const calm = computeDescriptors(tonal);
    const busy = computeDescriptors(drumTrack(140, 8).map((v, i) => v + tonal[i]));
    expect(quiet.energy).toBeLessThan(calm.energy);
    expect(calm.energy).toBeLessThan(busy.energy);
    expect(busy.energy).toBeGreaterThan(0.5);
  });
});

describe('descriptorVector', () => {
  const base: Descriptors = {
    tempo: 120, tempoConfidence: 1, key: 'C', mode: 'major', keyConfidence: 1, loudness: -14, energy: 0.5,
    danceability: 0.5, spectralCentroid: 2000, spectralRolloff: 4000, spectralFlatness: 0.1, onsetRate: 3,
    dynamicRange: 5, duration: 30,
  };
  it('has the documented names, one doc each', () => {
    expect(DESCRIPTOR_VECTOR_NAMES.length).toBe(14);
    expect(Object.keys(DESCRIPTOR_VECTOR_DOCS).sort()).toEqual([...DESCRIPTOR_VECTOR_NAMES].sort());
    const v = descriptorVector(base);
    expect(v[DESCRIPTOR_VECTOR_NAMES.indexOf('tempo_log2')]).toBe(0);
    expect(v[DESCRIPTOR_VECTOR_NAMES.indexOf('mode')]).toBe(1);
    expect(v[DESCRIPTOR_VECTOR_NAMES.indexOf('loudness')]).toBeCloseTo(56 / 70, 12);
    expect(descriptorVector({ ...base, tempo: 60, tempoConfidence: 0.5 })[0]).toBeCloseTo(-0.5, 12);
  });

  it('places keys on the circle of fifths; a minor key at its relative major; weights by confidence', () => {
    const keyXY = (key: Descriptors['key'], mode: Descriptors['mode'], c = 1) => {
      const v = descriptorVector({ ...base, key, mode, keyConfidence: c });
      return [v[2], v[3]];
    };
    const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
    expect(fifthsPosition('G', 'major')).toBe(1);
    expect(fifthsPosition('A', 'minor')).toBe(0);
    expect(dist(keyXY('C', 'major'), keyXY('A', 'minor'))).toBeCloseTo(0, 12);
    expect(dist(keyXY('C', 'major'), keyXY('G', 'major'))).toBeLessThan(dist(keyXY('C', 'major'), keyXY('C#', 'major')));
    expect(dist(keyXY('C', 'major'), keyXY('F', 'major'))).toBeCloseTo(dist(keyXY('C', 'major'), keyXY('G', 'major')), 12);
    expect(Math.hypot(...keyXY('D', 'minor', 0.4))).toBeCloseTo(0.4, 12);
    expect(descriptorVector({ ...base, mode: 'minor' })[4]).toBe(-1);
  });
});

describe('DESCRIPTOR_DOCS', () => {
  it('documents every descriptor with name, unit, range and definition', () => {
    const d = computeDescriptors(sine(440, -6, 1));
    expect(Object.keys(DESCRIPTOR_DOCS).sort()).toEqual(Object.keys(d).sort());
    for (const doc of Object.values(DESCRIPTOR_DOCS)) {
      expect(doc.name.length).toBeGreaterThan(0);
      expect(typeof doc.unit).toBe('string');
      expect(doc.range.length).toBeGreaterThan(0);
      expect(doc.definition.length).toBeGreaterThan(20);
    }
  });
});

referenceSuite('every reference clip', () => {
  it('gives finite descriptors in range', () => {
    const dir = path.join(REFERENCE, 'clips');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.wav'))) {
      const w = readWav(path.join(dir, f));
      const d = computeDescriptors(w.samples, { sr: w.sampleRate });
      expectSane(d);
      expect(d.duration).toBeCloseTo(w.samples.length / w.sampleRate, 9);
    }
  });
});
