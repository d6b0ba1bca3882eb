/**
 * Analysis windows.
 */
import { badParameter } from '../errors.js';

const cache = new Map<number, Float64Array>();

/**
 * Periodic Hann window of length n (scipy.signal.get_window('hann', n, fftbins=True)):
 * w[i] = 0.5 - 0.5 cos(2 pi i / n), i = 0 .. n-1. Float64, memoised; do not modify.
 */
export function hannWindow(n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) throw badParameter('window length', n, 'a positive integer');
  let w = cache.get(n);
  if (!w) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    cache.set(n, w);
  }
  return w;
}
