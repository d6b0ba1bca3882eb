/**
 * K-weighting filter of ITU-R BS.1770-4, designed for any sample rate.
 *
 * BS.1770 only tabulates the two biquads for 48 kHz. Here both stages are derived from their
 * analogue prototypes (a high shelf and a second-order high-pass) with the bilinear transform,
 * pre-warped at each stage's corner frequency, using the prototype parameters that reproduce the
 * 48 kHz table to ~1e-8 (the same derivation libebur128 and pyloudnorm-style designs use):
 *   stage 1 (pre-filter, "head" shelf): f0 = 1681.974450955533 Hz, gain 3.999843853973347 dB,
 *                                        Q = 0.7071752369554196
 *   stage 2 (RLB high-pass):            f0 = 38.13547087602444 Hz, Q = 0.5003270373238773
 */

/** Biquad coefficients, a0 normalised to 1: y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]. */
export interface Biquad {
  b: [number, number, number];
  a: [number, number, number];
}

const SHELF_F0 = 1681.974450955533;
const SHELF_GAIN_DB = 3.999843853973347;
const SHELF_Q = 0.7071752369554196;
/** Exponent relating the shelf's mid-band gain to its high-frequency gain (fits the 48 kHz table). */
const SHELF_VB_EXP = 0.4996667741545416;
const HP_F0 = 38.13547087602444;
const HP_Q = 0.5003270373238773;

/** The BS.1770 pre-filter (high shelf, about +4 dB above ~2 kHz) for sample rate `sr` (Hz). */
export function kWeightingShelf(sr: number): Biquad {
  const k = Math.tan((Math.PI * SHELF_F0) / sr);
  const vh = Math.pow(10, SHELF_GAIN_DB / 20);
  const vb = Math.pow(vh, SHELF_VB_EXP);
  const a0 = 1 + k / SHELF_Q + k * k;
  return {
    b: [(vh + (vb * k) / SHELF_Q + k * k) / a0, (2 * (k * k - vh)) / a0, (vh - (vb * k) / SHELF_Q + k * k) / a0],
    a: [1, (2 * (k * k - 1)) / a0, (1 - k / SHELF_Q + k * k) / a0],
  };
}

/** The BS.1770 RLB high-pass (second order, ~38 Hz) for sample rate `sr` (Hz). Numerator is [1, -2, 1]. */
export function kWeightingHighPass(sr: number): Biquad {
  const k = Math.tan((Math.PI * HP_F0) / sr);
  const a0 = 1 + k / HP_Q + k * k;
  return {
    b: [1, -2, 1],
    a: [1, (2 * (k * k - 1)) / a0, (1 - k / HP_Q + k * k) / a0],
  };
}

/** Run one biquad over `x` (direct form I, float64 state). Returns a new Float64Array of the same length. */
export function biquadFilter(x: ArrayLike<number>, f: Biquad): Float64Array {
  const n = x.length;
  const y = new Float64Array(n);
  const [b0, b1, b2] = f.b;
  const [, a1, a2] = f.a;
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const yi = b0 * xi + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    x2 = x1; x1 = xi; y2 = y1; y1 = yi;
    y[i] = yi;
  }
  return y;
}

/** K-weight a mono signal `y` (length N) at sample rate `sr`: shelf then RLB high-pass. Returns Float64Array(N). */
export function kWeight(y: ArrayLike<number>, sr: number): Float64Array {
  return biquadFilter(biquadFilter(y, kWeightingShelf(sr)), kWeightingHighPass(sr));
}

/**
 * Running energy of the K-weighted signal: cum[i] = sum_{k < i} kWeight(y)[k]^2, Float64Array(N + 1).
 * Same arithmetic as `kWeight` (both stages in one loop, float64 state).
 */
export function kWeightedEnergyPrefix(y: ArrayLike<number>, sr: number): Float64Array {
  const s = kWeightingShelf(sr), h = kWeightingHighPass(sr);
  const [sb0, sb1, sb2] = s.b, [, sa1, sa2] = s.a;
  const [hb0, hb1, hb2] = h.b, [, ha1, ha2] = h.a;
  const n = y.length;
  const cum = new Float64Array(n + 1);
  let x1 = 0, x2 = 0, u1 = 0, u2 = 0, z1 = 0, z2 = 0, acc = 0;
  for (let i = 0; i < n; i++) {
    const x = y[i];
    const u = sb0 * x + sb1 * x1 + sb2 * x2 - sa1 * u1 - sa2 * u2;
    x2 = x1; x1 = x;
    const z = hb0 * u + hb1 * u1 + hb2 * u2 - ha1 * z1 - ha2 * z2;
    u2 = u1; u1 = u;
    z2 = z1; z1 = z;
    acc += z * z;
    cum[i + 1] = acc;
  }
  return cum;
}

/** Magnitude response (dB) of the K-weighting cascade at frequency `f` (Hz) for sample rate `sr`. */
export function kWeightingGainDb(f: number, sr: number): number {
  const w = (2 * Math.PI * f) / sr;
  let mag = 1;
  for (const q of [kWeightingShelf(sr), kWeightingHighPass(sr)]) {
    // H(e^jw) = (b0 + b1 e^-jw + b2 e^-2jw) / (1 + a1 e^-jw + a2 e^-2jw)
    const nr = q.b[0] + q.b[1] * Math.cos(w) + q.b[2] * Math.cos(2 * w);
    const ni = -q.b[1] * Math.sin(w) - q.b[2] * Math.sin(2 * w);
    const dr = 1 + q.a[1] * Math.cos(w) + q.a[2] * Math.cos(2 * w);
    const di = -q.a[1] * Math.sin(w) - q.a[2] * Math.sin(2 * w);
    mag *= Math.hypot(nr, ni) / Math.hypot(dr, di);
  }
  return 20 * Math.log10(mag);
}
