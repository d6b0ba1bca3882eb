/**
 * Unit tests of the DSP building blocks: FFTs against a float64 DFT, framing edge cases, the
 * Matrix-level functions against the one-pass analysis, decibel and normalisation semantics,
 * trimming and excerpts, parameter validation.
 */
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createRealFft, JsRealFft, pffftAvailable, pffftError } from '../../src/dsp/fft.js';
import { stftMagnitude, stftPower, stftFrameCount } from '../../src/dsp/stft.js';
import { melFilterBank, denseFilterBank, melSpectrogram, powerToDb, hzToMel, melToHz, fftFrequencies } from '../../src/dsp/mel.js';
import { chromaFilterBank, chromaFromPower } from '../../src/dsp/chroma.js';
import { mfccFromDb, dctMatrix } from '../../src/dsp/mfcc.js';
import { rmsFromMagnitude, rmsFromSignal, spectralCentroid, zeroCrossingRate } from '../../src/dsp/spectral.js';
import { summaryVector } from '../../src/dsp/summary.js';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import { trimInterval, centralExcerpt } from '../../src/audio/trim.js';
import { YasrError } from '../../src/errors.js';
import type { Matrix } from '../../src/dsp/matrix.js';

function noise(n: number, seed = 7, amp = 0.5): Float32Array {
  let s = seed >>> 0;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    y[i] = amp * (s / 4294967296 * 2 - 1);
  }
  return y;
}

function music(n: number): Float32Array {
  const y = noise(n, 3, 0.05);
  for (let i = 0; i < n; i++) y[i] += 0.3 * Math.sin((2 * Math.PI * 440 * i) / 22050) + 0.2 * Math.sin((2 * Math.PI * 660 * i) / 22050);
  return y;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function peak(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function allFinite(m: Matrix): boolean {
  return m.data.every((v) => Number.isFinite(v));
}

describe('real FFT', () => {
  function dft(x: Float32Array): { re: Float64Array; im: Float64Array } {
    const n = x.length;
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    for (let k = 0; k <= n / 2; k++) {
      let r = 0;
      let i = 0;
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * ((k * t) % n)) / n;
        r += x[t] * Math.cos(a);
        i += x[t] * Math.sin(a);
      }
      re[k] = r;
      im[k] = i;
    }
    return { re, im };
  }

  const impls = pffftAvailable() ? (['pffft', 'js'] as const) : (['js'] as const);
  for (const impl of impls) {
    for (const n of [64, 2048]) {
      it(`${impl} n=${n} matches a float64 DFT within 1e-6 of the peak`, () => {
        const fft = createRealFft(n, impl);
        expect(fft.implementation).toBe(impl);
        const x = noise(n, n);
        fft.input.set(x);
        fft.transform();
        const out = fft.output;
        const { re, im } = dft(x);
        let pk = 0;
        for (let k = 0; k <= n / 2; k++) pk = Math.max(pk, Math.hypot(re[k], im[k]));
        let err = Math.max(Math.abs(out[0] - re[0]), Math.abs(out[1] - re[n / 2]));
        for (let k = 1; k < n / 2; k++) err = Math.max(err, Math.abs(out[2 * k] - re[k]), Math.abs(out[2 * k + 1] - im[k]));
        expect(err / pk).toBeLessThan(1e-6);
        fft.dispose();
      });
    }
  }

  it('pffft loads in this environment', () => {
    expect(pffftError()).toBeNull();
    expect(pffftAvailable()).toBe(true);
    expect(createRealFft(2048).implementation).toBe('pffft');
  });

  it('rejects sizes it cannot do', () => {
    expect(() => new JsRealFft(1000)).toThrow(YasrError);
    expect(() => createRealFft(3)).toThrow(/nFft/);
    expect(createRealFft(16).implementation).toBe('js'); // below PFFFT's minimum
  });

  const compiled = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/src/dsp/analyze.js');
  it.skipIf(!existsSync(compiled))('loads pffft and analyses inside worker_threads (needs npx tsc -p . first)', async () => {
    const code = `
      const { parentPort } = require('node:worker_threads');
      Promise.all([import(${JSON.stringify(pathToFileURL(compiled).href)}), import(${JSON.stringify(pathToFileURL(compiled.replace('analyze.js', 'fft.js')).href)})])
        .then(([a, f]) => {
          const y = new Float32Array(22050).map((_, i) => Math.sin(i * 0.1));
          const r = a.analyzeSignal(y);
          parentPort.postMessage({ pffft: f.pffftAvailable(), cols: r.mfcc.cols, c0: r.mfcc.data[0] });
        })
        .catch((e) => parentPort.postMessage({ error: String(e) }));`;
    const w = new Worker(code, { eval: true });
    const msg = await new Promise<Record<string, unknown>>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(msg.error).toBeUndefined();
    expect(msg.pffft).toBe(true);
    expect(msg.cols).toBe(1 + Math.floor(22050 / 512));
    const local = analyzeSignal(new Float32Array(22050).map((_, i) => Math.sin(i * 0.1)));
    expect(msg.c0).toBe(local.mfcc.data[0]);
  });
});

describe('stft', () => {
  it('frame counts follow 1 + floor(n / hop) when centred', () => {
    expect(stftFrameCount(0)).toBe(1);
    expect(stftFrameCount(511)).toBe(1);
    expect(stftFrameCount(512)).toBe(2);
    expect(stftFrameCount(22050 * 30)).toBe(1292);
    expect(stftFrameCount(4096, { center: false })).toBe(5);
    expect(() => stftFrameCount(100, { center: false })).toThrow(YasrError);
  });

  it('an empty signal gives one frame of zeros; a short one is zero padded', () => {
    const e = stftMagnitude(new Float32Array(0));
    expect([e.rows, e.cols]).toEqual([1025, 1]);
    expect(peak(e.data)).toBe(0);
    const short = new Float32Array(100).fill(0.5);
    const s = stftMagnitude(short);
    expect([s.rows, s.cols]).toEqual([1025, 1]);
    // DC of frame 0 = sum of the 100 samples times the centre of the Hann window
    let dc = 0;
    for (let i = 0; i < 100; i++) dc += 0.5 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (1024 + i)) / 2048));
    expect(s.data[0]).toBeCloseTo(dc, 4);
  });

  it('power is the square of the magnitude', () => {
    const y = music(5000);
    const m = stftMagnitude(y);
    const p = stftPower(y);
    for (let i = 0; i < m.data.length; i += 37) expect(p.data[i]).toBeCloseTo(m.data[i] * m.data[i], 2);
  });
});

describe('mel', () => {
  it('Slaney mel scale round-trips and is linear below 1 kHz', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(200)).toBeCloseTo(3, 12);
    for (const f of [0, 55, 440, 1000, 4000, 11025]) expect(melToHz(hzToMel(f))).toBeCloseTo(f, 8);
    for (const f of [0, 440, 8000]) expect(melToHz(hzToMel(f, true), true)).toBeCloseTo(f, 8);
    expect(fftFrequencies(22050, 2048)[1024]).toBe(11025);
  });

  it('filter bank is memoised, sparse, non-negative, with Slaney area normalisation', () => {
    const a = melFilterBank();
    expect(melFilterBank({ sr: 22050, nFft: 2048, nMels: 128 })).toBe(a);
    const d = denseFilterBank(a);
    expect([d.rows, d.cols]).toEqual([128, 1025]);
    expect(d.data.every((v) => v >= 0)).toBe(true);
    expect(a.weights.length).toBeLessThan(4 * 1025);
    // band 10: peak weight * (hz width / 2) = 1 for Slaney-normalised triangles (approx on bins)
    for (let b = 0; b < 128; b++) expect(a.length[b]).toBeGreaterThan(0);
  });

  it('melSpectrogram + powerToDb + mfccFromDb equal the one-pass analysis', () => {
    const y = music(22050);
    const r = analyzeSignal(y, { keepMel: true, keepStft: true });
    const mel = melSpectrogram(stftPower(y));
    expect(maxAbsDiff(mel.data, r.mel!.data) / peak(r.mel!.data)).toBeLessThan(1e-6);
    const db = powerToDb(mel);
    expect(maxAbsDiff(db.data, r.mel_db.data)).toBeLessThan(1e-3);
    const mf = mfccFromDb(r.mel_db);
    expect(maxAbsDiff(mf.data, r.mfcc.data)).toBeLessThan(1e-3);
    expect(maxAbsDiff(stftMagnitude(y).data, r.stft_mag!.data) / peak(r.stft_mag!.data)).toBeLessThan(1e-6);
  });

  it('powerToDb follows librosa.power_to_db', () => {
    const S: Matrix = { rows: 1, cols: 4, data: Float32Array.from([1, 1e-3, 0, 1e-12]) };
    expect(Array.from(powerToDb(S, { topDb: null }).data)).toEqual([0, -30, -100, -100].map(Math.fround));
    expect(Array.from(powerToDb(S, { topDb: 50 }).data)).toEqual([0, -30, -50, -50]);
    expect(Array.from(powerToDb(S, { ref: 'max', topDb: null }).data.slice(0, 2))).toEqual([0, -30]);
    expect(Array.from(powerToDb(S, { ref: 10, topDb: null }).data.slice(0, 2))).toEqual([-10, -40]);
    expect(() => powerToDb(S, { amin: 0 })).toThrow(/amin/);
    expect(() => powerToDb(S, { topDb: -1 })).toThrow(/topDb/);
  });

  it('DCT matrix is orthonormal', () => {
    const D = dctMatrix(128, 128);
    for (const [i, j] of [[0, 0], [1, 1], [5, 5], [0, 3], [2, 7]]) {
      let s = 0;
      for (let m = 0; m < 128; m++) s += D[i * 128 + m] * D[j * 128 + m];
      expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
    }
  });
});

describe('chroma', () => {
  it('filter bank has librosa layout and base C', () => {
    const fb = chromaFilterBank();
    expect([fb.rows, fb.cols]).toEqual([12, 1025]);
    // 261.6 Hz (C4) falls nearest bin 24.3: chroma 0 (C) must dominate there
    const k = Math.round(261.63 / (22050 / 2048));
    let best = 0;
    for (let c = 1; c < 12; c++) if (fb.data[c * 1025 + k] > fb.data[best * 1025 + k]) best = c;
    expect(best).toBe(0);
    // A-based rows: C is row 3
    expect(chromaFilterBank({ baseC: false }).data[3 * 1025 + k]).toBeCloseTo(fb.data[0 * 1025 + k], 7);
  });

  it('chromaFromPower equals the analysis chroma; silent frames are 0 and finite', () => {
    const y = new Float32Array(22050);
    y.set(music(11025), 0); // second half silent
    const r = analyzeSignal(y);
    const c = chromaFromPower(stftPower(y));
    expect(maxAbsDiff(c.data, r.chroma.data)).toBeLessThan(1e-5);
    expect(allFinite(r.chroma)).toBe(true);
    const T = r.chroma.cols;
    for (let ch = 0; ch < 12; ch++) expect(r.chroma.data[ch * T + T - 1]).toBe(0);
    let mx = 0;
    for (let ch = 0; ch < 12; ch++) mx = Math.max(mx, r.chroma.data[ch * T + 3]);
    expect(mx).toBeCloseTo(1, 6);
  });
});

describe('spectral features', () => {
  it('rms and centroid from |STFT| equal the analysis', () => {
    const y = music(30000);
    const r = analyzeSignal(y);
    const S = stftMagnitude(y);
    expect(maxAbsDiff(rmsFromMagnitude(S).data, r.rms.data) / peak(r.rms.data)).toBeLessThan(1e-6);
    expect(maxAbsDiff(spectralCentroid(S).data, r.centroid.data) / peak(r.centroid.data)).toBeLessThan(1e-6);
  });

  it('rms of a constant signal via the y route is its level in full frames', () => {
    const y = new Float32Array(8192).fill(0.25);
    const r = rmsFromSignal(y);
    expect(r.cols).toBe(17);
    expect(r.data[8]).toBeCloseTo(0.25, 7);
    expect(r.data[0]).toBeCloseTo(0.25 * Math.sqrt(0.5), 7); // half the first frame is padding
  });

  it('zero_crossing_rate matches a direct transcription of librosa', () => {
    const y = noise(5000, 11);
    y[100] = 0;
    y[101] = 1e-11; // below the 1e-10 threshold: counts as zero
    const fl = 2048;
    const hop = 512;
    const padded = new Float32Array(y.length + fl);
    for (let i = 0; i < padded.length; i++) padded[i] = y[Math.min(y.length - 1, Math.max(0, i - fl / 2))];
    const neg = (v: number) => (Math.abs(v) <= 1e-10 ? false : v < 0);
    const T = 1 + Math.floor((padded.length - fl) / hop);
    const expected: number[] = [];
    for (let t = 0; t < T; t++) {
      let c = 0;
      for (let i = 1; i < fl; i++) if (neg(padded[t * hop + i]) !== neg(padded[t * hop + i - 1])) c++;
      expected.push(c / fl);
    }
    const z = zeroCrossingRate(y);
    expect(z.cols).toBe(T);
    expect(Array.from(z.data)).toEqual(expected.map(Math.fround));
    expect(zeroCrossingRate(new Float32Array(0)).cols).toBe(1);
  });

  it('analyzeSignal zcr (wasm per-frame counts, JS near the edges) equals zeroCrossingRate exactly', () => {
    const y = noise(20000, 5);
    for (let i = 0; i < y.length; i += 7) y[i] = 0;
    for (let i = 3; i < y.length; i += 11) y[i] = -Math.fround(1e-10); // exactly at the threshold: counts as zero
    for (let i = 5; i < y.length; i += 13) y[i] = -2e-10;
    const z = zeroCrossingRate(y);
    for (const kernel of ['wasm', 'js'] as const) {
      expect(Array.from(analyzeSignal(y, { kernel }).zcr.data), kernel).toEqual(Array.from(z.data));
    }
  });
});

describe('summaryVector', () => {
  it('gives per-row means then population standard deviations', () => {
    const m: Matrix = { rows: 2, cols: 4, data: Float32Array.from([1, 2, 3, 4, 5, 5, 5, 5]) };
    expect(Array.from(summaryVector(m))).toEqual([2.5, 5, Math.fround(Math.sqrt(1.25)), 0]);
    expect(Array.from(summaryVector({ rows: 3, cols: 0, data: new Float32Array(0) }))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('analyzeSignal', () => {
  it('handles empty, tiny and silent signals with finite output of the right shapes', () => {
    for (const n of [0, 1, 300, 2047, 44100]) {
      const y = n === 44100 ? new Float32Array(n) : music(n);
      const r = analyzeSignal(y);
      const T = 1 + Math.floor(n / 512);
      const shapes: Record<string, [number, number]> = {
        mel_db: [128, T], mfcc: [20, T], chroma: [12, T], rms: [1, T], centroid: [1, T], zcr: [1, T],
      };
      for (const [k, shape] of Object.entries(shapes)) {
        const m = r[k as keyof typeof r] as Matrix;
        expect([m.rows, m.cols], `${k} n=${n}`).toEqual(shape);
        expect(allFinite(m), `${k} n=${n}`).toBe(true);
      }
      expect(r.stft_mag).toBeUndefined();
      expect(r.mel).toBeUndefined();
    }
  });

  it('rejects non-finite samples and bad options', () => {
    const y = music(1000);
    y[10] = NaN;
    expect(() => analyzeSignal(y)).toThrow(/not finite/);
    expect(() => analyzeSignal(music(10), { nFft: 1001 })).toThrow(/nFft/);
    expect(() => analyzeSignal(music(10), { nMfcc: 200 })).toThrow(/nMfcc/);
    expect(() => analyzeSignal(music(10), { sr: -1 })).toThrow(/sr/);
    let thrown: unknown;
    try {
      analyzeSignal(music(10), { hopLength: 0 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(YasrError);
    expect((thrown as YasrError).code).toBe('BAD_PARAMETER');
  });

  it('wasm SIMD kernels and the float64 JS path agree', () => {
    const y = music(50000);
    const a = analyzeSignal(y, { kernel: 'wasm', keepStft: true, keepMel: true });
    const b = analyzeSignal(y, { kernel: 'js', keepStft: true, keepMel: true });
    for (const k of ['stft_mag', 'mel', 'mfcc', 'chroma', 'rms', 'centroid', 'zcr'] as const) {
      const ma = a[k] as Matrix;
      const mb = b[k] as Matrix;
      expect([ma.rows, ma.cols]).toEqual([mb.rows, mb.cols]);
      expect(maxAbsDiff(ma.data, mb.data) / Math.max(peak(mb.data), 1e-30), k).toBeLessThan(1e-5);
    }
    expect(maxAbsDiff(a.mel_db.data, b.mel_db.data)).toBeLessThan(1e-3);
    expect(() => analyzeSignal(y, { kernel: 'gpu' as 'js' })).toThrow(/kernel/);
  });

  it('keeps each parameter set\'s kernel data apart (analyses interleaved across configurations)', () => {
    const y = music(30000);
    const first = analyzeSignal(y);
    analyzeSignal(y, { nFft: 1024, hopLength: 256, nMels: 64, nMfcc: 13, sr: 16000 });
    analyzeSignal(y, { nMels: 40 });
    const again = analyzeSignal(y);
    expect(Array.from(again.mfcc.data)).toEqual(Array.from(first.mfcc.data));
    expect(Array.from(again.chroma.data)).toEqual(Array.from(first.chroma.data));
  });

  it('honours other parameter sets', () => {
    for (const kernel of ['wasm', 'js'] as const) {
      const r = analyzeSignal(music(16000), { sr: 16000, nFft: 1024, hopLength: 256, nMels: 40, nMfcc: 13, keepStft: true, kernel });
      expect([r.mel_db.rows, r.mfcc.rows, r.stft_mag!.rows, r.mfcc.cols]).toEqual([40, 13, 513, 63]);
      expect(allFinite(r.mfcc) && allFinite(r.chroma)).toBe(true);
    }
    // below PFFFT's minimum size and not a multiple of 8 bins: JS FFT and JS kernels
    const small = analyzeSignal(music(300), { nFft: 16, hopLength: 4, nMels: 4, nMfcc: 3 });
    expect([small.mel_db.rows, small.mfcc.rows, small.chroma.cols]).toEqual([4, 3, 76]);
  });
});

describe('trim and excerpts', () => {
  it('trims leading and trailing silence on hop boundaries', () => {
    const y = new Float32Array(22050 * 3);
    y.set(music(22050), 22050);
    const [s, e] = trimInterval(y);
    expect(s % 512).toBe(0);
    expect(s).toBeLessThanOrEqual(22050);
    expect(s).toBeGreaterThan(22050 - 2048);
    expect(e).toBeGreaterThanOrEqual(44100);
    expect(e).toBeLessThan(44100 + 2048);
  });

  it('keeps all of an all-zero signal (librosa clamps the reference to amin) and nothing of an empty one', () => {
    expect(trimInterval(new Float32Array(44100))).toEqual([0, 44100]);
    expect(trimInterval(new Float32Array(0))).toEqual([0, 0]);
    expect(() => trimInterval(new Float32Array(10), { topDb: -5 })).toThrow(/topDb/);
  });

  it('centralExcerpt takes the middle, or all of a short signal', () => {
    const y = Float32Array.from({ length: 100 }, (_, i) => i);
    const e = centralExcerpt(y, 1, 40);
    expect(e.length).toBe(40);
    expect(e[0]).toBe(30);
    expect(centralExcerpt(y, 10, 40)).toBe(y);
    expect(() => centralExcerpt(y, 0, 40)).toThrow(/seconds/);
  });
});
