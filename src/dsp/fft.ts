/**
 * Real-input forward FFTs of a fixed size.
 *
 * Two implementations share one interface:
 * - `pffft`: PFFFT compiled to WebAssembly with SIMD (`@echogarden/pffft-wasm/simd`), float32.
 *   Loaded once per module instance by a top-level await (works in the main thread and in
 *   worker_threads, each of which gets its own wasm instance).
 * - `js`: a radix-2 complex FFT of size n/2 plus the real-split post-processing, computed in
 *   float64 (fallback when the wasm module cannot load or n is not supported by PFFFT).
 *
 * Both write the spectrum in the same packed layout (PFFFT's "ordered" real layout):
 * `output[0] = Re X[0]`, `output[1] = Re X[n/2]`, then `output[2k] = Re X[k]`,
 * `output[2k+1] = Im X[k]` for k = 1 .. n/2 - 1. Transforms are unscaled (like numpy.fft.rfft).
 */
import { badParameter } from '../errors.js';
import type { PffftModule } from '@echogarden/pffft-wasm/simd';

export type FftImplementation = 'pffft' | 'js';

export interface RealFft {
  /** Transform size n. */
  readonly size: number;
  /** Which implementation this is. */
  readonly implementation: FftImplementation;
  /** Write the n real input samples here before calling `transform()`. */
  readonly input: Float32Array;
  /** Packed spectrum (length n) after `transform()`; see the module comment for the layout. */
  readonly output: Float32Array;
  /** Forward transform of `input` into `output`. */
  transform(): void;
  /** Release native memory (no-op for the JS implementation). */
  dispose(): void;
}

let pffftModule: PffftModule | null = null;
let pffftLoadError: string | null = null;
try {
  const factory = (await import('@echogarden/pffft-wasm/simd')).default;
  pffftModule = await factory();
} catch (err) {
  pffftLoadError = err instanceof Error ? err.message : String(err);
}

/** True when the PFFFT wasm module loaded; otherwise `pffftError()` says why not. */
export function pffftAvailable(): boolean {
  return pffftModule !== null;
}

export function pffftError(): string | null {
  return pffftLoadError;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 4 && (n & (n - 1)) === 0;
}

/** PFFFT (SIMD build) supports real transforms of n = 2^a 3^b 5^c with n a multiple of 32. */
function pffftSupports(n: number): boolean {
  if (!Number.isInteger(n) || n < 32 || n % 32 !== 0) return false;
  let m = n;
  for (const p of [2, 3, 5]) while (m % p === 0) m /= p;
  return m === 1;
}

// Hot classes declare their fields with `declare` and assign them in the constructor: emitted
// ES2022 class fields (define semantics, initially undefined) made V8's field access measurably
// slower in the per-frame loops.
class PffftRealFft implements RealFft {
  declare readonly implementation: 'pffft';
  declare readonly size: number;
  declare private readonly mod: PffftModule;
  declare private readonly setup: number;
  declare private readonly inPtr: number;
  declare private readonly outPtr: number;
  declare private readonly workPtr: number;
  declare private inView: Float32Array;
  declare private outView: Float32Array;

  constructor(mod: PffftModule, size: number) {
    this.implementation = 'pffft';
    this.mod = mod;
    this.size = size;
    this.setup = mod._pffft_new_setup(size, 0 /* PFFFT_REAL */);
    if (!this.setup) throw badParameter('nFft', size, 'a size PFFFT supports');
    this.inPtr = mod._pffft_aligned_malloc(size * 4);
    this.outPtr = mod._pffft_aligned_malloc(size * 4);
    this.workPtr = mod._pffft_aligned_malloc(size * 4);
    this.inView = this.outView = new Float32Array(0);
    this.refresh();
  }

  /** Views on the wasm heap; re-made when the heap grows (its old buffer is then detached). */
  private refresh(): void {
    const heap = this.mod.HEAPF32;
    this.inView = new Float32Array(heap.buffer, this.inPtr, this.size);
    this.outView = new Float32Array(heap.buffer, this.outPtr, this.size);
  }

  // A view whose buffer was detached by heap growth has length 0 (cheaper to test than .buffer).
  get input(): Float32Array {
    if (this.inView.length === 0) this.refresh();
    return this.inView;
  }

  get output(): Float32Array {
    if (this.outView.length === 0) this.refresh();
    return this.outView;
  }

  transform(): void {
    this.mod._pffft_transform_ordered(this.setup, this.inPtr, this.outPtr, this.workPtr, 0 /* FORWARD */);
  }

  dispose(): void {
    this.mod._pffft_aligned_free(this.inPtr);
    this.mod._pffft_aligned_free(this.outPtr);
    this.mod._pffft_aligned_free(this.workPtr);
    this.mod._pffft_destroy_setup(this.setup);
  }
}

/** Radix-2 real FFT in float64: complex FFT of the n/2 even/odd pairs, then the real split. */
export class JsRealFft implements RealFft {
  declare readonly implementation: 'js';
  declare readonly size: number;
  declare readonly input: Float32Array;
  declare readonly output: Float32Array;
  declare private readonly half: number;
  declare private readonly re: Float64Array;
  declare private readonly im: Float64Array;
  declare private readonly rev: Uint32Array;
  declare private readonly twCos: Float64Array; // cos(2 pi k / half), k < half/2
  declare private readonly twSin: Float64Array; // -sin(2 pi k / half)
  declare private readonly splitCos: Float64Array; // cos(2 pi k / n), k < half
  declare private readonly splitSin: Float64Array; // -sin(2 pi k / n)

  constructor(size: number) {
    this.implementation = 'js';
    this.size = size;
    if (!isPowerOfTwo(size)) throw badParameter('nFft', size, 'a power of two >= 4');
    const half = size >> 1;
    this.half = half;
    this.input = new Float32Array(size);
    this.output = new Float32Array(size);
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
    this.rev = new Uint32Array(half);
    const bits = Math.log2(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.twCos = new Float64Array(Math.max(1, half >> 1));
    this.twSin = new Float64Array(Math.max(1, half >> 1));
    for (let k = 0; k < half >> 1; k++) {
      this.twCos[k] = Math.cos((2 * Math.PI * k) / half);
      this.twSin[k] = -Math.sin((2 * Math.PI * k) / half);
    }
    this.splitCos = new Float64Array(half);
    this.splitSin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
  }

  transform(): void {
    const { half, re, im, rev, input, output, twCos, twSin } = this;
    for (let k = 0; k < half; k++) {
      const j = rev[k];
      re[j] = input[2 * k];
      im[j] = input[2 * k + 1];
    }
    // len = 2 and len = 4 stages have trivial twiddles (1 and -i).
    for (let i = 0; i + 1 < half; i += 2) {
      const ar = re[i];
      const ai = im[i];
      const br = re[i + 1];
      const bi = im[i + 1];
      re[i] = ar + br;
      im[i] = ai + bi;
      re[i + 1] = ar - br;
      im[i + 1] = ai - bi;
    }
    if (half >= 4) {
      for (let i = 0; i < half; i += 4) {
        const ar = re[i];
        const ai = im[i];
        const br = re[i + 2];
        const bi = im[i + 2];
        re[i] = ar + br;
        im[i] = ai + bi;
        re[i + 2] = ar - br;
        im[i + 2] = ai - bi;
        const cr = re[i + 1];
        const ci = im[i + 1];
        // multiply by -i: (x + iy)(-i) = y - ix
        const dr = im[i + 3];
        const di = -re[i + 3];
        re[i + 1] = cr + dr;
        im[i + 1] = ci + di;
        re[i + 3] = cr - dr;
        im[i + 3] = ci - di;
      }
    }
    for (let len = 8; len <= half; len <<= 1) {
      const hl = len >> 1;
      const step = half / len;
      for (let i = 0; i < half; i += len) {
        for (let j = 0, k = 0; j < hl; j++, k += step) {
          const wr = twCos[k];
          const wi = twSin[k];
          const a = i + j;
          const l = a + hl;
          const xr = re[l];
          const xi = im[l];
          const tr = xr * wr - xi * wi;
          const ti = xr * wi + xi * wr;
          const ar = re[a];
          const ai = im[a];
          re[l] = ar - tr;
          im[l] = ai - ti;
          re[a] = ar + tr;
          im[a] = ai + ti;
        }
      }
    }
    output[0] = re[0] + im[0];
    output[1] = re[0] - im[0];
    const { splitCos, splitSin } = this;
    for (let k = 1; k < half; k++) {
      const ar = re[k];
      const ai = im[k];
      const br = re[half - k];
      const bi = -im[half - k];
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      // O = (a - b) / (2i)
      const or = 0.5 * (ai - bi);
      const oi = -0.5 * (ar - br);
      const wr = splitCos[k];
      const wi = splitSin[k];
      output[2 * k] = er + or * wr - oi * wi;
      output[2 * k + 1] = ei + or * wi + oi * wr;
    }
  }

  dispose(): void {
    /* nothing native to free */
  }
}

/**
 * A real forward FFT of size n. `implementation` 'auto' (default) picks PFFFT when it loaded
 * and supports n, else the JS radix-2 FFT (n must then be a power of two).
 */
export function createRealFft(n: number, implementation: FftImplementation | 'auto' = 'auto'): RealFft {
  if (!Number.isInteger(n) || n < 4) throw badParameter('nFft', n, 'an integer >= 4');
  if (implementation === 'pffft' || (implementation === 'auto' && pffftModule && pffftSupports(n))) {
    if (!pffftModule) throw badParameter('fft implementation', implementation, `an available one (pffft failed to load: ${pffftLoadError})`);
    if (!pffftSupports(n)) throw badParameter('nFft', n, 'a multiple of 32 of the form 2^a 3^b 5^c for pffft');
    return new PffftRealFft(pffftModule, n);
  }
  return new JsRealFft(n);
}
