/**
 * Tempo from an onset strength envelope.
 *
 * The estimate follows librosa 0.10.1 `feature.tempo` (alias `beat.tempo`): the mean over frames of
 * an autocorrelation tempogram (8 s Hann-windowed frames, centred with linear-ramp padding, each
 * frame's autocorrelation scaled to max 1), weighted by a log-normal prior on BPM (centre 120,
 * std 1 octave) through argmax(log1p(1e6 tg) + prior), tempi >= 320 BPM excluded.
 *
 * Improvement over librosa: librosa returns the BPM of an integer lag, so at 22050 Hz / hop 512
 * 120 BPM reads 117.45 or 123.05. Here the chosen lag is refined to a fraction of a frame: a
 * parabola through the tempogram peak, then the peaks near integer multiples of that lag (whose
 * position error shrinks with the multiple). The refined value stays within 5 % of the integer-lag
 * estimate.
 *
 * Confidence and pulse clarity come from a separate, mean-removed autocorrelation of the whole
 * (lightly smoothed) envelope, normalised so that a perfectly periodic envelope reads 1 and
 * noise reads about 0.
 */
import { createRealFft, type FftImplementation, type RealFft } from '../fft.js';

export interface TempoOptions {
  /** Sample rate in Hz. Default 22050. */
  sr?: number;
  /** Hop length of the envelope in samples. Default 512. */
  hopLength?: number;
  /** Prior centre in BPM. Default 120. */
  startBpm?: number;
  /** Prior std in octaves. Default 1. */
  stdBpm?: number;
  /** Autocorrelation window in seconds. Default 8. */
  acSize?: number;
  /** Tempi at or above this are excluded (BPM). Default 320 (librosa's max_tempo). */
  maxTempo?: number;
  /** Tempi below this are excluded (BPM). Default 30. librosa has no lower bound (its 8 s window
   *  reaches 7.5 BPM), which lets a single onset in a short clip read as a 20 BPM "beat". */
  minTempo?: number;
  /** Refine the integer-lag estimate to a fractional lag. Default true. */
  refine?: boolean;
}

export interface TempoEstimate {
  /** Tempo in BPM; 0 when the envelope carries no onsets. */
  bpm: number;
  /** librosa's integer-lag tempo (BPM); 0 when there are no onsets. */
  bpmLibrosa: number;
  /** Refined beat period in frames (0 when none). */
  lag: number;
  /** 0..1: mean-removed autocorrelation of the envelope at the beat period. */
  confidence: number;
  /** 0..1: the largest mean-removed autocorrelation at periods of 60..180 BPM. */
  pulseClarity: number;
}

/** Periodic Hann window (scipy get_window('hann', n, fftbins=True)). */
function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/**
 * Mean over frames of librosa's autocorrelation tempogram (`feature.tempogram(onset_envelope=env,
 * win_length=winLength, center=True, window='hann', norm=inf)` then mean over axis -1).
 * Each frame's power spectrum comes from a real FFT of size >= 2 winLength - 1, as in
 * librosa.autocorrelate; since the inverse transform is linear and each frame's autocorrelation
 * peaks at lag 0 (= its power sum / size), the frames' normalised power spectra are averaged first
 * and transformed back once (float64). Returns Float64Array(winLength), index = lag in frames.
 */
export function meanTempogram(
  env: ArrayLike<number>,
  winLength: number,
  fftImpl: FftImplementation | 'auto' = 'auto',
): Float64Array {
  const n = env.length;
  const half = Math.floor(winLength / 2);
  const padded = new Float64Array(n + 2 * half);
  if (n > 0) {
    const first = env[0], last = env[n - 1];
    for (let i = 0; i < half; i++) {
      padded[i] = (first * i) / half; // numpy linear_ramp to end value 0
      padded[half + n + i] = (last * (half - 1 - i)) / half;
    }
    for (let i = 0; i < n; i++) padded[half + i] = env[i];
  }
  const w = hann(winLength);
  const sum = new Float64Array(winLength);
  let size = 32;
  while (size < 2 * winLength - 1) size *= 2;
  const fft = getFft(size, fftImpl);
  const { input, output } = fft;
  const hs = size / 2;
  // Each frame's autocorrelation ac_t = IDFT(P_t) / size peaks at lag 0 (|ac[m]| <= ac[0],
  // Cauchy-Schwarz), and ac_t[0] = sum_k P_t[k] / size (Parseval). The inverse transform is linear,
  // so the mean of the normalised autocorrelations is the inverse transform of the mean normalised
  // power spectrum: one forward FFT per frame, and one inverse (float64, winLength lags) at the end.
  const pSum = new Float64Array(hs + 1);
  const pow = new Float64Array(hs + 1); // this frame's P[k]
  let frames = 0;
  // The zeros after the window stay: neither FFT writes its input.
  input.fill(0, winLength);
  for (let t = 0; t < n; t++) {
    let any = false;
    for (let i = 0; i < winLength; i++) {
      const v = padded[t + i] * w[i];
      input[i] = v;
      if (v !== 0) any = true;
    }
    if (!any) continue; // an all-zero frame has an all-zero autocorrelation
    fft.transform();
    // Power spectrum P[k], k = 0..hs (even: P[size-k] = P[k]).
    const p0 = output[0] * output[0];
    const pN = output[1] * output[1];
    let e = p0 + pN;
    for (let k = 1; k < hs; k++) {
      const re = output[2 * k], im = output[2 * k + 1];
      const p = re * re + im * im;
      pow[k] = p;
      e += 2 * p;
    }
    let peak = e / size;
    if (peak < 1.1754943508222875e-38) peak = 1; // librosa normalize: tiny norms left unscaled
    const s = 1 / (peak * size);
    pSum[0] += p0 * s;
    pSum[hs] += pN * s;
    for (let k = 1; k < hs; k++) pSum[k] += pow[k] * s;
    frames++;
  }
  if (frames === 0) return sum;
  // sum[m] = sum_k P[k] cos(2 pi k m / size) over k = 0..size-1, with P even.
  const cos = cosTable(size);
  for (let m = 0; m < winLength; m++) {
    const ends = pSum[0] + (m & 1 ? -pSum[hs] : pSum[hs]);
    let idx = 0;
    let inner = 0;
    for (let k = 1; k < hs; k++) {
      idx += m;
      if (idx >= size) idx -= size;
      inner += pSum[k] * cos[idx];
    }
    sum[m] = (ends + 2 * inner) / n;
  }
  return sum;
}

const cosTables = new Map<number, Float64Array>();
function cosTable(size: number): Float64Array {
  let c = cosTables.get(size);
  if (!c) {
    c = new Float64Array(size);
    for (let i = 0; i < size; i++) c[i] = Math.cos((2 * Math.PI * i) / size);
    cosTables.set(size, c);
  }
  return c;
}

const fftCache = new Map<string, RealFft>();
function getFft(size: number, impl: FftImplementation | 'auto'): RealFft {
  const key = `${size}/${impl}`;
  let f = fftCache.get(key);
  if (!f) {
    f = createRealFft(size, impl);
    fftCache.set(key, f);
  }
  return f;
}

/** Vertex offset (-0.5..0.5) of the parabola through (−1, a), (0, b), (1, c); 0 if b is not a local max. */
function parabolicOffset(a: number, b: number, c: number): number {
  const den = a - 2 * b + c;
  if (!(b >= a && b >= c) || den >= 0) return 0;
  const d = (0.5 * (a - c)) / den;
  return Math.max(-0.5, Math.min(0.5, d));
}

/** Fractional-lag refinement of an integer peak lag `k0` in `tg` (see the module comment). */
function refineLag(tg: Float64Array, k0: number): number {
  const n = tg.length;
  if (k0 < 1 || k0 + 1 >= n) return k0;
  let lag = k0 + parabolicOffset(tg[k0 - 1], tg[k0], tg[k0 + 1]);
  // Harmonics: peaks near m * lag, used while they stay inside the first half of the window,
  // where the Hann taper leaves them well above the noise.
  for (let m = 2; m * lag < n / 2; m++) {
    const c = Math.round(m * lag);
    let best = c;
    for (let j = c - 1; j <= c + 1; j++) if (j >= 1 && j + 1 < n && tg[j] > tg[best]) best = j;
    if (best < 1 || best + 1 >= n) break;
    if (!(tg[best] >= tg[best - 1] && tg[best] >= tg[best + 1])) break; // not a real peak: stop
    const cand = (best + parabolicOffset(tg[best - 1], tg[best], tg[best + 1])) / m;
    if (Math.abs(cand - lag) > 0.5 / m + 0.05 * lag) break;
    lag = cand;
  }
  return Math.abs(lag - k0) <= 0.05 * k0 ? lag : k0;
}

/**
 * Mean-removed (biased: sums over the overlap divided by n, so long lags with little overlap
 * are discounted) autocorrelation of `env` after a [1 2 3 2 1]/9 smoothing (so beat periods
 * that fall between frames still correlate), normalised by lag 0. r[k] for k in [0, maxLag].
 * All zeros when the envelope is constant.
 */
export function onsetAutocorrelation(env: ArrayLike<number>, maxLag: number): Float64Array {
  const n = env.length;
  const r = new Float64Array(maxLag + 1);
  if (n < 2) return r;
  const kern = [1, 2, 3, 2, 1];
  const x = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0, ws = 0;
    for (let j = -2; j <= 2; j++) {
      const i = t + j;
      if (i >= 0 && i < n) { s += kern[j + 2] * env[i]; ws += kern[j + 2]; }
    }
    x[t] = s / ws;
  }
  let mean = 0;
  for (let t = 0; t < n; t++) mean += x[t];
  mean /= n;
  for (let t = 0; t < n; t++) x[t] -= mean;
  let r0 = 0;
  for (let t = 0; t < n; t++) r0 += x[t] * x[t];
  r0 /= n;
  if (!(r0 > 1e-20)) return r;
  for (let k = 0; k <= maxLag && k < n; k++) {
    let s = 0;
    for (let t = 0; t + k < n; t++) s += x[t] * x[t + k];
    r[k] = s / n / r0;
  }
  return r;
}

/** Linear interpolation of r at fractional index `p`, clamped into 0..1. */
function clampAt(r: Float64Array, p: number): number {
  const i = Math.floor(p);
  if (i < 0 || i >= r.length) return 0;
  const v = i + 1 < r.length ? r[i] + (r[i + 1] - r[i]) * (p - i) : r[i];
  return Math.max(0, Math.min(1, v));
}

/**
 * Estimate tempo from an onset envelope `env` (Float32Array(T), frames of `hopLength` samples).
 * All-zero / empty / non-finite envelope: bpm 0, confidence 0, pulseClarity 0.
 */
export function estimateTempo(env: ArrayLike<number>, opts: TempoOptions = {}): TempoEstimate {
  const sr = opts.sr ?? 22050;
  const hop = opts.hopLength ?? 512;
  const startBpm = opts.startBpm ?? 120;
  const stdBpm = opts.stdBpm ?? 1;
  const maxTempo = opts.maxTempo ?? 320;
  const minTempo = opts.minTempo ?? 30;
  const none: TempoEstimate = { bpm: 0, bpmLibrosa: 0, lag: 0, confidence: 0, pulseClarity: 0 };
  let energy = 0;
  for (let i = 0; i < env.length; i++) {
    if (!Number.isFinite(env[i])) return none;
    energy += Math.abs(env[i]);
  }
  if (!(energy > 0)) return none;

  const winLength = Math.max(2, Math.floor(((opts.acSize ?? 8) * sr) / hop)); // time_to_frames
  const tg = meanTempogram(env, winLength);
  const bpmOf = (lag: number) => (60 * sr) / (hop * lag);
  let best = -1, bestScore = -Infinity;
  for (let k = 1; k < winLength; k++) {
    const bpm = bpmOf(k);
    if (bpm >= maxTempo || bpm < minTempo) continue;
    const lp = Math.log2(bpm) - Math.log2(startBpm);
    const score = Math.log1p(1e6 * Math.max(0, tg[k])) - 0.5 * (lp / stdBpm) ** 2;
    if (score > bestScore) { bestScore = score; best = k; }
  }
  // Two beats at least: an envelope shorter than two periods says nothing about a tempo.
  if (best < 1 || env.length < 2 * best) return none;
  const lag = (opts.refine ?? true) ? refineLag(tg, best) : best;

  const minLag = Math.floor(bpmOf(180));
  const maxLag = Math.ceil(bpmOf(60));
  const r = onsetAutocorrelation(env, Math.max(maxLag, Math.ceil(lag) + 1));
  let pulse = 0;
  for (let k = Math.max(1, minLag); k <= maxLag && k < r.length; k++) pulse = Math.max(pulse, r[k]);
  return {
    bpm: bpmOf(lag),
    bpmLibrosa: bpmOf(best),
    lag,
    confidence: clampAt(r, lag),
    pulseClarity: Math.max(0, Math.min(1, pulse)),
  };
}
