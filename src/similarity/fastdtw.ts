/**
 * FastDTW (Salvador & Chan 2007), computing exactly what the Python `fastdtw` package 0.3.4
 * computes with its C (Cython) extension for `fastdtw(x, y, radius, dist=2)`:
 *
 * - recursion: while both sequences have at least `radius + 2` frames, halve both by averaging
 *   consecutive frame pairs (an odd last frame is dropped), solve the coarse problem, project its
 *   warping path to the finer level and widen it by `radius` cells in every direction
 *   (the package's `__expand_window`: per-row y bounds, widened over x±radius, then doubled);
 * - the base case is full DTW;
 * - inside a window the accumulated cost is `min(up, left, corner) + d` with the package's
 *   tie-breaking (`up` only if strictly smaller than both others, then `left` if strictly smaller
 *   than `corner`, else `corner`); "up" is (x-1, y), "left" (x, y-1), "corner" (x-1, y-1);
 * - the window's cell links reproduce the package's index arithmetic, including its quirk that the
 *   diagonal step into (x, high(x-1) + 1) is not allowed.
 *
 * Local cost: Euclidean distance between frames, accumulated in float64. Inputs are frame-major
 * (frame t at `t*dim .. t*dim+dim-1`); float32 inputs are widened to float64 first, as the package
 * does with `np.asanyarray(x, dtype='float')`.
 *
 * Implementation: flat typed arrays reused across calls (per thread), no per-cell allocation.
 * For frames of 4, 8, ... 64 values the pyramids live in a WebAssembly module's memory and each
 * window's local costs come from one SIMD call (src/similarity/window-costs.ts: the same values
 * as the JavaScript kernel, to the bit); `YASR_DTW_KERNEL=js` keeps the JavaScript kernel.
 */
import { badParameter } from '../errors.js';
import { rowCostKernel } from './local-cost.js';
import { arena, windowCostKernel, windowCostsSupport, type Arena } from './window-costs.js';

/** Options for {@link fastdtw}. */
export interface FastDtwOptions {
  /** Window radius at each level (package default 1). Integer >= 1. */
  radius?: number;
}

/** Result of {@link fastdtwPath}: the distance and the warping path (pairs of frame indices). */
export interface FastDtwPathResult {
  distance: number;
  /** Path frame indices into `x`, length L. */
  pathX: Int32Array;
  /** Path frame indices into `y`, length L. */
  pathY: Int32Array;
}

// ---- scratch buffers, grown on demand (one set per thread; no allocation per call) ----
let costBuf: Float64Array = new Float64Array(1024);
let prevBuf: Int32Array = new Int32Array(1024);
let pathXBuf: Int32Array = new Int32Array(1024);
let pathYBuf: Int32Array = new Int32Array(1024);
let distBuf: Float64Array = new Float64Array(1024);
/** All pyramid levels of x (then y) back to back, level 0 first. */
let pyrX: Float64Array = new Float64Array(1024);
let pyrY: Float64Array = new Float64Array(1024);
/** Window rows: lo/hi (fine level) and the expansion's intermediate bounds. */
let loBuf: Int32Array = new Int32Array(1024);
let hiBuf: Int32Array = new Int32Array(1024);
let lo1Buf: Int32Array = new Int32Array(1024);
let hi1Buf: Int32Array = new Int32Array(1024);
let lo2Buf: Int32Array = new Int32Array(1024);
let hi2Buf: Int32Array = new Int32Array(1024);

/** Where the wasm kernel's window bounds and costs go in its memory (bytes), after the pyramids. */
interface WasmLayout {
  kernel: ReturnType<typeof windowCostKernel>;
  loAt: number;
  hiAt: number;
  dAt: number;
}
/** Views of the wasm kernel's memory (renewed when it grows). */
let wasmViews: Arena | undefined;

function growF64(a: Float64Array, n: number): Float64Array {
  return a.length >= n ? a : new Float64Array(Math.max(n, a.length * 2));
}
function growI32(a: Int32Array, n: number): Int32Array {
  return a.length >= n ? a : new Int32Array(Math.max(n, a.length * 2));
}

function ensureCells(n: number): void {
  if (costBuf.length < n) {
    const size = Math.max(n, costBuf.length * 2);
    costBuf = new Float64Array(size);
    prevBuf = new Int32Array(size);
  }
}

function ensurePath(n: number): void {
  if (pathXBuf.length < n) {
    const size = Math.max(n, pathXBuf.length * 2);
    pathXBuf = new Int32Array(size);
    pathYBuf = new Int32Array(size);
  }
}

/**
 * Halve a frame-major sequence stored at `buf[from ..]` (n frames) into `buf[to ..]`:
 * frame i = (frame 2i + frame 2i+1) / 2; an odd last frame is dropped (the package's
 * `(x[:mx:2] + x[1:mx:2]) / 2`).
 */
function reduceByHalf(buf: Float64Array, from: number, n: number, to: number, dim: number): void {
  const h = n >> 1;
  for (let i = 0; i < h; i++) {
    const a = from + 2 * i * dim;
    const b = a + dim;
    const o = to + i * dim;
    for (let k = 0; k < dim; k++) buf[o + k] = (buf[a + k] + buf[b + k]) / 2;
  }
}

/**
 * DTW restricted to a window given by per-row y bounds `lo[r]..hi[r]` (rows 0..nx-1), over frames
 * `x[xBase + r*dim ..]` and `y[yBase + c*dim ..]`. Returns the accumulated cost of the last window
 * cell. When `wantPath`, writes the path into the path scratch buffers and returns its length
 * through `pathLenOut[0]`.
 *
 * Cost indices follow the package: the window's cells are numbered row by row from 0, and the
 * cost of window cell w is `C[w + 1]`, with `C[0] = 0` the virtual predecessor of (0, 0).
 */
function windowDtw(
  x: Float64Array,
  xBase: number,
  y: Float64Array,
  yBase: number,
  dim: number,
  nx: number,
  ny: number,
  lo: Int32Array,
  hi: Int32Array,
  wantPath: boolean,
  pathLenOut: Int32Array,
  wasm?: WasmLayout,
): number {
  let total = 0;
  for (let r = 0; r < nx; r++) total += hi[r] - lo[r] + 1;
  ensureCells(total + 1);
  distBuf = growF64(distBuf, ny);
  const C = costBuf;
  const P = prevBuf;
  // the costs of every window cell at once (wasm; D[dBase + cell]), or row by row (D[c - l])
  let D = distBuf;
  let dBase = 0;
  if (wasm) {
    const v = (wasmViews = arena(wasm.kernel, wasm.dAt + 8 * total, wasmViews));
    v.i32.set(lo.subarray(0, nx), wasm.loAt / 4);
    v.i32.set(hi.subarray(0, nx), wasm.hiAt / 4);
    wasm.kernel.cells(8 * xBase, 8 * yBase, wasm.loAt, wasm.hiAt, nx, wasm.dAt);
    D = v.f64;
    dBase = wasm.dAt / 8;
  }
  const kernel = rowCostKernel(dim);
  const INF = Infinity;
  C[0] = 0;
  P[0] = -1;
  let rowStart = 0; // window index of the first cell of the current row
  let prevBase = 0; // cost index of (r-1, c) is prevBase + c
  let pl = 0;
  let ph = -1;
  for (let r = 0; r < nx; r++) {
    const l = lo[r];
    const h = hi[r];
    const curBase = rowStart - l + 1; // cost index of (r, c) is curBase + c
    // D[dOff + c] is the local cost of (r, c)
    let dOff = dBase + rowStart - l;
    if (!wasm) {
      kernel(x, xBase + r * dim, y, yBase, l, h, D, 0);
      dOff = -l;
    }
    if (r === 0) {
      // row 0: (0, 0) starts from the virtual corner C[0] = 0, the rest only from the left
      // (l is 0 for every window the package builds; l > 0 would leave the row unreachable)
      C[curBase + l] = l === 0 ? D[dOff + l] : INF;
      P[curBase + l] = l === 0 ? 0 : -1;
      for (let c = l + 1; c <= h; c++) {
        const ci = curBase + c;
        C[ci] = C[ci - 1] + D[dOff + c];
        P[ci] = ci - 1;
      }
    } else if (prevBase + (l < pl ? l : pl) >= 1) {
      // every "up" index prevBase + c (c >= l) is >= 1 and every corner index >= 0: the row
      // without the tests per cell above. For c <= min(h, ph) the cell has an up neighbour, from
      // pl + 1 on also a corner; left is the cell just written.
      const upEnd = h < ph ? h : ph;
      const cornerFrom = pl + 1;
      let left = INF;
      for (let c = l; c <= h; c++) {
        const ci = curBase + c;
        const dt = D[dOff + c];
        let best = INF;
        let from = -1;
        if (c <= upEnd) {
          const iUp = prevBase + c;
          const dUp = C[iUp];
          if (c >= cornerFrom) {
            const dCorner = C[iUp - 1];
            if (dUp < left && dUp < dCorner) {
              best = dUp;
              from = iUp;
            } else if (left < dCorner) {
              best = left;
              from = ci - 1;
            } else {
              best = dCorner;
              from = iUp - 1;
            }
          } else if (dUp < left) {
            best = dUp;
            from = iUp;
          } else if (left < INF) {
            best = left;
            from = ci - 1;
          }
        } else if (left < INF) {
          best = left;
          from = ci - 1;
        }
        left = best + dt;
        C[ci] = left;
        P[ci] = from;
      }
    } else {
      // the general case (only reached by windows the package never builds)
      for (let c = l; c <= h; c++) {
        const ci = curBase + c;
        const dt = D[dOff + c];
        let dUp = INF;
        let dLeft = INF;
        let dCorner = INF;
        let iUp = -1;
        let iCorner = -1;
        if (c !== l) dLeft = C[ci - 1];
        if (c <= ph) {
          // the package: up = idx - (high(r-1) - low(r) + 1) + 1, i.e. the cell (r-1, c);
          // corner = up - 1 only when low(r-1) + 1 <= c <= high(r-1)
          iUp = prevBase + c;
          if (iUp === 0) iUp = -1;
          else dUp = C[iUp];
          if (c >= pl + 1) {
            iCorner = iUp - 1;
            if (iCorner >= 0) dCorner = C[iCorner];
            else iCorner = -1;
          }
        }
        if (dUp < dLeft && dUp < dCorner) {
          C[ci] = dUp + dt;
          P[ci] = iUp;
        } else if (dLeft < dCorner) {
          C[ci] = dLeft + dt;
          P[ci] = ci - 1;
        } else {
          C[ci] = dCorner + dt;
          P[ci] = iCorner;
        }
      }
    }
    prevBase = curBase;
    pl = l;
    ph = h;
    rowStart += h - l + 1;
  }
  if (wantPath) {
    ensurePath(nx + ny);
    // walk back from the last cell; map cost index -> (row, column) by walking rows down
    let idx = total;
    let len = 0;
    let row = nx - 1;
    let start = total - (hi[row] - lo[row] + 1); // window index of the row's first cell
    const PX = pathXBuf;
    const PY = pathYBuf;
    while (idx > 0) {
      const w = idx - 1;
      while (w < start) {
        row--;
        start -= hi[row] - lo[row] + 1;
      }
      PX[len] = row;
      PY[len] = lo[row] + (w - start);
      len++;
      idx = P[idx];
      if (idx < 0) break; // unreachable cell (cannot happen for radius >= 1)
    }
    for (let i = 0, j = len - 1; i < j; i++, j--) {
      const tx = PX[i];
      PX[i] = PX[j];
      PX[j] = tx;
      const ty = PY[i];
      PY[i] = PY[j];
      PY[j] = ty;
    }
    pathLenOut[0] = len;
  }
  return C[total];
}

/**
 * The package's `__expand_window`: from the coarse path (pathXBuf/pathYBuf, length `pathLen`),
 * per-row y bounds for the fine level (`lenX` rows, `lenY` columns), written to loBuf/hiBuf.
 * Returns the number of rows, min(lenX, 2 * (maxX + radius + 1)). Rows the package leaves unset
 * (only possible with radius 0 and an odd length) are [0, 0], as its zero-initialised vector.
 */
function expandWindow(pathLen: number, lenX: number, lenY: number, radius: number): number {
  const PX = pathXBuf;
  const PY = pathYBuf;
  const maxX = PX[pathLen - 1];
  const maxY = PY[pathLen - 1];
  // step 1: y range of the path at each coarse x
  lo1Buf = growI32(lo1Buf, maxX + 1);
  hi1Buf = growI32(hi1Buf, maxX + 1);
  const lo1 = lo1Buf;
  const hi1 = hi1Buf;
  let prvY = 0;
  let curX = -1;
  for (let i = 0; i < pathLen; i++) {
    const xi = PX[i];
    const yi = PY[i];
    if (xi !== curX) {
      curX = xi;
      lo1[xi] = yi;
      if (curX > 0) hi1[xi - 1] = prvY;
    }
    prvY = yi;
  }
  hi1[maxX] = prvY;
  // step 2: widen by radius in x and y
  const len2 = maxX + radius + 1;
  lo2Buf = growI32(lo2Buf, len2);
  hi2Buf = growI32(hi2Buf, len2);
  const lo2 = lo2Buf;
  const hi2 = hi2Buf;
  for (let xi = 0; xi <= maxX; xi++) {
    const a = xi - radius > 0 ? xi - radius : 0;
    const b = xi + radius < maxX ? xi + radius : maxX;
    lo2[xi] = Math.max(0, lo1[a] - radius);
    hi2[xi] = Math.min(maxY + radius, hi1[b] + radius);
  }
  for (let xi = maxX + 1; xi < len2; xi++) {
    lo2[xi] = lo2[xi - 1];
    hi2[xi] = hi2[xi - 1];
  }
  // step 3: double to the fine level
  const len3 = Math.min(lenX, 2 * len2);
  loBuf = growI32(loBuf, len3);
  hiBuf = growI32(hiBuf, len3);
  const lo3 = loBuf;
  const hi3 = hiBuf;
  lo3.fill(0, 0, len3);
  hi3.fill(0, 0, len3);
  for (let xi = 0; xi < len2; xi++) {
    const a = 2 * xi;
    const l = 2 * lo2[xi];
    const h = Math.min(lenY - 1, 2 * hi2[xi] + 1);
    if (a < lenX) {
      lo3[a] = l;
      hi3[a] = h;
    }
    if (a + 1 < lenX) {
      lo3[a + 1] = l;
      hi3[a + 1] = h;
    }
  }
  return len3;
}

function run(
  xIn: Float32Array | Float64Array,
  yIn: Float32Array | Float64Array,
  dim: number,
  radius: number,
  wantPath: boolean,
): { distance: number; pathLen: number } {
  if (!Number.isInteger(dim) || dim < 1) throw badParameter('dim', dim, 'a positive integer');
  // radius 0 is not supported: for odd lengths the package's C extension then reads and writes
  // outside its window (undefined behaviour), so there is no defined result to reproduce
  if (!Number.isInteger(radius) || radius < 1) {
    throw badParameter('radius', radius, 'an integer >= 1');
  }
  if (xIn.length % dim !== 0 || yIn.length % dim !== 0) {
    throw badParameter('sequence length', [xIn.length, yIn.length], `a multiple of dim=${dim}`);
  }
  const nx0 = xIn.length / dim;
  const ny0 = yIn.length / dim;
  if (nx0 === 0 || ny0 === 0) throw badParameter('sequence frames', [nx0, ny0], 'at least 1 frame each');
  // pyramid: level sizes, then all levels back to back in one buffer per side
  const minSize = radius + 2;
  const nxs = [nx0];
  const nys = [ny0];
  while (nxs[nxs.length - 1] >= minSize && nys[nys.length - 1] >= minSize) {
    nxs.push(nxs[nxs.length - 1] >> 1);
    nys.push(nys[nys.length - 1] >> 1);
  }
  const levels = nxs.length;
  const xOff = new Array<number>(levels);
  const yOff = new Array<number>(levels);
  let tx = 0;
  let ty = 0;
  for (let L = 0; L < levels; L++) {
    xOff[L] = tx;
    yOff[L] = ty;
    tx += nxs[L] * dim;
    ty += nys[L] * dim;
  }
  // with the wasm kernel both pyramids lie in its memory (X at 0, Y after it: one view)
  let wasm: WasmLayout | undefined;
  let X: Float64Array;
  let Y: Float64Array;
  if (windowCostsSupport(dim)) {
    const kernel = windowCostKernel(dim);
    const loAt = 8 * (tx + ty);
    const hiAt = loAt + 4 * nx0;
    const dAt = 8 * Math.ceil((hiAt + 4 * nx0) / 8);
    wasmViews = arena(kernel, dAt, wasmViews);
    wasm = { kernel, loAt, hiAt, dAt };
    X = Y = wasmViews.f64;
    for (let L = 0; L < levels; L++) yOff[L] += tx;
  } else {
    pyrX = growF64(pyrX, tx);
    pyrY = growF64(pyrY, ty);
    X = pyrX;
    Y = pyrY;
  }
  X.set(xIn, xOff[0]);
  Y.set(yIn, yOff[0]);
  for (let L = 1; L < levels; L++) {
    reduceByHalf(X, xOff[L - 1], nxs[L - 1], xOff[L], dim);
    reduceByHalf(Y, yOff[L - 1], nys[L - 1], yOff[L], dim);
  }
  const pathLenOut = new Int32Array(1);
  // base: full DTW at the coarsest level
  let L = levels - 1;
  loBuf = growI32(loBuf, nxs[L]);
  hiBuf = growI32(hiBuf, nxs[L]);
  loBuf.fill(0, 0, nxs[L]);
  hiBuf.fill(nys[L] - 1, 0, nxs[L]);
  let dist = windowDtw(X, xOff[L], Y, yOff[L], dim, nxs[L], nys[L], loBuf, hiBuf, L > 0 || wantPath, pathLenOut, wasm);
  while (L > 0) {
    L--;
    const rows = expandWindow(pathLenOut[0], nxs[L], nys[L], radius);
    dist = windowDtw(X, xOff[L], Y, yOff[L], dim, rows, nys[L], loBuf, hiBuf, L > 0 || wantPath, pathLenOut, wasm);
  }
  return { distance: dist, pathLen: pathLenOut[0] };
}

/**
 * FastDTW distance between two frame-major sequences (`x`: nx*dim values, `y`: ny*dim values),
 * identical to Python `fastdtw.fastdtw(x, y, radius=radius, dist=2)[0]` (fastdtw 0.3.4, C
 * extension). Not symmetric in general: argument order matters, as in the package.
 * @param dim values per frame (e.g. 20 MFCCs)
 * @param options.radius default 1
 */
export function fastdtw(
  x: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  dim: number,
  options: FastDtwOptions = {},
): number {
  return run(x, y, dim, options.radius ?? 1, false).distance;
}

/** As {@link fastdtw}, also returning the warping path (as the package's second result). */
export function fastdtwPath(
  x: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  dim: number,
  options: FastDtwOptions = {},
): FastDtwPathResult {
  const r = run(x, y, dim, options.radius ?? 1, true);
  return {
    distance: r.distance,
    pathX: pathXBuf.slice(0, r.pathLen),
    pathY: pathYBuf.slice(0, r.pathLen),
  };
}
