import { decodeAudio } from '../audio/decode.js';
import { trimInterval, centralExcerpt } from '../audio/trim.js';
import { analyzeSignal, analyzeTimbre } from '../dsp/analyze.js';
import { allFinite } from '../dsp/finite.js';
import { bandLimitedMfcc, levelReferencedMfccOfMaxima, levelReferencedWindowsOfMaxima, similarityBands, type BandLimitedMfcc } from '../dsp/level-reference.js';
import type { SpectralFrames } from '../dsp/descriptors/spectral.js';
import { summaryVector } from '../dsp/summary.js';
import { blockPatternVector } from '../dsp/block-level.js';
import { withDeltas } from '../dsp/delta.js';
import { meanSupervector } from '../dsp/gmm.js';
import { timbreUbm, TIMBRE_SV_RELEVANCE } from '../dsp/timbre-ubm.js';
import { TIMBRE_SV } from './similarity/defaults.js';
import type { Matrix } from '../dsp/matrix.js';
import { fitGaussian } from '../similarity/gaussian.js';
import { YasrError } from '../errors.js';
import type { FeatureOptions } from './feature-options.js';
import type { DescribeResult } from './describe.js';
import type { Descriptors } from '../dsp/descriptors/index.js';

export interface TrackAnalysis {
  /** Named matrices, librosa layout [n_features, n_frames]; summaries are [1, 2*rows]. */
  features: Record<string, Matrix>;
  meta: {
    /** Seconds decoded from the file and where they started. */
    decodedSeconds: number;
    offset: number;
    /** [start, end) samples kept by trimming, relative to the decoded signal. */
    trim: [number, number];
    analysedSeconds: number;
    silent: boolean;
    descriptors?: Descriptors;
  };
}

/**
 * `timbre_windows`: level-referenced MFCC mean+std of 30 s windows every 10 s over the whole trimmed track (up to
 * maxSeconds), [W, 40]. The cosine method matches a track's central excerpt against the other
 * track's windows, so a 30 s preview cut from anywhere finds its full track (window length and
 * hop chosen on a training part of the game-soundtrack corpus, benchmarks/RESULTS.md).
 */
export const MFCC_WINDOW_SECONDS = 30;
export const MFCC_WINDOW_HOP_SECONDS = 10;

/** The signal the features stage analyses, and where it came from in the file. */
export interface AnalysedSignal {
  /** Mono samples at o.sr: trimmed, then cut to the central excerpt (a view into the decoded window). */
  y: Float32Array;
  /** Seconds decoded from the file and where they started. */
  decodedSeconds: number;
  offset: number;
  /** [start, end) samples kept by trimming, relative to the decoded window. */
  trim: [number, number];
  /** Where y starts in the decoded window, in samples (trim start + excerpt start). */
  start: number;
  /** Trimming found nothing but silence: y is the untrimmed (excerpted) window. */
  silent: boolean;
  /** The whole trimmed track (up to o.maxSeconds; the similarity windows cover it). */
  whole: Float32Array;
  /** Everything decoded (the file up to o.maxSeconds, untrimmed); y and whole are views into it. */
  decoded: Float32Array;
}

/**
 * Decode, trim and cut the central excerpt of one file, exactly as the features stage does
 * (`yasr plot` shows the same signal), following librosa: the whole file (up to o.maxSeconds)
 * is decoded by one ffmpeg process, trimmed, and the excerpt taken at the centre of what trimming
 * kept. (Decoding only a window around the file's centre would save decoding time, but lands in
 * padding when a short sound is followed by a minute of digital silence, as game jingles are; and
 * the similarity windows need the whole track anyway.)
 */
export async function decodeAnalysedSignal(
  ffmpeg: string,
  file: string,
  _durationHint: number | null,
  o: FeatureOptions,
  times?: StageTimes,
): Promise<AnalysedSignal> {
  const sr = o.sr;
  const clock = stageClock(times);
  const decoded = await decodeAudio(ffmpeg, file, { sr, offset: 0, duration: o.maxSeconds });
  clock('decode');
  checkFinite(decoded, file);
  let y = decoded;
  let trim: [number, number] = [0, y.length];
  if (o.trim === 'librosa') trim = trimInterval(y, { topDb: 60, frameLength: 2048, hopLength: 512 });
  const silent = trim[1] <= trim[0];
  // Digital silence trims to nothing: analyse it untrimmed so its (finite) features exist.
  if (!silent) y = y.subarray(trim[0], trim[1]);
  const whole = y;
  if (o.excerpt !== 'full') y = centralExcerpt(y, o.excerpt, sr);
  const start = (y.byteOffset - decoded.byteOffset) / Float32Array.BYTES_PER_ELEMENT;
  clock('trim');
  return { y, decodedSeconds: decoded.length / sr, offset: 0, trim, start, silent, whole, decoded };
}

/** The stages analyzeTrack hands to `describe`: what the one-pass analysis already computed. */
export interface DescribeStages {
  sr: number;
  stftMag?: Matrix;
  melPower?: Matrix;
  melDb?: Matrix;
  chroma?: Matrix;
  /** Per-frame spectral statistics of |STFT| (analyzeSignal's spectral_frames). */
  spectralFrames?: SpectralFrames;
}

export type Describe = (y: Float32Array, stages: DescribeStages) => DescribeResult;

/**
 * Time spent per stage, for benchmarks: milliseconds of `clock` (default performance.now, i.e.
 * wall time; a benchmark on a loaded machine may pass a CPU clock) added up into `ms` per stage:
 * decode (the ffmpeg process, or the in-process WAV reader), trim (finiteness check, trimming,
 * excerpt), analysis (the one-pass analysis of the excerpt), windows (timbre_windows and the
 * timbre Gaussian over the whole trimmed track), blocks (block_patterns of the whole trimmed
 * track's mel power, which the windows' pass computes), descriptors, summaries
 * (everything else: summary vectors, finiteness checks of what is stored).
 */
export interface StageTimes {
  ms: Record<string, number>;
  clock?: () => number;
}

/** Decode, trim, cut the central excerpt (decodeAnalysedSignal) and analyse one file. */
export async function analyzeTrack(
  ffmpeg: string,
  file: string,
  durationHint: number | null,
  o: FeatureOptions,
  describe?: Describe,
  times?: StageTimes,
): Promise<TrackAnalysis> {
  const s = await decodeAnalysedSignal(ffmpeg, file, durationHint, o, times);
  return analyzeDecoded(s, file, o, describe, times);
}

/** analyzeTrack after decoding: the features of a decoded, trimmed signal (`file` names it in errors). */
export function analyzeDecoded(s: AnalysedSignal, file: string, o: FeatureOptions, describe?: Describe, times?: StageTimes): TrackAnalysis {
  const sr = o.sr;
  const { y, decodedSeconds, offset, trim, silent, whole } = s;
  const clock = stageClock(times);
  const keepStft = o.keep.includes('stft');
  const keepMel = o.keep.includes('mel');
  // the descriptors' spectral statistics come out of the same pass (no |STFT| matrix for them);
  // the mel power also feeds block_patterns (mfcc group)
  const spectralFrames = o.groups.includes('descriptors') && !!describe;
  const r = analyzeSignal(y, { sr, keepStft, keepMel: keepMel || o.groups.includes('mfcc'), spectralFrames });
  clock('analysis');
  const features: Record<string, Matrix> = {};
  const add = (name: string, m: Matrix | undefined) => {
    if (!m) return;
    if (!allFinite(m.data)) throw new YasrError('ANALYSIS_FAILED', `${file}: ${name} has a non-finite value`);
    features[name] = m;
  };
  const summary = (name: string, m: Matrix) => {
    const v = summaryVector(m);
    add(`${name}_summary`, { rows: 1, cols: v.length, data: v });
  };
  if (o.groups.includes('mfcc')) {
    add('mfcc', r.mfcc);
    summary('mfcc', r.mfcc);
    // the similarity vectors: MFCCs of the mel bands below SIMILARITY_MAX_HZ, referenced to
    // their own loudest cell (src/dsp/level-reference.ts)
    const bands = similarityBands({ sr, nMels: r.mel_db.rows, min: r.mfcc.rows });
    const limited = bandLimitedMfcc(r.mel_db, bands, r.mfcc.rows);
    const timbre = levelReferencedMfccOfMaxima(limited.mfcc, limited.maxima, bands);
    summary('timbre', timbre);
    clock('summaries');
    // the whole trimmed track's MFCCs: its windows, and its Gaussian
    const w = wholeTimbre(o, y, whole, limited, timbre, r.mel!);
    add('timbre_windows', w.windows);
    const g = fitGaussian(w.mfcc.data, w.mfcc.rows, w.mfcc.cols);
    add('timbre_gauss', { rows: 1, cols: g.length, data: g });
    // the timbre method's default: the same frames with their deltas (features version 10)
    const wd = withDeltas(w.mfcc);
    const gd = fitGaussian(wd.data, wd.rows, wd.cols);
    add('timbre_gauss_delta', { rows: 1, cols: gd.length, data: gd });
    // on request (the supervector group), the same frames' GMM mean supervector against the shipped UBM
    if (o.groups.includes('supervector')) {
      const sv = meanSupervector(timbreUbm(), wd, TIMBRE_SV_RELEVANCE);
      add(TIMBRE_SV, { rows: 1, cols: sv.length, data: sv });
    }
    clock('windows');
    // block-level patterns (rhythm, onsets, band co-movement) of the whole trimmed track's mel
    // power: the blocks method (and hybrid's blocks part)
    add('block_patterns', blockPatternVector(w.mel));
    clock('blocks');
  }
  if (o.groups.includes('mel')) add('mel_db', r.mel_db);
  if (o.groups.includes('chroma')) {
    add('chroma', r.chroma);
    summary('chroma', r.chroma);
  }
  if (o.groups.includes('spectral')) {
    add('rms', r.rms);
    add('centroid', r.centroid);
    add('zcr', r.zcr);
    const rows = 3;
    const cols = r.rms.cols;
    const stacked = new Float32Array(rows * cols);
    stacked.set(r.rms.data, 0);
    stacked.set(r.centroid.data, cols);
    stacked.set(r.zcr.data, 2 * cols);
    summary('spectral', { rows, cols, data: stacked });
  }
  if (o.keep.includes('stft')) add('stft_mag', r.stft_mag);
  if (o.keep.includes('mel')) add('mel_power', r.mel);
  clock('summaries');
  let descriptors: Descriptors | undefined;
  if (o.groups.includes('descriptors') && describe) {
    // mel_db is power_to_db(mel) as computeDescriptors would compute it (identical values), and
    // spectral_frames the statistics it would take from |STFT| (identical values).
    const d = describe(y, { sr, stftMag: r.stft_mag, melDb: r.mel_db, chroma: r.chroma, spectralFrames: r.spectral_frames });
    descriptors = d.record;
    add('descriptors', { rows: 1, cols: d.vector.length, data: d.vector });
    clock('descriptors');
  }
  return {
    features,
    meta: { decodedSeconds, offset, trim, analysedSeconds: y.length / sr, silent, descriptors },
  };
}

/** A function that adds the clock's milliseconds since its last call (or its creation) to times.ms[name]. */
function stageClock(times: StageTimes | undefined): (name: string) => void {
  if (!times) return () => {};
  const clock = times.clock ?? (() => performance.now());
  let t = clock();
  return (name) => {
    const now = clock();
    times.ms[name] = (times.ms[name] ?? 0) + (now - t);
    t = now;
  };
}

function checkFinite(y: Float32Array, file: string): void {
  if (!allFinite(y)) throw new YasrError('ANALYSIS_FAILED', `${file}: decoded audio holds non-finite samples`);
}

/**
 * The whole trimmed track's timbre: `windows`, the `timbre_windows` matrix (window summaries of
 * the level-referenced band-limited MFCCs, each window referenced to its own loudest cell), and
 * `mfcc`, those MFCCs referenced to the whole track's loudest cell, which `timbre_gauss` is
 * fitted to (a Gaussian of every frame of the track: held out on the corpus, the timbre method's
 * precision@10 rose from 0.290 to 0.339 and hybrid's from 0.304 to 0.346 over the central
 * excerpt's; benchmarks/RESULTS.md), and `timbre_gauss_delta` to them with their deltas
 * (src/dsp/delta.ts; timbre's precision@10 within the held-out halves 0.339 -> 0.363). `excerpt` is the analysed signal, `limited` its band-limited
 * MFCCs, `excerptTimbre` those level-referenced and `excerptMel` its mel power (all reused when
 * the excerpt is the whole track); `whole` the whole trimmed signal, of which only the
 * band-limited MFCCs, the loudest cell of each frame among their bands and the mel power are
 * computed (analyzeTimbre with the same `bands`: the values bandLimitedMfcc gives from
 * analyzeSignal's mel_db, and analyzeSignal's mel, without its other features). `mel`, the whole
 * track's mel power, is what block_patterns are taken from (features version 9; the central
 * excerpt's before: held out on the corpus, blocks rose from 0.325 to 0.361 on seed 1,
 * benchmarks/RESULTS.md).
 */
export function wholeTimbre(
  o: FeatureOptions,
  excerpt: Float32Array,
  whole: Float32Array,
  limited: BandLimitedMfcc,
  excerptTimbre: Matrix,
  excerptMel: Matrix,
): { windows: Matrix; mfcc: Matrix; mel: Matrix } {
  const sr = o.sr;
  const frames = (s: number) => Math.max(1, Math.round((s * sr) / 512));
  if (whole.length === excerpt.length) {
    return {
      windows: levelReferencedWindowsOfMaxima(limited.mfcc, limited.maxima, limited.bands, frames(MFCC_WINDOW_SECONDS), frames(MFCC_WINDOW_HOP_SECONDS)),
      mfcc: excerptTimbre,
      mel: excerptMel,
    };
  }
  const a = analyzeTimbre(whole, { sr, bands: limited.bands, keepMel: true });
  return {
    windows: levelReferencedWindowsOfMaxima(a.mfcc, a.frameMaxDb, a.bands, frames(MFCC_WINDOW_SECONDS), frames(MFCC_WINDOW_HOP_SECONDS)),
    mfcc: levelReferencedMfccOfMaxima(a.mfcc, a.frameMaxDb, a.bands),
    mel: a.mel!,
  };
}
