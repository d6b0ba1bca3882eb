/**
 * Key and mode from a chromagram: the mean chroma vector is correlated (Pearson) with the 24
 * rotations of a major and a minor key profile; the best correlation wins.
 */
import type { Matrix } from '../matrix.js';
import { badParameter } from '../../errors.js';

export const PITCH_CLASSES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'] as const;
export type PitchClass = (typeof PITCH_CLASSES)[number];
export type Mode = 'major' | 'minor';

/** Key profiles, index 0 = tonic. */
export const KEY_PROFILES = {
  /** Krumhansl & Kessler (1982) probe-tone ratings. */
  krumhansl: {
    major: [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
    minor: [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17],
  },
  /** Temperley (2007), Kostka-Payne corpus. */
  temperley: {
    major: [0.748, 0.06, 0.488, 0.082, 0.67, 0.46, 0.096, 0.715, 0.104, 0.366, 0.057, 0.4],
    minor: [0.712, 0.084, 0.474, 0.618, 0.049, 0.46, 0.105, 0.747, 0.404, 0.067, 0.133, 0.33],
  },
  /** Albrecht & Shanahan (2013). */
  albrecht: {
    major: [0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.08, 0.008, 0.081],
    minor: [0.22, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052],
  },
} as const;
export type KeyProfileName = keyof typeof KEY_PROFILES;

export interface KeyEstimate {
  /** Tonic pitch class index 0..11 (C = 0); 0 when undetermined. */
  tonic: number;
  key: PitchClass;
  mode: Mode;
  /** 0..1: the winning Pearson correlation, clamped at 0 (0 for silence / flat chroma). */
  confidence: number;
  /** Winning correlation minus the best correlation of any other key (0..2). */
  margin: number;
  /** All 24 correlations: [0..11] major on C..B, [12..23] minor on C..B. */
  correlations: Float64Array;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>, shift: number): number {
  // correlation of a[i] with b[(i - shift) mod 12]
  let ma = 0, mb = 0;
  for (let i = 0; i < 12; i++) { ma += a[i]; mb += b[i]; }
  ma /= 12; mb /= 12;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < 12; i++) {
    const x = a[i] - ma;
    const y = b[(i - shift + 12) % 12] - mb;
    sab += x * y; saa += x * x; sbb += y * y;
  }
  const d = Math.sqrt(saa * sbb);
  return d > 1e-12 ? sab / d : 0;
}

/** Mean over frames of a chromagram [12, T] (rows C..B). Returns Float64Array(12); zeros when T = 0. */
export function meanChroma(chroma: Matrix): Float64Array {
  if (chroma.rows !== 12) throw badParameter('chroma.rows', chroma.rows, '12 pitch classes');
  const m = new Float64Array(12);
  const T = chroma.cols;
  if (T === 0) return m;
  for (let p = 0; p < 12; p++) {
    let s = 0;
    for (let t = 0; t < T; t++) s += chroma.data[p * T + t];
    m[p] = s / T;
  }
  return m;
}

/**
 * Key of a 12-bin pitch-class vector `pcp` (C..B; e.g. `meanChroma(chroma)`) by correlation with
 * the rotated `profile` (default 'albrecht': it and 'temperley' get all 24 synthetic keys and the reference C major triad right, where 'krumhansl' reads a lone major triad as the minor key on its third; see test/descriptors).
 * A flat or zero vector gives C major with confidence 0.
 */
export function estimateKey(pcp: ArrayLike<number>, profile: KeyProfileName = 'albrecht'): KeyEstimate {
  if (pcp.length !== 12) throw badParameter('pcp.length', pcp.length, '12');
  const prof = KEY_PROFILES[profile];
  if (!prof) throw badParameter('profile', profile, Object.keys(KEY_PROFILES).join(' | '));
  const corr = new Float64Array(24);
  let best = 0;
  for (let k = 0; k < 24; k++) {
    corr[k] = pearson(pcp, k < 12 ? prof.major : prof.minor, k % 12);
    if (!Number.isFinite(corr[k])) corr[k] = 0;
    if (corr[k] > corr[best]) best = k;
  }
  let second = -Infinity;
  for (let k = 0; k < 24; k++) if (k !== best) second = Math.max(second, corr[k]);
  const conf = Math.max(0, Math.min(1, corr[best]));
  const tonic = conf > 0 ? best % 12 : 0;
  return {
    tonic,
    key: PITCH_CLASSES[tonic],
    mode: conf > 0 && best >= 12 ? 'minor' : 'major',
    confidence: conf,
    margin: conf > 0 ? corr[best] - second : 0,
    correlations: corr,
  };
}
