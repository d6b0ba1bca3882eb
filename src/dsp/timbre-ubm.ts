/**
 * The universal background model of the timbre supervector (`timbre_sv`, the supervector feature group): a
 * diagonal GMM of 64 components over the 40 dimensions of the level-referenced similarity MFCCs
 * and their deltas (the frames `timbre_gauss_delta` is fitted to). Fitted once, by
 * benchmarks/corpus/train-ubm.ts, to 150,000 frames drawn from the main part of the evaluation
 * corpus (benchmarks/corpus/build.sh; no labels read); never from its fresh part. Its values are in
 * ./timbre-ubm-data.ts (generated; a new UBM is a new features version).
 */
import type { DiagonalGmm } from './gmm.js';
import { TIMBRE_UBM_DATA } from './timbre-ubm-data.js';

/** MAP relevance factor of the timbre supervector (chosen with the UBM on the main part). */
export const TIMBRE_SV_RELEVANCE = 4;

/** Packs a GMM as base64 of float32 [weights k, means k*d, variances k*d]. */
export function packGmm(g: DiagonalGmm): string {
  const f = new Float32Array(g.k + 2 * g.k * g.d);
  f.set(g.weights, 0);
  f.set(g.means, g.k);
  f.set(g.variances, g.k + g.k * g.d);
  return Buffer.from(f.buffer).toString('base64');
}

/** The GMM that packGmm packed. */
export function unpackGmm(k: number, d: number, base64: string): DiagonalGmm {
  const b = Buffer.from(base64, 'base64');
  const f = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  if (f.length !== k + 2 * k * d) throw new Error(`UBM data holds ${f.length} values, not ${k + 2 * k * d}`);
  const w = Float64Array.from(f.subarray(0, k));
  const s = w.reduce((a, x) => a + x, 0);
  return {
    k,
    d,
    weights: w.map((x) => x / s),
    means: Float64Array.from(f.subarray(k, k + k * d)),
    variances: Float64Array.from(f.subarray(k + k * d)),
  };
}

let cached: DiagonalGmm | null = null;

/** The shipped timbre UBM (decoded once). */
export function timbreUbm(): DiagonalGmm {
  cached ??= unpackGmm(TIMBRE_UBM_DATA.k, TIMBRE_UBM_DATA.d, TIMBRE_UBM_DATA.base64);
  return cached;
}
