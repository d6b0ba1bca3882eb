/**
 * Block-level patterns on tiny spectrograms whose patterns are worked out by hand here (sorted
 * blocks and percentiles written out, a sinusoidal modulation's Hann spectrum in closed form,
 * correlations of affine copies), plus silence and short input.
 */
import { describe, expect, it } from 'vitest';
import {
  BLOCK_PATTERN_NAMES,
  blockPatternLayout,
  blockPatterns,
  blockPatternVector,
  correlationPattern,
  deltaSpectralPatterns,
  fluctuationPattern,
  modulationCentres,
  reduceBands,
  spectralContrast,
  spectralContrastPattern,
  spectralPattern,
  splitBlockPatterns,
} from '../../src/dsp/block-level.js';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import type { Matrix } from '../../src/dsp/matrix.js';
import { YasrError } from '../../src/errors.js';

/** A matrix from its rows. */
function mat(rows: number[][]): Matrix {
  const cols = rows[0].length;
  return { rows: rows.length, cols, data: Float32Array.from(rows.flat()) };
}

const list = (m: Matrix | Float32Array) => Array.from('data' in m ? m.data : m);

/** dB to power, element by element. */
const power = (m: Matrix): Matrix => ({ ...m, data: m.data.map((v) => 10 ** (v / 10)) });

/** A deterministic pseudo-random sequence in [0, 1). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

describe('spectral pattern', () => {
  // one band, blocks of 3 frames, hop 1: [5,1,4] [1,4,2] [4,2,6] [2,6,3], sorted:
  // [1,4,5] [1,2,4] [2,4,6] [2,3,6]; per rank over the 4 blocks: {1,1,2,2} {2,3,4,4} {4,5,6,6}
  const x = mat([[5, 1, 4, 2, 6, 3]]);

  it('sorts each block and takes the percentile over blocks, rank by rank', () => {
    // median: halfway between the 2nd and 3rd order statistic
    expect(list(spectralPattern(x, { spBlock: 3, spHop: 1, spPercentile: 0.5 }))).toEqual([1.5, 3.5, 5.5]);
    // 0.25: position 0.75 between the 1st and 2nd
    expect(list(spectralPattern(x, { spBlock: 3, spHop: 1, spPercentile: 0.25 }))).toEqual([1, 2.75, 4.75]);
    expect(list(spectralPattern(x, { spBlock: 3, spHop: 1, spPercentile: 1 }))).toEqual([2, 4, 6]);
  });

  it('steps by the hop and drops a last incomplete block', () => {
    // hop 2: blocks at 0 and 2 only ([5,1,4], [4,2,6]); 4 would need frame 6
    expect(list(spectralPattern(x, { spBlock: 3, spHop: 2, spPercentile: 0 }))).toEqual([1, 4, 5]);
    expect(list(spectralPattern(x, { spBlock: 3, spHop: 2, spPercentile: 1 }))).toEqual([2, 4, 6]);
  });

  it('repeats a spectrogram shorter than a block cyclically', () => {
    // [7, 3] in a block of 5: 7 3 7 3 7, sorted
    expect(list(spectralPattern(mat([[7, 3]]), { spBlock: 5, spHop: 5 }))).toEqual([3, 3, 7, 7, 7]);
  });
});

describe('sorted blocks, brute force', () => {
  /** The pattern by its definition: each block sorted with Array.sort, the quantile by numpy's rule. */
  function reference(x: number[][], size: number, hop: number, p: number): number[] {
    const T = x[0].length;
    const starts: number[] = [];
    if (T <= size) starts.push(0);
    else for (let s = 0; s + size <= T; s += hop) starts.push(s);
    const out: number[] = [];
    for (const row of x) {
      const blocks = starts.map((s) => Array.from({ length: size }, (_, i) => row[(s + i) % T]).sort((a, b) => a - b));
      for (let i = 0; i < size; i++) {
        const v = blocks.map((b) => b[i]).sort((a, b) => a - b);
        const pos = p * (v.length - 1);
        const lo = Math.floor(pos);
        out.push(lo + 1 < v.length ? v[lo] + (pos - lo) * (v[lo + 1] - v[lo]) : v[lo]);
      }
    }
    return out;
  }

  it('matches sorting every block afresh, sliding (hop <= block / 4) or not, with ties', () => {
    const rnd = random(7);
    for (const [T, size, hop, p] of [
      [200, 25, 5, 0.9],
      [200, 25, 1, 0.3],
      [97, 20, 4, 0.5],
      [60, 10, 5, 0.9],
      [60, 7, 9, 0.1],
      [12, 25, 5, 0.9],
    ]) {
      // values on a coarse grid, so that blocks hold ties (and zeros, as the onsets do)
      const x = [0, 1, 2].map(() => Array.from({ length: T }, () => Math.max(0, Math.floor(rnd() * 12) - 4)));
      const got = list(spectralPattern(mat(x), { spBlock: size, spHop: hop, spPercentile: p }));
      const want = reference(x, size, hop, p);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    }
  });
});

describe('delta spectral patterns', () => {
  // delay 3: max(0, x[t+3] - x[t]) for t = 0..4 = [5, 5, 5, 0, 0]; blocks of 2, hop 1:
  // [5,5] [5,5] [5,0] [0,0] sorted -> ranks {5,5,0,0} and {5,5,5,0}
  const x = mat([[0, 0, 0, 5, 5, 5, 2, 2]]);
  const o = { dspDelay: 3, dspBlock: 2, dspHop: 1, dspPercentile: 0.5 };

  it('keeps only increases 3 frames apart, then percentile (DSP) and variance (VDSP) over blocks', () => {
    const { dsp, vdsp } = deltaSpectralPatterns(x, o);
    expect(list(dsp)).toEqual([2.5, 5]);
    // population variances: {5,5,0,0} mean 2.5 -> 6.25; {5,5,5,0} mean 3.75 -> (3 * 1.25^2 + 3.75^2) / 4
    expect(vdsp.data[0]).toBeCloseTo(6.25, 6);
    expect(vdsp.data[1]).toBeCloseTo((3 * 1.25 ** 2 + 3.75 ** 2) / 4, 6);
  });

  it('is zero for a constant spectrogram and for one no longer than the delay', () => {
    const c = mat([Array(40).fill(-30), Array(40).fill(12)]);
    const { dsp, vdsp } = deltaSpectralPatterns(c);
    expect(dsp.rows * dsp.cols).toBe(2 * 25);
    expect(list(dsp).every((v) => v === 0)).toBe(true);
    expect(list(vdsp).every((v) => v === 0)).toBe(true);
    const short = deltaSpectralPatterns(mat([[1, 9, 4]]));
    expect(list(short.dsp)).toEqual(Array(25).fill(0));
  });
});

describe('logarithmic fluctuation pattern', () => {
  // 64 frames per second, blocks of 64 frames: FFT bin b is b Hz; centres 1, 2, 4, 8, 16 Hz
  const o = { frameRate: 64, lfpBlock: 64, lfpHop: 64, lfpMinHz: 1, lfpBinsPerOctave: 1, lfpBins: 5, lfpPercentile: 0.5 };
  const A = 6;
  const wave = (hz: number, T = 64) => Array.from({ length: T }, (_, t) => -20 + A * Math.sin((2 * Math.PI * hz * t) / 64));

  it('reads a 2 Hz modulation of A dB in closed form: Hann magnitudes A at 2 Hz, A/2 at 1 and 3 Hz', () => {
    expect(list(modulationCentres(o))).toEqual([1, 2, 4, 8, 16]);
    const lfp = fluctuationPattern(mat([wave(2)]), o);
    // triangular weights 1 - |log2(f / fc)| over the bins with positive weight:
    // 1 Hz: bin 1 only (weight 1) -> A/2
    // 2 Hz: bins 2 (1) and 3 (1 - log2 1.5) -> (A + w3 A/2) / (1 + w3)
    // 4 Hz: bins 3..7 with weights 1 - |log2(b/4)|, only bin 3 non-zero (A/2)
    const w3 = 1 - Math.log2(1.5);
    const w4 = [3, 4, 5, 6, 7].map((b) => 1 - Math.abs(Math.log2(b / 4)));
    const expected = [A / 2, (A + (w3 * A) / 2) / (1 + w3), ((1 - Math.log2(4 / 3)) * A) / 2 / w4.reduce((a, b) => a + b), 0, 0];
    expect(lfp.rows).toBe(1);
    expect(lfp.cols).toBe(5);
    list(lfp).forEach((v, k) => expect(v).toBeCloseTo(expected[k], 4));
  });

  it('puts the peak of a band pulsing at 2 Hz at the 2 Hz centre, with the default options', () => {
    const fr = 22050 / 512;
    const T = 1292; // 30 s
    const row = Array.from({ length: T }, (_, t) => -30 + 10 * Math.sin((2 * Math.PI * 2 * t) / fr));
    const still = Array(T).fill(-60);
    const spec = power(mat([...Array(64).fill(row), ...Array(64).fill(still)]));
    const p = blockPatterns(spec);
    const centres = modulationCentres();
    expect(centres[8]).toBe(2);
    for (let b = 0; b < 16; b++) {
      const r = Array.from(p.lfp.data.subarray(b * 20, b * 20 + 20));
      if (b < 8) {
        expect(r.indexOf(Math.max(...r))).toBe(8);
        expect(r[8]).toBeGreaterThan(3); // 10 dB at 23.8 FFT bins, averaged over a quarter-octave triangle (bins 20-28)
      } else {
        expect(r.every((v) => Math.abs(v) < 1e-4)).toBe(true);
      }
    }
  });

  it('is zero for a constant band', () => {
    expect(list(fluctuationPattern(mat([Array(64).fill(-12)]), o))).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('correlation pattern', () => {
  it('is 1 for identical (or affine) bands, -1 for a mirrored one, 0 against a constant band', () => {
    const a = [1, 4, 2, 8, 5, 7, 0, 3];
    const x = mat([a, a.map((v) => 2 * v + 3), a.map((v) => -v), Array(8).fill(5)]);
    const cp = correlationPattern(x, { cpBlock: 8, cpHop: 8 });
    // pairs (0,1) (0,2) (0,3) (1,2) (1,3) (2,3)
    const want = [1, -1, 0, -1, 0, 0];
    expect(cp.cols).toBe(6);
    list(cp).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('takes the median over blocks of the Pearson correlation, brute force', () => {
    const u = [3, 1, 4, 1, 5, 9, 2, 6];
    const v = [2, 7, 1, 8, 2, 8, 1, 8];
    const pearson = (x: number[], y: number[]) => {
      const mx = x.reduce((s, q) => s + q, 0) / x.length;
      const my = y.reduce((s, q) => s + q, 0) / y.length;
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      for (let i = 0; i < x.length; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) ** 2;
        syy += (y[i] - my) ** 2;
      }
      return sxy / Math.sqrt(sxx * syy);
    };
    // blocks of 4, hop 4: two blocks; the median of two values is their mean
    const want = (pearson(u.slice(0, 4), v.slice(0, 4)) + pearson(u.slice(4), v.slice(4))) / 2;
    const cp = correlationPattern(mat([u, v]), { cpBlock: 4, cpHop: 4, cpPercentile: 0.5 });
    expect(cp.data[0]).toBeCloseTo(want, 6);
  });
});

describe('spectral contrast pattern', () => {
  it('is the dB ratio of the mean of the q largest and q smallest powers of each sub-band', () => {
    const x = mat([[1], [10], [100], [1000]]); // 0, 10, 20, 30 dB
    // alpha 0.25 of 4 bands: q = 1, so max dB - min dB
    expect(spectralContrast(x, { contrastBands: 1, contrastAlpha: 0.25 }).data[0]).toBeCloseTo(30, 5);
    // alpha 0.5: q = 2: 10 log10((1000 + 100) / (10 + 1)) = 20
    expect(spectralContrast(x, { contrastBands: 1, contrastAlpha: 0.5 }).data[0]).toBeCloseTo(20, 5);
    // two sub-bands of two: each max - min = 10
    expect(list(spectralContrast(x, { contrastBands: 2, contrastAlpha: 0.5 }))).toEqual([10, 10]);
  });

  it('sorts the contrast per block and takes the 0.1 percentile over blocks', () => {
    // one sub-band of 2 bands whose contrast over 4 frames is 0, 10, 20, 30 dB; blocks of 2, hop 1
    const x = mat([
      [1, 1, 1, 1],
      [1, 10, 100, 1000],
    ]);
    // blocks sorted [0,10] [10,20] [20,30]; 0.1 percentile (position 0.2) of {0,10,20}, {10,20,30}
    const p = spectralContrastPattern(x, { contrastBands: 1, contrastAlpha: 0.5, scpBlock: 2, scpHop: 1, scpPercentile: 0.1 });
    expect(p.data[0]).toBeCloseTo(2, 5);
    expect(p.data[1]).toBeCloseTo(12, 5);
  });
});

describe('band grouping', () => {
  const absolute = { levelReference: false };

  it('averages power, then takes dB floored 80 dB below the loudest power (power_to_db)', () => {
    const r = reduceBands(mat([[1], [10], [100], [100]]), 2, absolute);
    expect(r.data[0]).toBeCloseTo(10 * Math.log10(5.5), 5);
    expect(r.data[1]).toBeCloseTo(20, 5);
    // the loudest power is 100 (20 dB): nothing reads below -60 dB; zero power stays finite
    const q = reduceBands(mat([[0, 1e-9], [0, 1e-9], [100, 1e-5], [100, 1e-5]]), 2, absolute);
    expect(list(q).map((v) => Math.round(v * 1000) / 1000)).toEqual([-60, -60, 20, -50]);
    expect(list(reduceBands(mat([[0], [0]]), 1, absolute))).toEqual([-100]); // 10 log10(amin)
  });

  it('by default reads dB relative to the loudest input power', () => {
    // the same as above, 20 dB lower: the loudest power (100) is 0 dB
    const q = reduceBands(mat([[0, 1e-9], [0, 1e-9], [100, 1e-5], [100, 1e-5]]), 2);
    expect(list(q).map((v) => Math.round(v * 1000) / 1000)).toEqual([-80, -80, 0, -70]);
    expect(list(reduceBands(mat([[0], [0]]), 1))).toEqual([0]); // silence: its own level
  });

  it('gives a louder copy the same patterns (only SP moves without the level reference)', () => {
    const T = 700;
    const rows = Array.from({ length: 128 }, (_, b) => Array.from({ length: T }, (_, t) => -40 + 0.2 * b + 8 * Math.sin(t / (3 + b / 10)) + ((t * 7 + b * 13) % 11)));
    const quiet = power(mat(rows));
    const loud = { ...quiet, data: quiet.data.map((v) => v * 4) }; // +6.02 dB
    const a = splitBlockPatterns(blockPatternVector(quiet).data);
    const b = splitBlockPatterns(blockPatternVector(loud).data);
    for (const n of BLOCK_PATTERN_NAMES) list(b[n]).forEach((v, i) => expect(v).toBeCloseTo(a[n][i], 3));
    const c = splitBlockPatterns(blockPatternVector(quiet, absolute).data);
    const d = splitBlockPatterns(blockPatternVector(loud, absolute).data);
    list(d.sp).forEach((v, i) => expect(v - c.sp[i]).toBeCloseTo(10 * Math.log10(4), 3));
    for (const n of ['dsp', 'vdsp', 'lfp', 'cp', 'scp'] as const) list(d[n]).forEach((v, i) => expect(v).toBeCloseTo(c[n][i], 3));
  });
});

describe('block_patterns', () => {
  it('flattens the six patterns in order, and the layout splits them back', () => {
    const T = 700;
    const rows = Array.from({ length: 128 }, (_, b) => Array.from({ length: T }, (_, t) => -40 + 0.2 * b + 8 * Math.sin(t / (3 + b / 10)) + ((t * 7 + b * 13) % 11)));
    const spec = power(mat(rows));
    const p = blockPatterns(spec);
    const v = blockPatternVector(spec);
    const layout = blockPatternLayout();
    expect(layout.map((s) => s.name)).toEqual([...BLOCK_PATTERN_NAMES]);
    expect(layout.map((s) => [s.rows, s.cols])).toEqual([
      [32, 10],
      [32, 25],
      [32, 25],
      [16, 20],
      [1, 120],
      [16, 40],
    ]);
    expect(v.rows).toBe(1);
    expect(v.cols).toBe(320 + 800 + 800 + 320 + 120 + 640);
    const parts = splitBlockPatterns(v.data, layout);
    for (const n of BLOCK_PATTERN_NAMES) expect(list(parts[n])).toEqual(list(p[n]));
    expect(() => splitBlockPatterns(v.data.subarray(1), layout)).toThrow(/^invalid block pattern vector length: 2999 \(expected 3000 values \(sp 320, dsp 800, vdsp 800, lfp 320, cp 120, scp 640\)\)$/);
  });

  it('is finite for digital silence, near-silence and a single frame', () => {
    for (const y of [new Float32Array(22050 * 3), Float32Array.from({ length: 22050 * 3 }, (_, i) => 1e-9 * Math.sin(i)), new Float32Array(0)]) {
      const v = blockPatternVector(analyzeSignal(y, { kernel: 'js', keepMel: true }).mel!);
      expect(v.cols).toBe(3000);
      expect(list(v).every(Number.isFinite)).toBe(true);
    }
    // silence: every pattern but SP (the level) is zero
    const s = splitBlockPatterns(blockPatternVector(analyzeSignal(new Float32Array(22050), { kernel: 'js', keepMel: true }).mel!).data);
    for (const n of ['dsp', 'vdsp', 'lfp', 'cp', 'scp'] as const) expect(list(s[n]).every((x) => x === 0)).toBe(true);
  });

  it('refuses bad options and bad spectrograms with one line quoting the value', () => {
    const x = mat([Array(40).fill(0)]);
    const msg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(YasrError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(msg(() => spectralPattern(x, { spPercentile: 1.5 }))).toBe('invalid spPercentile: 1.5 (expected a number from 0 to 1)');
    expect(msg(() => fluctuationPattern(x, { lfpBlock: 500 }))).toBe('invalid lfpBlock: 500 (expected a power of two >= 4)');
    expect(msg(() => spectralPattern(x, { spBlock: 0 }))).toBe('invalid spBlock: 0 (expected a positive integer)');
    expect(msg(() => fluctuationPattern(x, { lfpMinHz: 20 }))).toMatch(/^invalid lfpMinHz: 20 \(expected a positive frequency whose highest centre/);
    expect(msg(() => blockPatterns(mat([[0, 1]])))).toBe('invalid power spectrogram bands: 1 (expected at least 32)');
    expect(msg(() => reduceBands(mat([[1, -2]]), 1))).toBe('invalid power spectrogram value [0, 1]: "-2" (expected a finite power >= 0)');
    expect(msg(() => spectralPattern(mat([[0, NaN]])))).toBe('invalid spectrogram value [0, 1]: "NaN" (expected a finite number of dB)');
  });
});
