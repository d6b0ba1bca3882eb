/**
 * meanTempogram against librosa's definition computed directly: the mean over frames of each
 * frame's autocorrelation (Hann-windowed, centred with linear-ramp padding), scaled to its lag-0
 * value, without any FFT.
 */
import { describe, expect, it } from 'vitest';
import { meanTempogram } from '../../../src/dsp/descriptors/tempo.js';

function direct(env: ArrayLike<number>, win: number): Float64Array {
  const n = env.length;
  const half = Math.floor(win / 2);
  const padded = new Float64Array(n + 2 * half);
  for (let i = 0; i < half; i++) {
    padded[i] = (env[0] * i) / half;
    padded[half + n + i] = (env[n - 1] * (half - 1 - i)) / half;
  }
  for (let i = 0; i < n; i++) padded[half + i] = env[i];
  const w = Float64Array.from({ length: win }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / win));
  const out = new Float64Array(win);
  for (let t = 0; t < n; t++) {
    const x = Float64Array.from({ length: win }, (_, i) => Math.fround(padded[t + i] * w[i]));
    const ac = new Float64Array(win);
    for (let m = 0; m < win; m++) for (let i = 0; i + m < win; i++) ac[m] += x[i] * x[i + m];
    const peak = ac[0] > 1.1754943508222875e-38 ? ac[0] : 1;
    for (let m = 0; m < win; m++) out[m] += ac[m] / peak;
  }
  return out.map((v) => v / n);
}

describe('meanTempogram', () => {
  // a pulse every 9.5 frames with some noise, and a silent stretch (all-zero frames are skipped)
  let s = 3;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const env = Float32Array.from({ length: 260 }, (_, t) => (t > 200 ? 0 : (t % 9.5 < 1 ? 1 : 0) + 0.1 * rnd()));

  it('equals the direct computation (float32 FFT: to 1e-6 of the lag-0 value)', () => {
    for (const win of [64, 50, 17]) {
      const got = meanTempogram(env, win);
      const want = direct(env, win);
      expect(got.length).toBe(win);
      for (let m = 0; m < win; m++) expect(Math.abs(got[m] - want[m]), `win ${win} lag ${m}`).toBeLessThan(1e-6 * want[0]);
    }
  });

  it('a shorter window after a longer one on the same FFT size leaves nothing of the longer one behind', () => {
    const fresh = meanTempogram(env, 40); // FFT size 128
    meanTempogram(env, 60); // also 128: writes input[40..59]
    expect(Array.from(meanTempogram(env, 40))).toEqual(Array.from(fresh));
    // the JS FFT reads its input without writing it, too
    meanTempogram(env, 60, 'js');
    const js = meanTempogram(env, 40, 'js');
    const want = direct(env, 40);
    for (let m = 0; m < 40; m++) expect(Math.abs(js[m] - want[m])).toBeLessThan(1e-6 * want[0]);
  });
});
