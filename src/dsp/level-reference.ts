/**
 * Level-referenced MFCCs for similarity (issue 11: codec- and level-robust timbre).
 *
 * librosa's MFCCs take their dB from an absolute reference (power_to_db(ref=1)): a copy 6 dB
 * louder moves coefficient 0 by 6 * sqrt(n_mels) (68 with 128 bands, the orthonormal DCT), which
 * z-scoring across a catalogue then magnifies. Taking the reference from the stretch itself (its
 * loudest mel cell) removes the level and nothing else: librosa's floor (top_db) already sits
 * 80 dB below that same cell, so every other dB value keeps its distance from it, and a constant
 * subtracted from every band of a frame moves only coefficient 0 of an orthonormal DCT-II, by
 * that constant times sqrt(n_mels).
 *
 * So the level-referenced MFCCs are librosa's with row 0 shifted, identical to computing them
 * from the mel power spectrogram with ref = the loudest cell (src/dsp/timbre-frontend.ts with
 * `{ ref: 'max', floorDb: 80 }`, checked by test/dsp/level-reference.test.ts). The study that
 * chose this (benchmarks/quality/timbre-study.md): gain +-6 dB copies found themselves 98.3 %
 * of the time instead of 92-93 % for the timbre method, album precision unchanged within noise;
 * a higher floor with an 8 kHz band limit bought the rest of self-retrieval with precision (a
 * limit just below the 10 kHz cut of encoders at 22,050 Hz, later, cost none: SIMILARITY_MAX_HZ).
 *
 * The similarity vectors (timbre_summary, timbre_gauss and timbre_windows) take these from the
 * mel bands up to SIMILARITY_MAX_HZ only (bandLimitedMfcc: the same DCT over fewer bands, the
 * loudest cell among them as the reference; features version 7), so that a copy whose encoder cut
 * the top of the spectrum keeps its values. The librosa-exact `mfcc` (and `mfcc_summary`, the
 * export) stay as they are.
 */
import type { Matrix } from './matrix.js';
import { melFrequencies } from './mel.js';
import { DctFrame, checkDctBands } from './mfcc.js';
import { summaryVector, windowStarts } from './summary.js';
import { badParameter } from '../errors.js';

/**
 * The top of the band the similarity MFCCs read (Hz): mel bands whose centre lies above it are
 * left out. Encoders working at 22,050 Hz cut the top of the spectrum: LAME's MP3 at every
 * bitrate from about 10 kHz (-23 dB at 10-10.5 kHz, -70 dB above), Vorbis at low quality from
 * about 10.8 kHz, so a copy made at that rate lost what the top mel bands hold, and its MFCCs
 * (every coefficient mixes every band) and its Gaussian (a band pinned at the dB floor leaves a
 * direction of almost no variance, which the inverse covariance magnifies) stop looking like
 * the original's. 9,700 Hz keeps the bands whose filters end below 10 kHz (124 of 128 at 22,050 Hz);
 * the choice was made on one half of the corpus's albums and checked on the other
 * (benchmarks/quality/timbre-study.md, benchmarks/RESULTS.md).
 */
export const SIMILARITY_MAX_HZ = 9700;

/**
 * How many of the lowest mel bands have their centre at or below maxHz (at least `min`): the
 * bands of librosa's filter bank for nMels bands from fmin to fmax (sr / 2 by default).
 */
export function similarityBands(o: { sr: number; nMels: number; fmin?: number; fmax?: number; min?: number }, maxHz = SIMILARITY_MAX_HZ): number {
  if (!(maxHz > 0)) throw badParameter('maxHz', maxHz, 'a positive frequency in Hz');
  const centres = melFrequencies(o.nMels + 2, o.fmin ?? 0, o.fmax ?? o.sr / 2);
  let n = 0;
  while (n < o.nMels && centres[n + 1] <= maxHz) n++;
  return Math.max(n, Math.min(o.min ?? 1, o.nMels));
}

/** Band-limited MFCCs of a stretch, the loudest cell of each frame among their bands, and how many bands. */
export interface BandLimitedMfcc {
  /** [nMfcc, T] */
  mfcc: Matrix;
  /** [T] */
  maxima: Float64Array;
  bands: number;
}

/**
 * Band-limited MFCCs [nMfcc, T]: the orthonormal DCT-II of the lowest `bands` rows of a mel dB
 * matrix [nMels, T] (librosa's mfcc when bands = nMels), and the loudest of those rows' cells in
 * each frame [T]: what levelReferencedMfccOfMaxima and levelReferencedWindowsOfMaxima take, with
 * `bands` as their number of bands. analyzeTimbre(y, { bands }) gives the same values without the
 * matrix.
 */
export function bandLimitedMfcc(melDb: Matrix, bands: number, nMfcc = 20): BandLimitedMfcc {
  const { rows, cols: T, data } = melDb;
  checkDctBands(bands, nMfcc, rows);
  const dct = new DctFrame(nMfcc, bands);
  const col = new Float64Array(bands);
  const mfcc = new Float32Array(nMfcc * T);
  const maxima = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let m = -Infinity;
    for (let b = 0; b < bands; b++) {
      const v = data[b * T + t];
      col[b] = v;
      if (v > m) m = v;
    }
    maxima[t] = m;
    dct.apply(col, mfcc, t, T);
  }
  return { mfcc: { rows: nMfcc, cols: T, data: mfcc }, maxima, bands };
}

/** The loudest value of each frame of a mel dB matrix [nMels, T]: a [T] array. */
export function frameMaxima(melDb: Matrix): Float64Array {
  const { rows, cols, data } = melDb;
  const out = new Float64Array(cols).fill(-Infinity);
  for (let m = 0; m < rows; m++) {
    const off = m * cols;
    for (let t = 0; t < cols; t++) if (data[off + t] > out[t]) out[t] = data[off + t];
  }
  return out;
}

/** The largest of `maxima[from .. to)` (0 for an empty or all-silent stretch). */
function stretchMax(maxima: Float64Array, from: number, to: number): number {
  let m = -Infinity;
  for (let t = from; t < to; t++) if (maxima[t] > m) m = maxima[t];
  return Number.isFinite(m) ? m : 0;
}

/**
 * MFCCs [nMfcc, T] referenced to the loudest cell of their mel dB matrix [nMels, T] (the same
 * frames): row 0 minus sqrt(nMels) * that cell's dB; other rows unchanged (a copy).
 */
export function levelReferencedMfcc(mfcc: Matrix, melDb: Matrix): Matrix {
  if (mfcc.cols !== melDb.cols) throw new RangeError(`mfcc has ${mfcc.cols} frames, mel_db ${melDb.cols}`);
  return levelReferencedMfccOfMaxima(mfcc, frameMaxima(melDb), melDb.rows);
}

/**
 * levelReferencedMfcc from the frame maxima of the mel dB matrix (frameMaxima(melDb), as
 * analyzeTimbre gives them without the matrix) and its number of bands: the same values.
 */
export function levelReferencedMfccOfMaxima(mfcc: Matrix, maxima: Float64Array, nMels: number): Matrix {
  if (mfcc.cols !== maxima.length) throw new RangeError(`mfcc has ${mfcc.cols} frames, ${maxima.length} frame maxima`);
  const ref = stretchMax(maxima, 0, maxima.length);
  const data = Float32Array.from(mfcc.data);
  const shift = Math.sqrt(nMels) * ref;
  for (let t = 0; t < mfcc.cols; t++) data[t] -= shift;
  return { rows: mfcc.rows, cols: mfcc.cols, data };
}

/**
 * Window summaries [W, 2 * nMfcc] (src/dsp/summary.ts windowSummaries: mean then std of each
 * coefficient over each window) of level-referenced MFCCs, each window referenced to its own
 * loudest cell, as a clip cut from that stretch alone would be.
 */
export function levelReferencedWindows(mfcc: Matrix, melDb: Matrix, windowFrames: number, hopFrames: number): Matrix {
  if (mfcc.cols !== melDb.cols) throw new RangeError(`mfcc has ${mfcc.cols} frames, mel_db ${melDb.cols}`);
  return levelReferencedWindowsOfMaxima(mfcc, frameMaxima(melDb), melDb.rows, windowFrames, hopFrames);
}

/**
 * levelReferencedWindows from the frame maxima of the mel dB matrix (frameMaxima(melDb), as
 * analyzeTimbre gives them without the matrix) and its number of bands: the same values.
 */
export function levelReferencedWindowsOfMaxima(mfcc: Matrix, maxima: Float64Array, nMels: number, windowFrames: number, hopFrames: number): Matrix {
  if (mfcc.cols !== maxima.length) throw new RangeError(`mfcc has ${mfcc.cols} frames, ${maxima.length} frame maxima`);
  const starts = windowStarts(mfcc.cols, windowFrames, hopFrames);
  const len = Math.min(windowFrames, mfcc.cols);
  const dim = 2 * mfcc.rows;
  const out = new Float32Array(starts.length * dim);
  const part = new Float32Array(mfcc.rows * len);
  const scale = Math.sqrt(nMels);
  starts.forEach((s, w) => {
    for (let r = 0; r < mfcc.rows; r++) part.set(mfcc.data.subarray(r * mfcc.cols + s, r * mfcc.cols + s + len), r * len);
    const v = summaryVector({ rows: mfcc.rows, cols: len, data: part });
    v[0] -= scale * stretchMax(maxima, s, s + len);
    out.set(v, w * dim);
  });
  return { rows: starts.length, cols: dim, data: out };
}
