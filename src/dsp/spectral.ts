/**
 * Frame-level spectral and temporal features, following librosa 0.10.1:
 * `feature.rms` (both routes), `feature.spectral_centroid(S=...)`, `feature.zero_crossing_rate`.
 * Each returns a [1, T] matrix (float32); sums are float64.
 */
import { badParameter, YasrError } from '../errors.js';
import type { Matrix } from './matrix.js';
import { fftFrequencies } from './mel.js';
import { FLOAT32_TINY, stripUndefined } from './options.js';

export interface FrameOptions {
  /** Frame length in samples. Default 2048. */
  frameLength: number;
  /** Hop in samples. Default 512. */
  hopLength: number;
  /** Centre the frames on t * hopLength by padding frameLength/2 on each side. Default true. */
  center: boolean;
}

function resolveFrame(opts: Partial<FrameOptions>): FrameOptions {
  const o: FrameOptions = { frameLength: 2048, hopLength: 512, center: true, ...stripUndefined(opts) };
  if (!Number.isInteger(o.frameLength) || o.frameLength < 1) throw badParameter('frameLength', o.frameLength, 'a positive integer');
  if (!Number.isInteger(o.hopLength) || o.hopLength < 1) throw badParameter('hopLength', o.hopLength, 'a positive integer');
  return o;
}

function frameCount(n: number, o: FrameOptions): number {
  const padded = o.center ? n + 2 * (o.frameLength >> 1) : n;
  if (padded < o.frameLength) {
    throw badParameter('signal length', n, `at least frameLength=${o.frameLength} samples (after padding)`);
  }
  return 1 + Math.floor((padded - o.frameLength) / o.hopLength);
}

/**
 * RMS of one frame from its power spectrum |X[k]|^2 (k = 0 .. frameLength/2): librosa's
 * spectrogram route halves DC (and Nyquist for even frameLength), then sqrt(2 sum / frameLength^2).
 */
export function rmsFromPowerFrame(power: ArrayLike<number>, frameLength: number): number {
  const nBins = power.length;
  let acc = 0.5 * power[0];
  for (let k = 1; k < nBins - 1; k++) acc += power[k];
  acc += frameLength % 2 === 0 ? 0.5 * power[nBins - 1] : power[nBins - 1];
  return Math.sqrt((2 * acc) / (frameLength * frameLength));
}

/**
 * librosa.feature.rms(S=S, frame_length) from a magnitude spectrogram S = |STFT| of shape
 * [1 + frameLength/2, T]: result [1, T]. frameLength defaults to 2 (rows - 1).
 */
export function rmsFromMagnitude(S: Matrix, opts: { frameLength?: number } = {}): Matrix {
  const frameLength = opts.frameLength ?? 2 * (S.rows - 1);
  if (S.rows !== (frameLength >> 1) + 1) throw badParameter('S.rows', S.rows, `frameLength // 2 + 1 = ${(frameLength >> 1) + 1}`);
  const T = S.cols;
  const out = new Float32Array(T);
  const col = new Float64Array(S.rows);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < S.rows; k++) {
      const m = S.data[k * T + t];
      col[k] = m * m;
    }
    out[t] = rmsFromPowerFrame(col, frameLength);
  }
  return { rows: 1, cols: T, data: out };
}

/**
 * librosa.feature.rms(y=y, frame_length, hop_length, center, pad_mode='constant'):
 * sqrt(mean(frame^2)) of zero-padded, un-windowed frames. Result [1, T], T = 1 + floor(n / hop)
 * when centred. Defaults: frameLength 2048, hopLength 512, center true.
 */
export function rmsFromSignal(y: Float32Array, opts: Partial<FrameOptions> = {}): Matrix {
  const o = resolveFrame(opts);
  const n = y.length;
  const T = frameCount(n, o);
  const out = new Float32Array(T);
  const pad = o.center ? o.frameLength >> 1 : 0;
  const { frameLength: len, hopLength: hop } = o;
  let t = 0;
  while (t < T) {
    const s0 = t * hop - pad;
    if (s0 >= 0 && t + 3 < T && s0 + 3 * hop + len <= n) {
      // Four whole frames at once: four independent sums, each over its own frame in the same
      // order as the loop below (so the same values), which the CPU can overlap.
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      const s1 = s0 + hop, s2 = s1 + hop, s3 = s2 + hop;
      for (let i = 0; i < len; i++) {
        const v0 = y[s0 + i], v1 = y[s1 + i], v2 = y[s2 + i], v3 = y[s3 + i];
        c0 += v0 * v0;
        c1 += v1 * v1;
        c2 += v2 * v2;
        c3 += v3 * v3;
      }
      out[t] = Math.sqrt(c0 / len);
      out[t + 1] = Math.sqrt(c1 / len);
      out[t + 2] = Math.sqrt(c2 / len);
      out[t + 3] = Math.sqrt(c3 / len);
      t += 4;
      continue;
    }
    const a = Math.max(0, s0);
    const b = Math.min(n, s0 + len);
    let acc = 0;
    for (let i = a; i < b; i++) acc += y[i] * y[i];
    out[t] = Math.sqrt(acc / len);
    t++;
  }
  return { rows: 1, cols: T, data: out };
}

/**
 * Spectral centroid of one frame from its magnitudes: sum f[k] S[k] / sum S[k], with librosa's
 * normalize(norm=1) threshold (a frame whose sum is below float32 tiny is not divided: 0 for silence).
 */
export function centroidFrame(mag: ArrayLike<number>, freqs: Float64Array): number {
  let sum = 0;
  let wsum = 0;
  for (let k = 0; k < mag.length; k++) {
    sum += mag[k];
    wsum += freqs[k] * mag[k];
  }
  return wsum / (sum < FLOAT32_TINY ? 1 : sum);
}

/**
 * librosa.feature.spectral_centroid(S=S, sr) from a magnitude spectrogram [1 + nFft/2, T]:
 * result [1, T] in Hz. Defaults: sr 22050, nFft 2 (rows - 1).
 */
export function spectralCentroid(S: Matrix, opts: { sr?: number; nFft?: number } = {}): Matrix {
  const sr = opts.sr ?? 22050;
  const nFft = opts.nFft ?? 2 * (S.rows - 1);
  if (S.rows !== (nFft >> 1) + 1) throw badParameter('S.rows', S.rows, `nFft // 2 + 1 = ${(nFft >> 1) + 1}`);
  for (let i = 0; i < S.data.length; i++) {
    if (S.data[i] < 0) throw new YasrError('BAD_INPUT', 'spectral centroid is only defined for non-negative spectra');
  }
  const freqs = fftFrequencies(sr, nFft);
  const T = S.cols;
  const out = new Float32Array(T);
  const col = new Float64Array(S.rows);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < S.rows; k++) col[k] = S.data[k * T + t];
    out[t] = centroidFrame(col, freqs);
  }
  return { rows: 1, cols: T, data: out };
}

export interface ZcrOptions extends FrameOptions {
  /** |y| <= threshold counts as zero (librosa.zero_crossings default 1e-10). */
  threshold: number;
}

/**
 * librosa.feature.zero_crossing_rate(y, frame_length, hop_length, center): with center the
 * signal is padded with its edge values (mode 'edge'); within each frame, a crossing is a change
 * of sign bit between consecutive samples (|y| <= threshold counts as +0); the rate is
 * crossings / frameLength. Result [1, T]. Defaults: frameLength 2048, hopLength 512, center
 * true, threshold 1e-10. An empty signal gives T = 1 frame of 0 (numpy would refuse to edge-pad it).
 */
export function zeroCrossingRate(y: Float32Array, opts: Partial<ZcrOptions> = {}): Matrix {
  const o = resolveFrame(opts);
  const threshold = opts.threshold ?? 1e-10;
  const n = y.length;
  if (n === 0) return { rows: 1, cols: 1, data: new Float32Array(1) };
  const T = frameCount(n, o);
  const pad = o.center ? o.frameLength >> 1 : 0;
  // cum[i] = crossings between consecutive samples up to sample i (a crossing at i compares
  // y[i-1] and y[i]); edge padding adds none. Branch-free: noise makes the sign unpredictable.
  const cum = new Int32Array(n);
  let count = 0;
  if (threshold > 0) {
    // numpy.signbit after zeroing |y| <= threshold; numpy compares float32 audio with the
    // threshold rounded to float32
    const lim = -Math.fround(threshold);
    let prev = y[0] < lim ? 1 : 0;
    for (let i = 1; i < n; i++) {
      const neg = y[i] < lim ? 1 : 0;
      count += neg ^ prev;
      prev = neg;
      cum[i] = count;
    }
  } else {
    // no thresholding: numpy.signbit, for which -0.0 is negative
    let prev = y[0] < 0 || Object.is(y[0], -0) ? 1 : 0;
    for (let i = 1; i < n; i++) {
      const v = y[i];
      const neg = v < 0 || Object.is(v, -0) ? 1 : 0;
      count += neg ^ prev;
      prev = neg;
      cum[i] = count;
    }
  }
  const out = new Float32Array(T);
  const last = n - 1;
  for (let t = 0; t < T; t++) {
    // padded positions (t*hop, t*hop + frameLength - 1] are samples (lo, hi]
    const lo = t * o.hopLength - pad;
    const hi = lo + o.frameLength - 1;
    const a = lo < 0 ? 0 : lo > last ? last : lo;
    const b = hi < 0 ? 0 : hi > last ? last : hi;
    out[t] = (cum[b] - cum[a]) / o.frameLength;
  }
  return { rows: 1, cols: T, data: out };
}

/**
 * Zero crossings within one frame of an edge-padded signal (librosa's zero_crossing_rate
 * framing): the frame's sample j is y[clamp(s0 + j, 0, n - 1)], j < frameLength; counts the
 * j >= 1 where (sample j < lim) differs from (sample j-1 < lim). lim = -float32(threshold) > 0
 * (threshold > 0 only). For the frames that reach into the padding.
 */
export function edgePaddedCrossings(y: Float32Array, s0: number, frameLength: number, lim: number): number {
  const last = y.length - 1;
  let count = 0;
  let prev = y[Math.min(last, Math.max(0, s0))] < lim;
  for (let j = 1; j < frameLength; j++) {
    const neg = y[Math.min(last, Math.max(0, s0 + j))] < lim;
    if (neg !== prev) count++;
    prev = neg;
  }
  return count;
}
