/**
 * Short-time Fourier transform, librosa 0.10.1 semantics: periodic Hann window, `center=True`
 * with zero padding of nFft/2 on both sides (pad_mode='constant'), so the number of frames is
 * T = 1 + floor(n / hopLength). With `center=false`, T = 1 + floor((n - nFft) / hopLength) and
 * the signal must hold at least nFft samples.
 *
 * The FFT is float32 (PFFFT, or the float64 JS fallback); window products and everything
 * downstream of the FFT are float64.
 */
import { badParameter } from '../errors.js';
import { createRealFft, type RealFft, type FftImplementation } from './fft.js';
import { hannWindow } from './window.js';
import type { Matrix } from './matrix.js';
import { stripUndefined } from './options.js';

export interface StftOptions {
  /** FFT size and window length. Default 2048. */
  nFft: number;
  /** Hop between frames in samples. Default 512. */
  hopLength: number;
  /** Pad nFft/2 zeros on both sides so frame t is centred on sample t * hopLength. Default true. */
  center: boolean;
  /** FFT implementation; default 'auto' (PFFFT when available). */
  fft: FftImplementation | 'auto';
}

export const STFT_DEFAULTS: StftOptions = { nFft: 2048, hopLength: 512, center: true, fft: 'auto' };

export function resolveStftOptions(opts: Partial<StftOptions> = {}): StftOptions {
  const o = { ...STFT_DEFAULTS, ...stripUndefined(opts) };
  if (!Number.isInteger(o.nFft) || o.nFft < 4 || o.nFft % 2 !== 0) throw badParameter('nFft', o.nFft, 'an even integer >= 4');
  if (!Number.isInteger(o.hopLength) || o.hopLength < 1) throw badParameter('hopLength', o.hopLength, 'a positive integer');
  return o;
}

/** Number of STFT frames for a signal of `nSamples` samples. */
export function stftFrameCount(nSamples: number, opts: Partial<StftOptions> = {}): number {
  const o = resolveStftOptions(opts);
  if (o.center) return 1 + Math.floor(nSamples / o.hopLength);
  if (nSamples < o.nFft) {
    throw badParameter('signal length', nSamples, `at least nFft=${o.nFft} samples when center=false`);
  }
  return 1 + Math.floor((nSamples - o.nFft) / o.hopLength);
}

/**
 * Computes the spectrum of one frame at a time. Reuses one FFT instance; not re-entrant.
 * `load(y, t)` returns the packed spectrum (`[Re X0, Re X(n/2), Re X1, Im X1, ...]`, see fft.ts).
 */
export class StftFramer {
  // `declare` + constructor assignment: see the note in fft.ts on class fields and V8.
  declare readonly opts: StftOptions;
  declare readonly nBins: number;
  declare readonly fft: RealFft;
  declare private readonly window: Float64Array;
  declare private readonly frame: Float32Array;
  declare private readonly spectrum: Float32Array;

  constructor(opts: Partial<StftOptions> = {}) {
    this.opts = resolveStftOptions(opts);
    this.nBins = (this.opts.nFft >> 1) + 1;
    this.fft = createRealFft(this.opts.nFft, this.opts.fft);
    this.window = hannWindow(this.opts.nFft);
    this.frame = new Float32Array(this.opts.nFft);
    this.spectrum = new Float32Array(this.opts.nFft);
  }

  frameCount(nSamples: number): number {
    return stftFrameCount(nSamples, this.opts);
  }

  /**
   * Window frame t of y (zero padded outside the signal) and transform it. Returns the packed
   * spectrum (see fft.ts) in a buffer owned by the framer, overwritten by the next call.
   */
  load(y: Float32Array, t: number): Float32Array {
    this.spectrum.set(this.transform(y, t));
    return this.spectrum;
  }

  /**
   * Like `load`, but returns the FFT's own output array (for PFFFT a view on its wasm heap),
   * without a copy; valid until the next call.
   */
  transform(y: Float32Array, t: number): Float32Array {
    const { nFft, hopLength, center } = this.opts;
    const frame = this.frame;
    const w = this.window;
    const s0 = t * hopLength - (center ? nFft >> 1 : 0);
    const n = y.length;
    const i0 = Math.max(0, -s0);
    const i1 = Math.min(nFft, n - s0);
    if (i0 >= i1) {
      frame.fill(0);
    } else {
      if (i0 > 0) frame.fill(0, 0, i0);
      // Copy, then window in place, in a plain array: several times faster in V8 than
      // input[i] = y[s0 + i] * w[i] straight into the wasm heap.
      frame.set(y.subarray(s0 + i0, s0 + i1), i0);
      for (let i = i0; i < i1; i++) frame[i] *= w[i];
      if (i1 < nFft) frame.fill(0, i1);
    }
    this.fft.input.set(frame);
    this.fft.transform();
    return this.fft.output;
  }

  /** Power |X[k]|^2 of frame t into out[0 .. nBins-1]. */
  power(y: Float32Array, t: number, out: Float64Array | Float32Array): void {
    const spec = this.load(y, t);
    const half = this.nBins - 1;
    out[0] = spec[0] * spec[0];
    out[half] = spec[1] * spec[1];
    for (let k = 1; k < half; k++) {
      const re = spec[2 * k];
      const im = spec[2 * k + 1];
      out[k] = re * re + im * im;
    }
  }
}

const framers = new Map<string, StftFramer>();

/** A memoised framer per option set (one per thread). */
export function getStftFramer(opts: Partial<StftOptions> = {}): StftFramer {
  const o = resolveStftOptions(opts);
  const key = `${o.nFft}/${o.hopLength}/${o.center}/${o.fft}`;
  let f = framers.get(key);
  if (!f) {
    f = new StftFramer(o);
    framers.set(key, f);
  }
  return f;
}

function checkSignal(y: Float32Array): void {
  if (!(y instanceof Float32Array)) throw badParameter('y', typeof y, 'a Float32Array');
}

/**
 * |STFT(y)|: magnitude spectrogram, shape [1 + nFft/2, T] (librosa layout, float32).
 * Defaults: nFft 2048, hopLength 512, center true (zero padding), periodic Hann window.
 * An empty signal gives one frame of zeros.
 */
export function stftMagnitude(y: Float32Array, opts: Partial<StftOptions> = {}): Matrix {
  return spectrogram(y, opts, 1);
}

/** |STFT(y)|^2: power spectrogram, shape [1 + nFft/2, T], same defaults as stftMagnitude. */
export function stftPower(y: Float32Array, opts: Partial<StftOptions> = {}): Matrix {
  return spectrogram(y, opts, 2);
}

function spectrogram(y: Float32Array, opts: Partial<StftOptions>, power: 1 | 2): Matrix {
  checkSignal(y);
  const framer = getStftFramer(opts);
  const T = framer.frameCount(y.length);
  const nBins = framer.nBins;
  const data = new Float32Array(nBins * T);
  const p = new Float64Array(nBins);
  for (let t = 0; t < T; t++) {
    framer.power(y, t, p);
    if (power === 2) for (let k = 0; k < nBins; k++) data[k * T + t] = p[k];
    else for (let k = 0; k < nBins; k++) data[k * T + t] = Math.sqrt(p[k]);
  }
  return { rows: nBins, cols: T, data };
}
