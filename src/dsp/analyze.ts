/**
 * One-pass feature extraction: every frame-level feature yasr stores, computed from a single
 * STFT pass (the full STFT is only materialised when `keepStft` is set).
 *
 * Semantics are librosa 0.10.1's (see README of the reference data):
 * - mel_db: power_to_db(melspectrogram(power=2, n_mels, htk=False, norm='slaney'), ref=1,
 *   amin=1e-10, top_db=80)
 * - mfcc: DCT-II (ortho) of mel_db, first nMfcc rows
 * - chroma: chroma_stft(S=|STFT|^2, tuning=0), frames normalised by their maximum
 * - rms: feature.rms(S=|STFT|), centroid: spectral_centroid(S=|STFT|)
 * - zcr: zero_crossing_rate(y, frame_length=nFft, hop_length, center=True)
 */
import { badParameter, YasrError } from '../errors.js';
import type { Matrix } from './matrix.js';
import { getStftFramer } from './stft.js';
import { applyFilterBank, DB_PER_NEPER, fftFrequencies, melFilterBank } from './mel.js';
import { chromaRawFrame, chromaSegmentBank } from './chroma.js';
import { DctFrame } from './mfcc.js';
import { zeroCrossingRate } from './spectral.js';
import { FLOAT32_TINY, stripUndefined } from './options.js';

export interface AnalysisOptions {
  /** Sample rate of y in Hz. Default 22050. */
  sr: number;
  /** FFT size and frame length. Default 2048. */
  nFft: number;
  /** Hop between frames in samples. Default 512. */
  hopLength: number;
  /** Mel bands. Default 128. */
  nMels: number;
  /** MFCC coefficients kept. Default 20. */
  nMfcc: number;
  /** Chroma bins. Default 12. */
  nChroma: number;
  /** Also return |STFT| [1 + nFft/2, T]. Default false. */
  keepStft: boolean;
  /** Also return the mel power spectrogram [nMels, T]. Default false. */
  keepMel: boolean;
}

/** Feature matrices, librosa layout [n_features, T] with T = 1 + floor(n / hopLength). */
export interface AnalysisResult {
  stft_mag?: Matrix;
  /** Mel power spectrogram (power 2). */
  mel?: Matrix;
  mel_db: Matrix;
  mfcc: Matrix;
  chroma: Matrix;
  rms: Matrix;
  centroid: Matrix;
  zcr: Matrix;
}

export const ANALYSIS_DEFAULTS: AnalysisOptions = {
  sr: 22050, nFft: 2048, hopLength: 512, nMels: 128, nMfcc: 20, nChroma: 12, keepStft: false, keepMel: false,
};

export function resolveAnalysisOptions(opts: Partial<AnalysisOptions> = {}): AnalysisOptions {
  const o = { ...ANALYSIS_DEFAULTS, ...stripUndefined(opts) };
  if (!(o.sr > 0) || !Number.isFinite(o.sr)) throw badParameter('sr', o.sr, 'a positive sample rate');
  for (const name of ['nFft', 'hopLength', 'nMels', 'nMfcc', 'nChroma'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 1) throw badParameter(name, o[name], 'a positive integer');
  }
  if (o.nFft % 2 !== 0 || o.nFft < 4) throw badParameter('nFft', o.nFft, 'an even integer >= 4');
  if (o.nMfcc > o.nMels) throw badParameter('nMfcc', o.nMfcc, `at most nMels=${o.nMels}`);
  return o;
}

/**
 * Analyse a mono signal: see the module comment for what each feature is. Throws
 * YasrError('BAD_INPUT') when y holds NaN or infinite samples. An empty signal gives one frame
 * (of a silent spectrum).
 */
export function analyzeSignal(y: Float32Array, opts: Partial<AnalysisOptions> = {}): AnalysisResult {
  if (!(y instanceof Float32Array)) throw badParameter('y', typeof y, 'a Float32Array');
  const o = resolveAnalysisOptions(opts);
  if (!allFinite(y)) {
    const i = y.findIndex((v) => !Number.isFinite(v));
    throw new YasrError('BAD_INPUT', `audio sample ${i} is not finite (${y[i]})`);
  }
  const { sr, nFft, hopLength, nMels, nChroma } = o;
  const framer = getStftFramer({ nFft, hopLength, center: true });
  const T = framer.frameCount(y.length);
  const nBins = framer.nBins;
  const half = nBins - 1;
  const melBank = melFilterBank({ sr, nFft, nMels });
  const chromaBank = chromaSegmentBank({ sr, nFft, nChroma });
  const freqs = fftFrequencies(sr, nFft);

  // Pass 1, per frame: spectrum -> power, rms, centroid, chroma, mel power (frame-major).
  const melF = new Float32Array(nMels * T); // [T, nMels]; float32 like librosa's mel spectrogram
  const chroma = new Float32Array(nChroma * T);
  const rms = new Float32Array(T);
  const centroid = new Float32Array(T);
  const stft = o.keepStft ? new Float32Array(nBins * T) : null;
  const power = new Float64Array(nBins);
  const raw = new Float64Array(nChroma);
  const rmsScale = 2 / (nFft * nFft);
  let maxMel = 0;

  for (let t = 0; t < T; t++) {
    const spec = framer.load(y, t);
    const dc = spec[0];
    const ny = spec[1];
    const p0 = dc * dc;
    const pN = ny * ny;
    power[0] = p0;
    power[half] = pN;
    const mN = Math.abs(ny);
    let magSum = Math.abs(dc) + mN;
    let wSum = freqs[half] * mN;
    let pSum = 0.5 * (p0 + pN);
    for (let k = 1; k < half; k++) {
      const re = spec[2 * k];
      const im = spec[2 * k + 1];
      const p = re * re + im * im;
      power[k] = p;
      pSum += p;
      const m = Math.sqrt(p);
      magSum += m;
      wSum += freqs[k] * m;
    }
    rms[t] = Math.sqrt(rmsScale * pSum);
    // librosa.util.normalize(norm=1) threshold: silent frames are not divided (centroid 0)
    centroid[t] = wSum / (magSum < FLOAT32_TINY ? 1 : magSum);

    chromaRawFrame(chromaBank, power, raw);
    let cMax = 0;
    for (let c = 0; c < nChroma; c++) if (raw[c] > cMax) cMax = raw[c];
    const cDiv = cMax < FLOAT32_TINY ? 1 : cMax; // normalize(norm=inf) threshold
    for (let c = 0; c < nChroma; c++) chroma[c * T + t] = raw[c] / cDiv;

    const mOff = t * nMels;
    applyFilterBank(melBank, power, melF, mOff, 1);
    for (let b = 0; b < nMels; b++) if (melF[mOff + b] > maxMel) maxMel = melF[mOff + b];
    if (stft) for (let k = 0; k < nBins; k++) stft[k * T + t] = Math.sqrt(power[k]);
  }

  // Pass 2, per frame: power_to_db(ref=1, amin=1e-10, top_db=80) and the DCT.
  // The top_db floor needs the global maximum, known after pass 1 (log is monotonic).
  const amin = 1e-10;
  const maxDb = DB_PER_NEPER * Math.log(Math.max(amin, maxMel));
  const floorDb = Math.fround(Math.fround(maxDb) - 80.0);
  // Powers at or below pFloor are certainly clipped to the floor: skip their logarithm.
  // (Powers at or below amin map to 10 log10(amin), itself clipped at the floor.)
  const pSkip = Math.max(amin, Math.exp(floorDb / DB_PER_NEPER) * (1 - 1e-6));
  const skipDb = Math.max(floorDb, Math.fround(DB_PER_NEPER * Math.log(amin)));
  const melDb = new Float32Array(nMels * T);
  const mfcc = new Float32Array(o.nMfcc * T);
  const dct = new DctFrame(o.nMfcc, nMels);
  const col = new Float64Array(nMels);
  for (let t = 0; t < T; t++) {
    const mOff = t * nMels;
    for (let b = 0; b < nMels; b++) {
      const p = melF[mOff + b];
      let db = skipDb;
      if (p > pSkip) {
        db = Math.fround(DB_PER_NEPER * Math.log(p));
        if (db < floorDb) db = floorDb;
      }
      col[b] = db;
      melDb[b * T + t] = db;
    }
    dct.apply(col, mfcc, t, T);
  }

  const result: AnalysisResult = {
    mel_db: { rows: nMels, cols: T, data: melDb },
    mfcc: { rows: o.nMfcc, cols: T, data: mfcc },
    chroma: { rows: nChroma, cols: T, data: chroma },
    rms: { rows: 1, cols: T, data: rms },
    centroid: { rows: 1, cols: T, data: centroid },
    zcr: zeroCrossingRate(y, { frameLength: nFft, hopLength, center: true }),
  };
  if (o.keepMel) {
    const mel = new Float32Array(nMels * T);
    for (let t = 0; t < T; t++) for (let b = 0; b < nMels; b++) mel[b * T + t] = melF[t * nMels + b];
    result.mel = { rows: nMels, cols: T, data: mel };
  }
  if (stft) result.stft_mag = { rows: nBins, cols: T, data: stft };
  return result;
}

/** True when no sample is NaN or infinite (v * 0 is NaN exactly for those). */
function allFinite(y: Float32Array): boolean {
  let a0 = 0;
  let a1 = 0;
  const n = y.length;
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    a0 += y[i] * 0;
    a1 += y[i + 1] * 0;
  }
  if (n2 < n) a0 += y[n2] * 0;
  return a0 + a1 === 0;
}
