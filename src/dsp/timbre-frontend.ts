/**
 * MFCCs for similarity, robust to level, codec and sample rate. The librosa-exact `mfcc` stays as
 * it is (and is what `yasr export` writes); these are computed from the same mel power spectrogram
 * for similarity summaries (the pipeline uses src/dsp/level-reference.ts, its ref 'max' floor 80 case).
 *
 * What moves librosa's MFCCs between two copies of one recording:
 * - level: power_to_db(ref=1) puts the absolute level into MFCC 0 (6 dB louder moves it by
 *   6 * sqrt(n_mels) = 68 with the orthonormal DCT); a reference taken from the track itself
 *   (`ref`) removes it;
 * - the dB floor: top_db = 80 lets cells 60-80 dB down, where codecs leave their own noise or
 *   nothing, weigh as much as the music; a higher floor (`floorDb`) ignores them;
 * - quiet frames: averages of dB are dominated by quiet passages and fades where codec noise
 *   differs; frames far below the track's loud frames (`quietDb`) are left out;
 * - band limits: codecs cut the top (MP3 at low rates from about 11 kHz) and sometimes the very
 *   bottom; only mel bands whose centre lies in [minHz, maxHz] are used.
 */
import type { Matrix } from './matrix.js';
import { melFrequencies } from './mel.js';
import { DctFrame } from './mfcc.js';
import { badParameter } from '../errors.js';

export interface TimbreFrontEnd {
  /** dB reference: 'absolute' (librosa's ref = 1), 'max' (loudest cell), 'p95' (95th percentile of frame energies). */
  ref: 'absolute' | 'max' | 'p95';
  /** Cells more than floorDb below the reference (or, for 'absolute', below the loudest cell) are raised to that floor. */
  floorDb: number;
  /** Frames whose mean mel power is more than quietDb below the 95th percentile frame are left out (Infinity keeps all). */
  quietDb: number;
  /** Mel bands whose centre frequency lies outside [minHz, maxHz] are left out. */
  minHz: number;
  maxHz: number;
  /** Coefficients kept (from 0, or from 1 with dropC0). */
  nMfcc: number;
  /** Leave out coefficient 0 (the mean dB level of a frame). */
  dropC0: boolean;
}

/** librosa's own: what `mfcc` is (no change). */
export const LIBROSA_FRONTEND: TimbreFrontEnd = { ref: 'absolute', floorDb: 80, quietDb: Infinity, minHz: 0, maxHz: Infinity, nMfcc: 20, dropC0: false };

export function checkFrontEnd(f: TimbreFrontEnd): void {
  if (!['absolute', 'max', 'p95'].includes(f.ref)) throw badParameter('ref', f.ref, "'absolute', 'max' or 'p95'");
  if (!(f.floorDb > 0)) throw badParameter('floorDb', f.floorDb, 'a positive number of dB');
  if (!(f.quietDb > 0)) throw badParameter('quietDb', f.quietDb, 'a positive number of dB or Infinity');
  if (!(f.minHz >= 0) || !(f.maxHz > f.minHz)) throw badParameter('minHz..maxHz', [f.minHz, f.maxHz], '0 <= minHz < maxHz');
  if (!Number.isInteger(f.nMfcc) || f.nMfcc < 1) throw badParameter('nMfcc', f.nMfcc, 'a positive integer');
}

/** The 95th percentile of an array (nearest rank), 0 for an empty one. */
function p95(values: Float64Array): number {
  if (!values.length) return 0;
  const s = Float64Array.from(values).sort();
  return s[Math.min(s.length - 1, Math.floor(0.95 * (s.length - 1) + 0.5))];
}

/**
 * Similarity MFCCs [nMfcc, T'] from a mel power spectrogram [nMels, T] (T' <= T frames: the
 * frames kept). `fmax` is the mel filter bank's top frequency (sr / 2 by default). A track whose
 * frames are all quiet (or silent) keeps all its frames.
 */
export function timbreMfcc(melPower: Matrix, f: TimbreFrontEnd, o: { sr?: number; fmin?: number; fmax?: number } = {}): Matrix {
  checkFrontEnd(f);
  const { rows: nMels, cols: T, data } = melPower;
  const sr = o.sr ?? 22050;
  const centres = melFrequencies(nMels + 2, o.fmin ?? 0, o.fmax ?? sr / 2).subarray(1, nMels + 1);
  const bands: number[] = [];
  for (let m = 0; m < nMels; m++) if (centres[m] >= f.minHz && centres[m] <= f.maxHz) bands.push(m);
  if (bands.length < 2) throw badParameter('minHz..maxHz', [f.minHz, f.maxHz], 'a range holding at least 2 mel bands');
  const amin = 1e-10;
  // frame energies (mean power over the bands used)
  const energy = new Float64Array(T);
  let maxCell = 0;
  for (const m of bands) {
    for (let t = 0; t < T; t++) {
      const v = data[m * T + t];
      energy[t] += v;
      if (v > maxCell) maxCell = v;
    }
  }
  for (let t = 0; t < T; t++) energy[t] /= bands.length;
  const loud = p95(energy);
  const keep: number[] = [];
  if (Number.isFinite(f.quietDb) && loud > amin) {
    const limit = loud * 10 ** (-f.quietDb / 10);
    for (let t = 0; t < T; t++) if (energy[t] >= limit) keep.push(t);
  }
  const frames = keep.length ? keep : [...Array(T).keys()];
  const ref = f.ref === 'absolute' ? 1 : f.ref === 'max' ? Math.max(amin, maxCell) : Math.max(amin, loud);
  const refDb = 10 * Math.log10(ref);
  // the floor: relative to the reference, or (absolute) to the loudest cell as librosa's top_db
  const floor = (f.ref === 'absolute' ? 10 * Math.log10(Math.max(amin, maxCell)) : refDb) - f.floorDb;
  const nOut = f.nMfcc;
  const first = f.dropC0 ? 1 : 0;
  const dct = new DctFrame(nOut + first, bands.length);
  const full = new Float32Array((nOut + first) * frames.length);
  const col = new Float64Array(bands.length);
  frames.forEach((t, c) => {
    bands.forEach((m, b) => {
      const db = 10 * Math.log10(Math.max(amin, data[m * T + t]));
      col[b] = Math.max(db, floor) - refDb;
    });
    dct.apply(col, full, c, frames.length);
  });
  if (!first) return { rows: nOut, cols: frames.length, data: full };
  return { rows: nOut, cols: frames.length, data: full.slice(frames.length) };
}
