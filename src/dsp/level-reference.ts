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
 * a higher floor or band limits bought the rest of self-retrieval with precision.
 *
 * The librosa-exact `mfcc` (and `mfcc_summary`, the export) stay as they are; these feed the
 * similarity vectors timbre_summary, timbre_gauss and timbre_windows.
 */
import type { Matrix } from './matrix.js';
import { summaryVector, windowStarts } from './summary.js';

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
