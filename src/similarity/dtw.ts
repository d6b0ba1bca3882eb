/**
 * Exact dynamic time warping between two frame-major sequences.
 *
 * Definition (the one `manifest.json` `dtw_definition` states): local cost = Euclidean distance
 * between frames; steps (1,1), (1,0), (0,1), all of weight 1; the distance is the summed local
 * cost of the best path from (0,0) to (n-1,m-1). Accumulated in float64; memory O(min(n, m))
 * (two rows over the shorter sequence).
 *
 * Options:
 * - `band`: Sakoe-Chiba band as a fraction of the longer sequence: cells with |i - j| <= w where
 *   w = ceil(band * max(n, m)), widened to at least |n - m| so that a path always exists.
 *   Omitted, or >= 1: unconstrained.
 * - `upperBound`: early abandoning. As soon as every cell of a row exceeds it, return `Infinity`
 *   (the true distance is then > upperBound). A result <= upperBound is exact.
 */
import { badParameter } from '../errors.js';
import { rowCostKernel, twoRowCostKernel } from './local-cost.js';
import { windowCostsSupport } from './window-costs.js';
import { dtwInWasm } from './dtw-kernel.js';

/** Options for {@link dtw}. */
export interface DtwOptions {
  /** Sakoe-Chiba band as a fraction (0, 1] of the longer sequence; default: unconstrained. */
  band?: number;
  /** Early-abandoning bound; default Infinity (never abandon). */
  upperBound?: number;
}

let rowA: Float64Array = new Float64Array(0);
let rowB: Float64Array = new Float64Array(0);
let bufX: Float64Array = new Float64Array(0);
let bufY: Float64Array = new Float64Array(0);
let costRow: Float64Array = new Float64Array(0);

/**
 * Half-width w of the Sakoe-Chiba band for sequences of n and m frames: ceil(band * max(n, m)),
 * at least |n - m|; `band` undefined or >= 1 gives max(n, m) (no constraint).
 */
export function bandWidth(n: number, m: number, band?: number): number {
  const longer = Math.max(n, m);
  if (band === undefined || band >= 1) return longer;
  if (!(band >= 0) || !Number.isFinite(band)) throw badParameter('band', band, 'a fraction in [0, 1]');
  return Math.max(Math.ceil(band * longer), Math.abs(n - m));
}

function copyInto(buf: Float64Array, src: Float32Array | Float64Array): Float64Array {
  let b = buf;
  if (b.length < src.length) b = new Float64Array(Math.max(src.length, b.length * 2));
  b.set(src);
  return b;
}

/**
 * Exact DTW distance (see module doc) between `x` (n*dim values) and `y` (m*dim values).
 * Symmetric: dtw(x, y) === dtw(y, x) up to float rounding. Frames of 4, 8, ... 64 values go to
 * the WebAssembly kernel (./dtw-kernel.ts: dtwCore's numbers to the bit); others, or
 * YASR_DTW_KERNEL=js, to dtwCore.
 * @returns the distance, or Infinity when abandoned because it exceeds `options.upperBound`
 */
export function dtw(
  x: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  dim: number,
  options: DtwOptions = {},
): number {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  if (x.length % dim !== 0 || y.length % dim !== 0) {
    throw badParameter('sequence length', [x.length, y.length], `a multiple of dim=${dim}`);
  }
  // rows over the longer sequence, columns (the two kept rows) over the shorter
  let a = x;
  let b = y;
  if (a.length < b.length) {
    a = y;
    b = x;
  }
  const n = a.length / dim;
  const m = b.length / dim;
  if (m === 0) throw badParameter('sequence frames', [x.length / dim, y.length / dim], 'at least 1 frame each');
  const w = bandWidth(n, m, options.band);
  const ub = options.upperBound ?? Infinity;
  if (windowCostsSupport(dim)) return dtwInWasm(a, b, n, m, dim, w, ub);
  if (rowA.length < m + 1) {
    rowA = new Float64Array(m + 1);
    rowB = new Float64Array(m + 1);
  }
  bufX = copyInto(bufX, a);
  bufY = copyInto(bufY, b);
  return dtwCore(bufX, bufY, n, m, dim, w, ub, rowA, rowB);
}

/**
 * Row i of the DP, columns jlo..jhi: cur[j + 1] from the previous row `prev` and the local costs
 * D[p], D[p + 1], ... (rows are indexed j+1, index 0 is a sentinel). Returns the row's minimum.
 */
function dpRow(prev: Float64Array, cur: Float64Array, D: Float64Array, p: number, i: number, jlo: number, jhi: number): number {
  // left neighbour of the first cell is outside the band
  cur[jlo] = Infinity;
  // prev[0] acts as the corner of (0,0): 0 on the first row only
  prev[0] = i === 0 ? 0 : Infinity;
  let rowMin = Infinity;
  // predecessors: up (i-1, j) = prev[j+1], left (i, j-1) = cur[j], corner (i-1, j-1) = prev[j]
  let left = cur[jlo];
  let corner = prev[jlo];
  for (let j = jlo; j <= jhi; j++, p++) {
    const up = prev[j + 1];
    let best = up < left ? up : left;
    if (corner < best) best = corner;
    const v = best + D[p];
    cur[j + 1] = v;
    if (v < rowMin) rowMin = v;
    left = v;
    corner = up;
  }
  return rowMin;
}

/** The DP over float64 buffers; rows are indexed j+1, index 0 is a sentinel. */
function dtwCore(
  X: Float64Array,
  Y: Float64Array,
  n: number,
  m: number,
  dim: number,
  w: number,
  ub: number,
  r0: Float64Array,
  r1: Float64Array,
): number {
  const kernel2 = twoRowCostKernel(dim);
  const kernel1 = rowCostKernel(dim);
  if (costRow.length < 2 * m) costRow = new Float64Array(2 * m);
  const D = costRow;
  let prev = r0;
  let cur = r1;
  prev.fill(Infinity, 0, m + 1);
  cur.fill(Infinity, 0, m + 1);
  // local costs are computed two rows at a time: D[0..] holds row i from column `base`,
  // D[m..] row i+1 from the same column
  let base = 0;
  for (let i = 0; i < n; i++) {
    const jlo = i - w > 0 ? i - w : 0;
    const jhi = i + w < m - 1 ? i + w : m - 1;
    let off: number;
    if ((i & 1) === 0) {
      if (i + 1 < n) {
        const hi2 = i + 1 + w < m - 1 ? i + 1 + w : m - 1;
        kernel2(X, i * dim, Y, 0, jlo, hi2, D, 0, m);
      } else {
        kernel1(X, i * dim, Y, 0, jlo, jhi, D, 0);
      }
      base = jlo;
      off = 0;
    } else {
      off = m;
    }
    off += jlo - base;
    // cells right of the band in this row stay Infinity (never written: the band only moves right)
    if (dpRow(prev, cur, D, off, i, jlo, jhi) > ub) return Infinity;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[m];
}
