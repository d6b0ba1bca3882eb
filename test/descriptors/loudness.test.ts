/**
 * BS.1770-4 loudness and EBU Tech 3342 loudness range.
 * Measured (this implementation, 22050 Hz unless stated):
 * - full-scale 997 Hz sine: -2.981 LUFS at 22050 Hz (the bilinear-transformed shelf has +0.029 dB
 *   more gain at 997 Hz than at 48 kHz), -3.0103 LUFS at 48 kHz.
 * - gain changes shift the reading by exactly 20 log10(gain) (to 1e-6 dB) while no gate moves.
 */
import { describe, expect, it } from 'vitest';
import {
  integratedLoudness, loudnessRange, loudnessMeasures, shortTermLoudness, LOUDNESS_FLOOR_LUFS,
  kWeightingShelf, kWeightingHighPass,
} from '../../src/dsp/descriptors/index.js';
import { sine } from './synth.js';

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

describe('K-weighting filter design', () => {
  it('reproduces the 48 kHz coefficients tabulated in ITU-R BS.1770-4', () => {
    // Table 1 and 2 of BS.1770-4; the design is a bilinear transform of fitted analogue prototypes,
    // which matches the table to ~1e-9.
    const s = kWeightingShelf(48000);
    const h = kWeightingHighPass(48000);
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 8));
    close(s.b, [1.53512485958697, -2.69169618940638, 1.19839281085285]);
    close(s.a, [1, -1.69065929318241, 0.73248077421585]);
    close(h.b, [1, -2, 1]);
    close(h.a, [1, -1.99004745483398, 0.99007225036621]);
  });
});

describe('integratedLoudness', () => {
  it('reads a full-scale 997 Hz sine as -3.01 LUFS (within 0.05) at 22050 and 48000 Hz', () => {
    expect(Math.abs(integratedLoudness(sine(997, 0, 10)) - -3.01)).toBeLessThan(0.05); // measured -2.981
    expect(Math.abs(integratedLoudness(sine(997, 0, 10, 48000), { sr: 48000 }) - -3.01)).toBeLessThan(0.005); // -3.0103
  });

  it('tracks levels in dB exactly: sines at -23 and -40 LUFS targets', () => {
    const ref = integratedLoudness(sine(997, 0, 10));
    for (const target of [-23, -40]) {
      const gainDb = target - ref; // level that should read exactly `target`
      const l = integratedLoudness(sine(997, gainDb, 10));
      expect(Math.abs(l - target)).toBeLessThan(1e-3); // float32 samples: ~1e-6 in practice
    }
    // any gain: exact 20 log10(g) shift
    const x = sine(440, -6, 5);
    const base = integratedLoudness(x);
    for (const g of [0.5, 0.1, 0.02]) {
      const l = integratedLoudness(x.map((v) => v * g));
      expect(l - base).toBeCloseTo(20 * Math.log10(g), 3);
    }
  });

  it('gates: silence does not lower the reading, quiet parts below the relative gate are ignored', () => {
    const loud = sine(997, -20, 10);
    const base = integratedLoudness(loud);
    // 10 s of silence after: its blocks fall under the absolute gate. The three 400 ms blocks that
    // straddle the edge (75/50/25 % tone) pass the gates and pull the mean down: measured -0.066 dB.
    expect(Math.abs(integratedLoudness(concat(loud, new Float32Array(22050 * 10))) - base)).toBeLessThan(0.1);
    // 10 s at -20 dB below: under the relative gate (-10 LU) once the mixed blocks are excluded
    const withQuiet = integratedLoudness(concat(loud, sine(997, -40, 10)));
    expect(Math.abs(withQuiet - base)).toBeLessThan(0.1);
    // 10 s only 6 dB below: above the relative gate, so it lowers the power mean
    const withNear = integratedLoudness(concat(loud, sine(997, -26, 10)));
    expect(withNear).toBeLessThan(base - 1);
  });

  it('gives the -70 LUFS floor for silence and empty input, and a finite value for 0.2 s', () => {
    expect(integratedLoudness(new Float32Array(22050 * 2))).toBe(LOUDNESS_FLOOR_LUFS);
    expect(integratedLoudness(new Float32Array(0))).toBe(LOUDNESS_FLOOR_LUFS);
    expect(integratedLoudness(sine(997, -90, 5))).toBe(LOUDNESS_FLOOR_LUFS); // below the absolute gate
    const short = integratedLoudness(sine(997, 0, 0.2)); // one block over the whole clip
    expect(Number.isFinite(short)).toBe(true);
    expect(Math.abs(short - -3.01)).toBeLessThan(0.1);
  });

  it('rejects a bad sample rate with a quoted value', () => {
    expect(() => integratedLoudness(sine(997, 0, 1), { sr: -1 })).toThrow(/-1/);
  });
});

describe('loudnessRange (EBU Tech 3342)', () => {
  it('reads 10 LU for 20 s at -20 dB followed by 20 s at -30 dB (Tech 3342 test case 1 shape)', () => {
    // Tech 3342's own cases are stereo 1 kHz at 48 kHz with a tolerance of +-1 LU.
    const lra = loudnessRange(concat(sine(1000, -20, 20), sine(1000, -30, 20)));
    expect(Math.abs(lra - 10)).toBeLessThan(1);
  });

  it('is ~0 for a steady tone, and 0 for silence, empty input and clips shorter than 3 s', () => {
    expect(loudnessRange(sine(1000, -20, 10))).toBeLessThan(0.01);
    expect(loudnessRange(new Float32Array(22050 * 5))).toBe(0);
    expect(loudnessRange(new Float32Array(0))).toBe(0);
    expect(loudnessRange(sine(1000, -20, 0.2))).toBe(0);
  });

  it('loudnessMeasures agrees with the two separate functions', () => {
    const y = concat(sine(300, -12, 6), sine(2000, -25, 6));
    const m = loudnessMeasures(y);
    expect(m.integrated).toBeCloseTo(integratedLoudness(y), 10);
    expect(m.range).toBeCloseTo(loudnessRange(y), 10);
  });

  it('short-term loudness has one value per 0.1 s after the first 3 s', () => {
    const st = shortTermLoudness(sine(997, 0, 10));
    expect(st.length).toBe(71);
    for (const v of st) expect(Math.abs(v - -2.98)).toBeLessThan(0.02);
  });
});
