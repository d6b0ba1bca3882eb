/**
 * computeDescriptors: musical descriptors of one mono signal (tempo, key, loudness, energy, ...),
 * yasr's replacement for Spotify's closed audio features. See DESCRIPTOR_DOCS for every field.
 */
import type { Matrix } from '../matrix.js';
import { badParameter } from '../../errors.js';
import { stftMagnitude } from '../stft.js';
import { melSpectrogram, powerToDb } from '../mel.js';
import { chromaFromPower } from '../chroma.js';
import { analyzeSignal } from '../analyze.js';
import { loudnessMeasures } from './loudness.js';
import { onsetStrength, onsetDetect, ONSET_SCALE_QUANTILE } from './onset.js';
import { estimateTempo } from './tempo.js';
import { estimateKey, meanChroma, type KeyProfileName, type Mode, type PitchClass } from './key.js';
import { spectralFramesOf, spectralMeansOfFrames, type SpectralFrames } from './spectral.js';
import { allFinite } from '../finite.js';

export interface Descriptors {
  /** Tempo in BPM (0 when no periodic onsets). */
  tempo: number;
  /** 0..1 */
  tempoConfidence: number;
  key: PitchClass;
  mode: Mode;
  /** 0..1 */
  keyConfidence: number;
  /** Integrated loudness, LUFS (floor -70). */
  loudness: number;
  /** 0..1 */
  energy: number;
  /** 0..1 */
  danceability: number;
  /** Hz */
  spectralCentroid: number;
  /** Hz */
  spectralRolloff: number;
  /** 0..1 */
  spectralFlatness: number;
  /** Onsets per second. */
  onsetRate: number;
  /** Loudness range, LU (dB). */
  dynamicRange: number;
  /** Seconds. */
  duration: number;
}

export interface DescriptorOptions {
  /** Sample rate of y in Hz. Default 22050. */
  sr?: number;
  /** Precomputed |STFT(y)| [1 + nFft/2, T] (nFft 2048, hop 512, centred). Computed when absent. */
  stftMag?: Matrix;
  /** Precomputed mel power spectrogram [128, T] (librosa melspectrogram defaults). */
  melPower?: Matrix;
  /** Precomputed power_to_db(melPower, ref=1, amin=1e-10, top_db=80) [128, T]; wins over melPower. */
  melDb?: Matrix;
  /** Precomputed chroma_stft [12, T] (frames max-normalised). */
  chroma?: Matrix;
  /**
   * Precomputed per-frame spectral statistics of |STFT(y)| (analyzeSignal's `spectral_frames`,
   * identical to spectralFramesOf(stftMag, {sr})); wins over stftMag for the spectral means.
   * With it, melDb (or melPower) and chroma, no |STFT| is needed at all.
   */
  spectralFrames?: SpectralFrames;
  /** Hop length of the precomputed stages, in samples. Default 512. */
  hopLength?: number;
  /** Key profile. Default 'albrecht' (Albrecht & Shanahan 2013; chosen by the tests in test/descriptors). */
  keyProfile?: KeyProfileName;
}

const clamp01 = (v: number) => (Number.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0);

/**
 * energy (0..1) = L * (0.55 + 0.15 C + 0.15 B + 0.15 R), where
 * L = clamp01((loudness + 40) / 32)     loudness term: -40 LUFS -> 0, -8 LUFS -> 1
 * C = 1 - clamp01(dynamicRange / 20)    compactness: small loudness range (dense, compressed)
 * B = clamp01(onsetRate / 8)            busyness: 8 onsets/s or more -> 1
 * R = clamp01(spectralCentroid / 3000)  brightness: centroid 3 kHz or more -> 1
 * Loudness gates the rest, so silence and very quiet audio read ~0.
 */
export function energyFrom(d: Pick<Descriptors, 'loudness' | 'dynamicRange' | 'onsetRate' | 'spectralCentroid'>): number {
  const L = clamp01((d.loudness + 40) / 32);
  const C = 1 - clamp01(d.dynamicRange / 20);
  const B = clamp01(d.onsetRate / 8);
  const R = clamp01(d.spectralCentroid / 3000);
  return clamp01(L * (0.55 + 0.15 * C + 0.15 * B + 0.15 * R));
}

function checkMatrix(name: string, m: Matrix | undefined, rows?: number): void {
  if (m === undefined) return;
  if (!m || !(m.data instanceof Float32Array) || m.data.length !== m.rows * m.cols) {
    throw badParameter(name, m ? `${m.rows}x${m.cols}` : m, 'a Matrix {rows, cols, data: Float32Array}');
  }
  if (rows !== undefined && m.rows !== rows) throw badParameter(`${name}.rows`, m.rows, String(rows));
}

function checkFrames(f: SpectralFrames | undefined, mag: Matrix | undefined): void {
  if (f === undefined) return;
  const T = f?.energy instanceof Float64Array ? f.energy.length : -1;
  const ok = T >= 0 && Number.isInteger(f.nFft) && f.nFft >= 2 && [f.centroid, f.rolloff, f.flatness].every((a) => a instanceof Float64Array && a.length === T);
  if (!ok) throw badParameter('spectralFrames', typeof f, 'per-frame statistics {nFft, energy, centroid, rolloff, flatness} of one length');
  if (mag && (mag.cols !== T || mag.rows !== f.nFft / 2 + 1)) throw badParameter('spectralFrames', `${T} frames of nFft ${f.nFft}`, `the frames of stftMag (${mag.rows}x${mag.cols})`);
}

function squared(m: Matrix): Matrix {
  const data = new Float32Array(m.data.length);
  for (let i = 0; i < data.length; i++) data[i] = m.data[i] * m.data[i];
  return { rows: m.rows, cols: m.cols, data };
}

/**
 * Descriptors of a mono signal `y` (float32, full scale 1.0) at `opts.sr` (default 22050 Hz).
 * Stages given in `opts` (stftMag [1025, T] or spectralFrames, melPower or melDb [128, T], chroma
 * [12, T]) are used as they are; missing ones are computed from y with librosa defaults (nFft
 * 2048, hop 512): all in one `analyzeSignal` pass when none is given, else each from the given
 * |STFT| (or a new one). The spectral means come from the per-frame statistics of |STFT|
 * (spectralFrames, or computed from stftMag): the same values either way.
 * Always returns finite numbers (non-finite samples count as 0). Silence and empty input give
 * tempo 0 / confidence 0, key C major with confidence 0, loudness -70 LUFS and zeros elsewhere
 * (duration as measured); clips shorter than two beat periods (e.g. 0.2 s) give tempo 0 with
 * confidence 0 and measure the rest over what there is.
 */
export function computeDescriptors(y: Float32Array, opts: DescriptorOptions = {}): Descriptors {
  if (!(y instanceof Float32Array)) throw badParameter('y', typeof y, 'a Float32Array');
  const sr = opts.sr ?? 22050;
  if (!Number.isFinite(sr) || sr <= 0) throw badParameter('sr', sr, 'a positive sample rate in Hz');
  const hop = opts.hopLength ?? 512;
  checkMatrix('stftMag', opts.stftMag);
  checkMatrix('melPower', opts.melPower);
  checkMatrix('melDb', opts.melDb);
  checkMatrix('chroma', opts.chroma, 12);
  checkFrames(opts.spectralFrames, opts.stftMag);

  // Non-finite samples would poison every sum; treat them as silence.
  const x = allFinite(y) ? y : y.map((u) => (Number.isFinite(u) ? u : 0));

  const duration = x.length / sr;
  // No stage given: one pass of the pipeline's analysis gives them all (faster than separately).
  const none = !opts.stftMag && !opts.melPower && !opts.melDb && !opts.chroma && !opts.spectralFrames;
  const a = none ? analyzeSignal(x, { sr, hopLength: hop, spectralFrames: true }) : undefined;
  const frames = opts.spectralFrames ?? a?.spectral_frames;
  // |STFT| only when a stage still needs it
  const needMag = !frames || (!opts.melDb && !opts.melPower && !a) || (!opts.chroma && !a);
  let mag: Matrix | undefined = opts.stftMag;
  if (!mag && needMag) mag = stftMagnitude(x, { hopLength: hop });
  const nFft = frames ? frames.nFft : 2 * (mag!.rows - 1);
  let power: Matrix | undefined;
  const getPower = () => (power ??= squared(mag!));
  const melDb = opts.melDb ?? a?.mel_db ?? powerToDb(opts.melPower ?? melSpectrogram(getPower(), { sr, nFft }));
  const chroma = opts.chroma ?? a?.chroma ?? chromaFromPower(getPower(), { sr, nFft });

  const env = onsetStrength(melDb, { nFft, hopLength: hop });
  const tempo = estimateTempo(env, { sr, hopLength: hop });
  const onsets = onsetDetect(env, { sr, hopLength: hop, scaleQuantile: ONSET_SCALE_QUANTILE });
  const key = estimateKey(meanChroma(chroma), opts.keyProfile ?? 'albrecht');
  const spec = spectralMeansOfFrames(frames ?? spectralFramesOf(mag!, { sr }));
  const { integrated: loudness, range: dynamicRange } = loudnessMeasures(x, { sr });
  const onsetRate = duration > 0 ? onsets.length / duration : 0;

  const d: Descriptors = {
    tempo: tempo.bpm,
    tempoConfidence: tempo.confidence,
    key: key.key,
    mode: key.mode,
    keyConfidence: key.confidence,
    loudness,
    energy: 0,
    danceability: clamp01(tempo.pulseClarity),
    spectralCentroid: spec.centroid,
    spectralRolloff: spec.rolloff,
    spectralFlatness: spec.flatness,
    onsetRate,
    dynamicRange,
    duration,
  };
  d.energy = energyFrom(d);
  for (const [k, v] of Object.entries(d)) {
    if (typeof v === 'number' && !Number.isFinite(v)) (d as unknown as Record<string, number>)[k] = 0;
  }
  return d;
}
