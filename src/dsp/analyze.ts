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
 * - spectral_frames (on request): the per-frame centroid, roll-off, flatness and energy the
 *   descriptors average (src/dsp/descriptors/spectral.ts), from the same float32 magnitudes
 *   |STFT| would hold, so the descriptors need no |STFT| matrix and no second pass over it.
 *
 * analyzeTimbre is the reduced pass for MFCCs alone (the similarity windows over a whole track).
 */
import { badParameter, YasrError } from '../errors.js';
import type { Matrix } from './matrix.js';
import { getStftFramer } from './stft.js';
import { hannWindow } from './window.js';
import { applyFilterBank, DB_PER_NEPER, fftFrequencies, melFilterBank } from './mel.js';
import { chromaRawFrame, chromaSegmentBank } from './chroma.js';
import { DctFrame, checkDctBands, dctMatrix } from './mfcc.js';
import { dspKernelError, kernelArena, type DspKernels } from './wasm-kernels.js';
import { edgePaddedCrossings, zeroCrossingRate } from './spectral.js';
import { FLOAT32_TINY, stripUndefined } from './options.js';
import { allFinite } from './finite.js';
import { binFrequencies, spectralFrame, spectralFramesFor, type SpectralFrames } from './descriptors/spectral.js';

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
  /**
   * Also return the per-frame spectral statistics of |STFT| (centroid, roll-off at 85 %,
   * flatness, energy; exactly spectralFramesOf(stft_mag)) that the descriptors average. Default false.
   */
  spectralFrames: boolean;
  /**
   * Per-frame arithmetic: 'wasm' (WebAssembly SIMD kernels, float32 like librosa), 'js' (float64
   * JavaScript) or 'auto' (wasm when available and nFft is a multiple of 8). Default 'auto'.
   */
  kernel: 'auto' | 'wasm' | 'js';
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
  /** With `spectralFrames`: spectralFramesOf(|STFT|, {sr}) (roll-off 85 %). */
  spectral_frames?: SpectralFrames;
}

/** What analyzeTimbre returns. */
export interface TimbreAnalysis {
  /**
   * [nMfcc, T]: with all bands, identical to analyzeSignal's mfcc; with `bands` < nMels, the
   * orthonormal DCT-II of the lowest `bands` rows of its mel_db (bandLimitedMfcc's values).
   */
  mfcc: Matrix;
  /** The loudest mel dB cell of each frame among those bands: with all bands, identical to frameMaxima(analyzeSignal(...).mel_db), [T]. */
  frameMaxDb: Float64Array;
  /** Mel bands the DCT and the maxima used (the lowest ones). */
  bands: number;
  /** With keepMel: the mel power [nMels, T], identical to analyzeSignal's `mel` (every band). */
  mel?: Matrix;
}

/** analyzeTimbre's options: analyzeSignal's, and the mel bands its MFCCs use. */
export interface TimbreOptions extends AnalysisOptions {
  /** The lowest `bands` mel bands only (default: all nMels; src/dsp/level-reference.ts similarityBands). */
  bands: number;
}

export const ANALYSIS_DEFAULTS: AnalysisOptions = {
  sr: 22050, nFft: 2048, hopLength: 512, nMels: 128, nMfcc: 20, nChroma: 12, keepStft: false, keepMel: false,
  spectralFrames: false, kernel: 'auto',
};

export function resolveAnalysisOptions(opts: Partial<AnalysisOptions> = {}): AnalysisOptions {
  const o = { ...ANALYSIS_DEFAULTS, ...stripUndefined(opts) };
  if (!(o.sr > 0) || !Number.isFinite(o.sr)) throw badParameter('sr', o.sr, 'a positive sample rate');
  for (const name of ['nFft', 'hopLength', 'nMels', 'nMfcc', 'nChroma'] as const) {
    if (!Number.isInteger(o[name]) || o[name] < 1) throw badParameter(name, o[name], 'a positive integer');
  }
  if (o.nFft % 2 !== 0 || o.nFft < 4) throw badParameter('nFft', o.nFft, 'an even integer >= 4');
  if (o.nMfcc > o.nMels) throw badParameter('nMfcc', o.nMfcc, `at most nMels=${o.nMels}`);
  if (!['auto', 'wasm', 'js'].includes(o.kernel)) throw badParameter('kernel', o.kernel, "'auto', 'wasm' or 'js'");
  return o;
}

/**
 * Analyse a mono signal: see the module comment for what each feature is. Throws
 * YasrError('BAD_INPUT') when y holds NaN or infinite samples. An empty signal gives one frame
 * (of a silent spectrum).
 */
export function analyzeSignal(y: Float32Array, opts: Partial<AnalysisOptions> = {}): AnalysisResult {
  const { o, T, nBins } = prepare(y, opts);
  const { nMels, nChroma } = o;
  // Pass 1 per frame (spectrum -> power, rms, centroid, zcr, chroma, mel power), then pass 2
  // per frame (mel dB, which needs the global maximum, and the DCT).
  const out: FrameOutputs = {
    melF: new Float32Array(nMels * T), // [T, nMels]; float32 like librosa's mel spectrogram
    chroma: new Float32Array(nChroma * T),
    rms: new Float32Array(T),
    centroid: new Float32Array(T),
    zcr: new Float32Array(T),
    stft: o.keepStft ? new Float32Array(nBins * T) : null,
    melDb: new Float32Array(nMels * T),
    mfcc: new Float32Array(o.nMfcc * T),
    spectral: o.spectralFrames ? spectralFramesFor(o.nFft, T) : null,
    frameMax: null,
    bands: nMels,
  };
  run(y, o, T, out);
  const { melF, chroma, rms, centroid, zcr, stft, melDb, mfcc } = out;

  const result: AnalysisResult = {
    mel_db: { rows: nMels, cols: T, data: melDb! },
    mfcc: { rows: o.nMfcc, cols: T, data: mfcc },
    chroma: { rows: nChroma, cols: T, data: chroma! },
    rms: { rows: 1, cols: T, data: rms! },
    centroid: { rows: 1, cols: T, data: centroid! },
    zcr: { rows: 1, cols: T, data: zcr! },
  };
  if (o.keepMel) result.mel = melMatrix(melF, nMels, T);
  if (stft) result.stft_mag = { rows: nBins, cols: T, data: stft };
  if (out.spectral) result.spectral_frames = out.spectral;
  return result;
}

/**
 * The MFCCs of y and the loudest mel dB cell of each frame, with analyzeSignal's arithmetic (the
 * values are identical to analyzeSignal's mfcc and to frameMaxima of its mel_db) but nothing
 * else: no chroma, RMS, centroid, zero crossings, and no mel dB matrix. This is what the
 * level-referenced similarity MFCCs over a whole track need (src/dsp/level-reference.ts).
 * With `bands` < nMels both come from the lowest `bands` mel bands only (the DCT in float64
 * JavaScript with either kernel: bandLimitedMfcc's values). keepMel also returns the mel power
 * (every band; block_patterns of a whole track read it); keepStft and spectralFrames are ignored.
 */
export function analyzeTimbre(y: Float32Array, opts: Partial<TimbreOptions> = {}): TimbreAnalysis {
  const { bands: wanted, ...rest } = opts;
  const { o, T } = prepare(y, { ...rest, keepStft: false, spectralFrames: false });
  const bands = wanted ?? o.nMels;
  checkDctBands(bands, o.nMfcc, o.nMels);
  const out: FrameOutputs = {
    melF: new Float32Array(o.nMels * T),
    chroma: null,
    rms: null,
    centroid: null,
    zcr: null,
    stft: null,
    melDb: null,
    mfcc: new Float32Array(o.nMfcc * T),
    spectral: null,
    frameMax: new Float64Array(T),
    bands,
  };
  run(y, o, T, out);
  const result: TimbreAnalysis = { mfcc: { rows: o.nMfcc, cols: T, data: out.mfcc }, frameMaxDb: out.frameMax!, bands };
  if (o.keepMel) result.mel = melMatrix(out.melF, o.nMels, T);
  return result;
}

/** The mel power the passes leave frame by frame ([T, nMels]) in librosa's layout [nMels, T]. */
function melMatrix(melF: Float32Array, nMels: number, T: number): Matrix {
  const mel = new Float32Array(nMels * T);
  for (let t = 0; t < T; t++) for (let b = 0; b < nMels; b++) mel[b * T + t] = melF[t * nMels + b];
  return { rows: nMels, cols: T, data: mel };
}

/** Options resolved, the input checked, the frame count. */
function prepare(y: Float32Array, opts: Partial<AnalysisOptions>): { o: AnalysisOptions; T: number; nBins: number } {
  if (!(y instanceof Float32Array)) throw badParameter('y', typeof y, 'a Float32Array');
  const o = resolveAnalysisOptions(opts);
  if (!allFinite(y)) {
    const i = y.findIndex((v) => !Number.isFinite(v));
    throw new YasrError('BAD_INPUT', `audio sample ${i} is not finite (${y[i]})`);
  }
  const framer = getStftFramer({ nFft: o.nFft, hopLength: o.hopLength, center: true });
  return { o, T: framer.frameCount(y.length), nBins: framer.nBins };
}

/** The per-frame passes, in the kernels when available (and asked for), else in JavaScript. */
function run(y: Float32Array, o: AnalysisOptions, T: number, out: FrameOutputs): void {
  const plan = o.kernel === 'js' ? null : wasmPlan(o);
  if (o.kernel === 'wasm' && !plan) {
    throw badParameter('kernel', 'wasm', `an available kernel (${dspKernelError() ?? `nFft=${o.nFft} needs to be a multiple of 8`})`);
  }
  if (plan) analyzeWithKernels(y, o, T, plan, out);
  else analyzeWithJs(y, o, T, out);
}

/**
 * Output buffers filled by the per-frame passes. melF and mfcc are always computed; a null
 * buffer is not (analyzeTimbre leaves chroma, rms, centroid, zcr and melDb null: then only the
 * power, the mel projection, mel dB and the DCT run per frame).
 */
interface FrameOutputs {
  melF: Float32Array;
  chroma: Float32Array | null;
  rms: Float32Array | null;
  centroid: Float32Array | null;
  zcr: Float32Array | null;
  stft: Float32Array | null;
  /** mel dB [nMels, T]. */
  melDb: Float32Array | null;
  mfcc: Float32Array;
  /** Per-frame spectral statistics of the float32 magnitudes. */
  spectral: SpectralFrames | null;
  /** The loudest mel dB value of each frame (among the lowest `bands` bands). */
  frameMax: Float64Array | null;
  /** Mel bands the DCT (and frameMax) use, the lowest ones: nMels for librosa's mfcc; fewer, a band-limited DCT in JavaScript. */
  bands: number;
}

/**
 * The passes with the WebAssembly SIMD kernels: windowing, zero crossings, |X|^2 and frame sums,
 * chroma and mel projections, the DCT (float32 arithmetic, like librosa's float32 pipeline).
 */
function analyzeWithKernels(y: Float32Array, o: AnalysisOptions, T: number, plan: WasmPlan, out: FrameOutputs): void {
  const { sr, nFft, hopLength, nMels, nChroma } = o;
  const { melF, chroma, rms, centroid, zcr, stft, mfcc, spectral } = out;
  const framer = getStftFramer({ nFft, hopLength, center: true });
  const nBins = framer.nBins;
  const half = nBins - 1;
  const freqs = fftFrequencies(sr, nFft);
  const raw = new Float64Array(nChroma);
  const rmsScale = 2 / (nFft * nFft);
  // |X| of the frame as float32 (what stft_mag holds), for stft_mag and the spectral statistics:
  // the kernel writes it beside the power
  const wantMag = !!(stft || spectral);
  const binHzs = binFrequencies(sr, nBins);
  // Pass 1 in the SIMD kernels: power, frame sums, chroma and mel projections (float32).
  const f = new Float32Array(plan.k.memory.buffer);
  const magI = plan.mag >> 2;
  const specI = plan.spec >> 2;
  const powI = plan.pow >> 2;
  const sumI = plan.sums >> 2;
  const melI = plan.melOut >> 2;
  const chI = plan.chOut >> 2;
  const nQuads = half >> 2;
  const binHz = freqs[1];
  const fft = framer.fft;
  const yI = plan.ybuf >> 2;
  const frameI = plan.frame >> 2;
  const pad = nFft >> 1;
  const n = y.length;
  const zcrLim = -Math.fround(ZCR_THRESHOLD);
  const zcrQuads = (nFft - 1) >> 2;
  for (let t = 0; t < T; t++) {
    const ct = t % WINDOW_CHUNK;
    if (ct === 0) {
      // Copy the next chunk of frames' samples (zero padded, centred) into kernel memory.
      const s0 = t * hopLength - pad;
      const len = (Math.min(T - t, WINDOW_CHUNK) - 1) * hopLength + nFft;
      const a0 = Math.min(len, Math.max(0, -s0));
      const a1 = Math.max(a0, Math.min(len, n - s0));
      f.fill(0, yI, yI + a0);
      if (a1 > a0) f.set(y.subarray(s0 + a0, s0 + a1), yI + a0);
      f.fill(0, yI + a1, yI + len);
    }
    if (zcr) {
      // zero_crossing_rate on the raw samples of this frame (edge padding only near the ends)
      const s0 = t * hopLength - pad;
      if (s0 >= 0 && s0 + nFft <= n) {
        const base = yI + ct * hopLength;
        let c = plan.k.crossings(plan.ybuf + ct * hopLength * 4, zcrQuads, zcrLim);
        for (let i = zcrQuads * 4; i < nFft - 1; i++) if (f[base + i] < zcrLim !== f[base + i + 1] < zcrLim) c++;
        zcr[t] = c / nFft;
      } else if (n > 0) {
        zcr[t] = edgePaddedCrossings(y, s0, nFft, zcrLim) / nFft;
      }
    }
    plan.k.window(plan.ybuf + ct * hopLength * 4, plan.win, plan.frame, nFft >> 2);
    fft.input.set(f.subarray(frameI, frameI + nFft));
    fft.transform();
    const spec = fft.output;
    const dc = spec[0];
    const ny = spec[1];
    f.set(spec, specI);
    f[specI] = 0; // bin 0's slot holds DC and Nyquist: they are handled here
    f[specI + 1] = 0;
    if (wantMag) plan.k.powerMag(plan.spec, plan.pow, nQuads, plan.sums, plan.mag);
    else plan.k.power(plan.spec, plan.pow, nQuads, plan.sums);
    const p0 = dc * dc;
    const pN = ny * ny;
    f[powI] = p0;
    f[powI + half] = pN;
    if (rms && centroid) {
      const pSum = f[sumI] + f[sumI + 1] + (f[sumI + 2] + f[sumI + 3]) + 0.5 * (p0 + pN);
      const magSum = f[sumI + 4] + f[sumI + 5] + (f[sumI + 6] + f[sumI + 7]) + Math.abs(dc) + Math.abs(ny);
      const wSum = binHz * (f[sumI + 8] + f[sumI + 9] + (f[sumI + 10] + f[sumI + 11])) + freqs[half] * Math.abs(ny);
      rms[t] = Math.sqrt(rmsScale * pSum);
      centroid[t] = wSum / (magSum < FLOAT32_TINY ? 1 : magSum);
    }
    if (chroma) {
      plan.k.matvec(plan.chTable, nChroma, plan.pow, plan.chOut);
      for (let c = 0; c < nChroma; c++) raw[c] = f[chI + c];
      storeNormalizedChroma(raw, chroma, t, T);
    }
    plan.k.matvec(plan.melTable, nMels, plan.pow, plan.melOut);
    const mOff = t * nMels;
    for (let b = 0; b < nMels; b++) melF[mOff + b] = f[melI + b];
    if (wantMag) {
      f[magI] = Math.sqrt(f[powI]);
      f[magI + half] = Math.sqrt(f[powI + half]);
      if (stft) for (let k = 0; k < nBins; k++) stft[k * T + t] = f[magI + k];
      if (spectral) spectralFrame(f, magI, 1, nBins, binHzs, SPECTRAL_ROLL, spectral, t);
    }
  }
  // Pass 2: dB in float64 logs (rounded to float32), DCT in the kernel.
  const dbI = plan.dbCol >> 2;
  const mfI = plan.mfccOut >> 2;
  const nMfcc = o.nMfcc;
  if (out.bands < nMels) {
    jsDctColumns(melF, nMels, nMfcc, T, out);
    return;
  }
  melDbColumns(melF, nMels, T, out.melDb, out.frameMax, nMels, (t, col) => {
    for (let b = 0; b < nMels; b++) f[dbI + b] = col[b];
    plan.k.matvec(plan.dctTable, nMfcc, plan.dbCol, plan.mfccOut);
    for (let k = 0; k < nMfcc; k++) mfcc[k * T + t] = f[mfI + k];
  });
}

/** The passes in float64 JavaScript (fallback, and a cross-check of the kernels). */
function analyzeWithJs(y: Float32Array, o: AnalysisOptions, T: number, out: FrameOutputs): void {
  const { sr, nFft, hopLength, nMels, nChroma } = o;
  const { melF, chroma, rms, centroid, zcr, stft, mfcc, spectral } = out;
  const framer = getStftFramer({ nFft, hopLength, center: true });
  const nBins = framer.nBins;
  const melBank = melFilterBank({ sr, nFft, nMels });
  const chromaBank = chromaSegmentBank({ sr, nFft, nChroma });
  const freqs = fftFrequencies(sr, nFft);
  const power = new Float64Array(nBins);
  const raw = new Float64Array(nChroma);
  const sums = new Float64Array(3);
  const rmsScale = 2 / (nFft * nFft);
  const mag = stft || spectral ? new Float32Array(nBins) : null;
  const binHzs = binFrequencies(sr, nBins);
  for (let t = 0; t < T; t++) {
    spectrumToPower(framer.load(y, t), power, freqs, sums);
    if (rms && centroid) {
      rms[t] = Math.sqrt(rmsScale * sums[0]);
      // librosa.util.normalize(norm=1) threshold: silent frames are not divided (centroid 0)
      centroid[t] = sums[2] / (sums[1] < FLOAT32_TINY ? 1 : sums[1]);
    }
    if (chroma) {
      chromaRawFrame(chromaBank, power, raw);
      storeNormalizedChroma(raw, chroma, t, T);
    }
    applyFilterBank(melBank, power, melF, t * nMels, 1);
    if (mag) {
      for (let k = 0; k < nBins; k++) mag[k] = Math.sqrt(power[k]);
      if (stft) for (let k = 0; k < nBins; k++) stft[k * T + t] = mag[k];
      if (spectral) spectralFrame(mag, 0, 1, nBins, binHzs, SPECTRAL_ROLL, spectral, t);
    }
  }
  // Pass 2, per frame: power_to_db(ref=1, amin=1e-10, top_db=80) and the DCT.
  jsDctColumns(melF, nMels, o.nMfcc, T, out);
  if (zcr) zcr.set(zeroCrossingRate(y, { frameLength: nFft, hopLength, center: true, threshold: ZCR_THRESHOLD }).data);
}

/**
 * Power of each bin from the packed spectrum, and the frame sums: sums[0] = librosa's rms
 * power sum (DC and Nyquist halved), sums[1] = sum |X|, sums[2] = sum f |X|.
 */
function spectrumToPower(spec: Float32Array, power: Float64Array, freqs: Float64Array, sums: Float64Array): void {
  const half = power.length - 1;
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
  sums[0] = pSum;
  sums[1] = magSum;
  sums[2] = wSum;
}

/** chroma[c, t] = raw[c] / max(raw), with librosa.util.normalize(norm=inf)'s tiny threshold. */
function storeNormalizedChroma(raw: Float64Array, chroma: Float32Array, t: number, T: number): void {
  const nChroma = raw.length;
  let cMax = 0;
  for (let c = 0; c < nChroma; c++) if (raw[c] > cMax) cMax = raw[c];
  const cDiv = cMax < FLOAT32_TINY ? 1 : cMax;
  for (let c = 0; c < nChroma; c++) chroma[c * T + t] = raw[c] / cDiv;
}

/** Pass 2 with the DCT in float64 JavaScript over the lowest out.bands bands (into out.mfcc). */
function jsDctColumns(melF: Float32Array, nMels: number, nMfcc: number, T: number, out: FrameOutputs): void {
  const dct = new DctFrame(nMfcc, out.bands);
  melDbColumns(melF, nMels, T, out.melDb, out.frameMax, out.bands, (t, col) => dct.apply(col, out.mfcc, t, T));
}

/**
 * mel_db = power_to_db(mel, ref=1, amin=1e-10, top_db=80) into melDb [nMels, T] (when given)
 * from the frame-major mel power melF [T, nMels], and each frame's largest dB value into
 * frameMax[t] (when given; the largest among the lowest `bands` bands); `column(t, col)` receives
 * each frame's dB values (all nMels of them, float32-rounded, in a reused buffer) for the DCT.
 */
function melDbColumns(
  melF: Float32Array,
  nMels: number,
  T: number,
  melDb: Float32Array | null,
  frameMax: Float64Array | null,
  bands: number,
  column: (t: number, col: Float64Array) => void,
): void {
  // The top_db floor needs the global maximum (log is monotonic, so take it on powers).
  let maxMel = 0;
  for (let i = 0; i < melF.length; i++) if (melF[i] > maxMel) maxMel = melF[i];
  const amin = 1e-10;
  const maxDb = DB_PER_NEPER * Math.log(Math.max(amin, maxMel));
  const floorDb = Math.fround(Math.fround(maxDb) - 80.0);
  // Powers at or below pSkip are certainly clipped to the floor: skip their logarithm.
  // (Powers at or below amin map to 10 log10(amin), itself clipped at the floor.)
  const pSkip = Math.max(amin, Math.exp(floorDb / DB_PER_NEPER) * (1 - 1e-6));
  const skipDb = Math.max(floorDb, Math.fround(DB_PER_NEPER * Math.log(amin)));
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
    }
    if (melDb) for (let b = 0; b < nMels; b++) melDb[b * T + t] = col[b];
    if (frameMax) {
      let m = -Infinity;
      for (let b = 0; b < bands; b++) if (col[b] > m) m = col[b];
      frameMax[t] = m;
    }
    column(t, col);
  }
}

/** Roll-off fraction of the spectral statistics (librosa's spectral_rolloff default, the descriptors'). */
const SPECTRAL_ROLL = 0.85;

/** librosa.zero_crossings' default threshold. */
const ZCR_THRESHOLD = 1e-10;

/** Frames whose samples are copied into kernel memory at a time (bounds its size). */
const WINDOW_CHUNK = 256;

interface WasmPlan {
  k: DspKernels;
  ybuf: number;
  win: number;
  frame: number;
  spec: number;
  pow: number;
  /** sqrt(pow), float32 */
  mag: number;
  sums: number;
  melOut: number;
  chOut: number;
  dbCol: number;
  mfccOut: number;
  melTable: number;
  chTable: number;
  dctTable: number;
}

const plans = new Map<string, WasmPlan | null>();

/** Kernel memory layout and matrices for one configuration (memoised per thread), or null. */
function wasmPlan(o: AnalysisOptions): WasmPlan | null {
  const key = `${o.sr}/${o.nFft}/${o.hopLength}/${o.nMels}/${o.nChroma}/${o.nMfcc}`;
  if (plans.has(key)) return plans.get(key)!;
  const a = kernelArena();
  let plan: WasmPlan | null = null;
  if (a && o.nFft % 8 === 0) {
    const k = a.k;
    const nBins = (o.nFft >> 1) + 1;
    const mel = melFilterBank({ sr: o.sr, nFft: o.nFft, nMels: o.nMels });
    const ch = chromaSegmentBank({ sr: o.sr, nFft: o.nFft, nChroma: o.nChroma });
    const dct = dctMatrix(o.nMfcc, o.nMels);
    const bands = Int32Array.from({ length: o.nMels + 1 }, (_, i) => i);
    const win = a.alloc(o.nFft);
    a.f32().set(hannWindow(o.nFft), win >> 2);
    plan = {
      k,
      ybuf: a.alloc((WINDOW_CHUNK - 1) * o.hopLength + o.nFft),
      win,
      frame: a.alloc(o.nFft),
      spec: a.alloc(o.nFft),
      pow: a.alloc(nBins + 4), // + zero padding read by padded quads
      mag: a.alloc(nBins + 4),
      sums: a.alloc(12),
      melOut: a.alloc(o.nMels),
      chOut: a.alloc(o.nChroma),
      dbCol: a.alloc(o.nMels + 4),
      mfccOut: a.alloc(o.nMfcc),
      melTable: a.storeRows({
        nRows: o.nMels, rowSeg: bands, segStart: mel.start, segLength: mel.length, segOffset: mel.offset, weights: mel.weights,
      }),
      chTable: a.storeRows({
        nRows: o.nChroma, rowSeg: ch.rowSeg, segStart: ch.segStart, segLength: ch.segLength, segOffset: ch.segOffset, weights: ch.w,
      }),
      dctTable: a.storeRows({
        nRows: o.nMfcc,
        rowSeg: Int32Array.from({ length: o.nMfcc + 1 }, (_, i) => i),
        segStart: new Int32Array(o.nMfcc),
        segLength: new Int32Array(o.nMfcc).fill(o.nMels),
        segOffset: Int32Array.from({ length: o.nMfcc }, (_, i) => i * o.nMels),
        weights: dct,
      }),
    };
  }
  plans.set(key, plan);
  return plan;
}
