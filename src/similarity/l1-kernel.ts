/**
 * Manhattan (L1) distances of float32 vectors in WebAssembly SIMD, with the arithmetic of
 * `l1` in ./dsn.ts to the bit: each |a[k] - b[k]| in float64 (float32 inputs promoted, which is
 * exact), even k summed in one accumulator and odd k in another, in k order, an odd last term
 * added to the even one, then even + odd. The kernel keeps the two accumulators in the two lanes
 * of an f64x2 and takes four values per step (lanes 0-1, then 2-3 shuffled down), so each lane
 * adds the same terms in the same order as the loop in JavaScript: the same sums, about three
 * times faster (the blocks method compares 3,000-value block patterns, every pair of a catalogue
 * once for distance space normalisation). It compares four rows at once, each with its own
 * accumulator: one row's additions wait for each other, four rows' overlap (0.42-0.56 against
 * 0.56-0.80 ns a value for one row at a time, in a scratch timing of 400 vectors).
 *
 * The vectors live in the module's memory: {@link l1Space} allocates it for n rows of `dim`
 * values and hands out a Float32Array view to fill, so nothing is copied. Where WebAssembly SIMD
 * is unavailable, or the rows do not fit in 32-bit memory, the same interface runs `l1` in
 * JavaScript (the same values).
 */
import {
  BLOCK, BR, BR_IF, END, F32_LOAD, F64, F64X2_ABS, F64X2_ADD, F64X2_EXTRACT, F64X2_PROMOTE_LOW, F64X2_SUB, F64_ABS,
  F64_ADD, F64_PROMOTE_F32, F64_STORE, F64_SUB, I32, I32_ADD, I32_CONST, I32_GE_U, I32_GT_U, I32_MUL, I32_SHL, LGET, LOOP, LSET,
  V128, V128_ZERO, VOID, WA, funcBody, i32c, mem, oneFunctionModule, shuffle, simd, v128Load, whileLt, type WasmMemory,
} from '../util/wasm-assembler.js';
import { l1 } from './dsn.js';

const V128_LOAD64_ZERO = (offset = 0) => simd(0x5d, ...mem(2, offset));
/** f32 lanes 2 and 3 of the (single) operand moved to lanes 0 and 1. */
const HIGH_HALF = shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);

// rows(q, x, stride, n, len, out): out[r] (float64) = L1 of q[0 .. len) and (x + r * stride)[0 .. len)
const [Q, X, STRIDE, N, LEN, OUT, R, K] = [0, 1, 2, 3, 4, 5, 6, 7];
/**
 * Rows compared at once: each has its own accumulator, so their additions (each a chain that
 * waits for the one before) overlap in the processor, and q's values are loaded once for all.
 */
const ROWS_AT_ONCE = 4;
// locals after R and K: the rows' pointers (i32), q's values, then each row's accumulator and values (v128), each row's odd sum (f64)
const PTR = (w: number) => 8 + w;
const A = 8 + ROWS_AT_ONCE;
const ACC = (w: number) => A + 1 + 2 * w;
const B = (w: number) => A + 2 + 2 * w;
const L = (w: number) => A + 1 + 2 * ROWS_AT_ONCE + w;
/** base + k * 4: the address of float32 number k */
const f32At = (base: number) => [LGET, base, LGET, K, I32_CONST, 2, I32_SHL, I32_ADD];
/** ACC(w) += |promote(a) - promote(b)| of q's values and row w's: their f32 lanes 0-1, or (high) 2-3 */
const accumulate = (w: number, high: boolean) => {
  const half = (v: number) => (high ? [LGET, v, LGET, v, ...HIGH_HALF] : [LGET, v]);
  return [LGET, ACC(w), ...half(A), ...F64X2_PROMOTE_LOW, ...half(B(w)), ...F64X2_PROMOTE_LOW, ...F64X2_SUB, ...F64X2_ABS, ...F64X2_ADD, LSET, ACC(w)];
};
const addK = (n: number) => [LGET, K, ...i32c(n), I32_ADD, LSET, K];
const each = (rows: number, code: (w: number) => number[]) => Array.from({ length: rows }, (_, w) => code(w)).flat();

/**
 * out[R + w] for w < rows, then the pointers and R move on by `rows`. Each row's accumulator takes
 * its terms in the order of the one-row loop (lanes 0-1 then 2-3 of each step of four, then a
 * step of two, then an odd last value), whatever `rows` is.
 */
function rowsBody(rows: number): number[] {
  return [
    ...each(rows, (w) => [...V128_ZERO, LSET, ACC(w)]),
    ...i32c(0), LSET, K,
    // four values a step while they last
    BLOCK, VOID, LOOP, VOID,
    LGET, K, ...i32c(4), I32_ADD, LGET, LEN, I32_GT_U, BR_IF, 1,
    ...f32At(Q), ...v128Load(), LSET, A,
    ...each(rows, (w) => [...f32At(PTR(w)), ...v128Load(), LSET, B(w)]),
    ...each(rows, (w) => accumulate(w, false)),
    ...each(rows, (w) => accumulate(w, true)),
    ...addK(4),
    BR, 0,
    END, END,
    // then two
    BLOCK, VOID,
    LGET, K, ...i32c(2), I32_ADD, LGET, LEN, I32_GT_U, BR_IF, 0,
    ...f32At(Q), ...V128_LOAD64_ZERO(), LSET, A,
    ...each(rows, (w) => [...f32At(PTR(w)), ...V128_LOAD64_ZERO(), LSET, B(w)]),
    ...each(rows, (w) => accumulate(w, false)),
    ...addK(2),
    END,
    // an odd last one joins the even sum
    ...each(rows, (w) => [LGET, ACC(w), ...F64X2_EXTRACT(0), LSET, L(w)]),
    BLOCK, VOID,
    LGET, K, LGET, LEN, I32_GE_U, BR_IF, 0,
    ...each(rows, (w) => [
      LGET, L(w),
      ...f32At(Q), F32_LOAD, ...mem(2), F64_PROMOTE_F32,
      ...f32At(PTR(w)), F32_LOAD, ...mem(2), F64_PROMOTE_F32,
      F64_SUB, F64_ABS, F64_ADD, LSET, L(w),
    ]),
    END,
    // out[R + w] = even + odd
    ...each(rows, (w) => [
      LGET, OUT, LGET, R, I32_CONST, 3, I32_SHL, I32_ADD,
      LGET, L(w), LGET, ACC(w), ...F64X2_EXTRACT(1), F64_ADD,
      F64_STORE, ...mem(3, 8 * w),
    ]),
    ...each(rows, (w) => [LGET, PTR(w), LGET, STRIDE, ...i32c(rows), I32_MUL, I32_ADD, LSET, PTR(w)]),
    LGET, R, ...i32c(rows), I32_ADD, LSET, R,
  ];
}

function assemble(): Uint8Array {
  const code = [
    // row w of a group starts w rows after the first
    LGET, X, LSET, PTR(0),
    ...each(ROWS_AT_ONCE - 1, (w) => [LGET, PTR(w), LGET, STRIDE, I32_ADD, LSET, PTR(w + 1)]),
    // groups of ROWS_AT_ONCE rows while there are that many left
    BLOCK, VOID, LOOP, VOID,
    LGET, R, ...i32c(ROWS_AT_ONCE), I32_ADD, LGET, N, I32_GT_U, BR_IF, 1,
    ...rowsBody(ROWS_AT_ONCE),
    BR, 0,
    END, END,
    // then one at a time
    ...whileLt(R, N, rowsBody(1)),
    END,
  ];
  return oneFunctionModule('rows', 6, funcBody([[2 + ROWS_AT_ONCE, I32], [1 + 2 * ROWS_AT_ONCE, V128], [ROWS_AT_ONCE, F64]], code));
}

interface Kernel {
  memory: WasmMemory;
  rows(q: number, x: number, stride: number, n: number, len: number, out: number): void;
}

let compiled: object | null | undefined;
function module(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new WA.Module(assemble());
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** n vectors of dim float32 values, and their L1 distances over slices [off, off + len). */
export interface L1Space {
  /** The rows, row-major (n * dim values): fill them before asking for distances. */
  readonly X: Float32Array;
  /** 'wasm' or 'js' (the same values). */
  readonly kernel: 'wasm' | 'js';
  /** out[r] = l1(row i, row j0 + r) over [off, off + len), r < count; returns out (length >= count). */
  fromRow(i: number, off: number, len: number, j0: number, count: number, out: Float64Array): Float64Array;
  /** The same with an outside vector q (dim values, the rows' layout) in place of row i. */
  fromVector(q: Float32Array, off: number, len: number, j0: number, count: number, out: Float64Array): Float64Array;
  /** l1(row i, row j) over [off, off + len). */
  pair(i: number, j: number, off: number, len: number): number;
}

/** An L1Space of n rows of dim values (`kernel: 'js'` forces JavaScript, for tests and comparisons). */
export function l1Space(n: number, dim: number, opts: { kernel?: 'auto' | 'js' } = {}): L1Space {
  const rowBytes = 4 * dim;
  // rows, one outside vector, n distances (float64, so at a multiple of 8 bytes)
  const outAt = Math.ceil((rowBytes * n + rowBytes) / 8) * 8;
  const bytes = outAt + 8 * n;
  const m = opts.kernel === 'js' || bytes > 2 ** 31 ? null : module();
  if (!m) return jsSpace(n, dim);
  const k = new WA.Instance(m, {}).exports as unknown as Kernel;
  const pages = Math.ceil(bytes / 65536);
  if (pages > 1 && k.memory.grow(pages - 1) < 0) return jsSpace(n, dim);
  const X = new Float32Array(k.memory.buffer, 0, n * dim);
  const qAt = rowBytes * n;
  const outView = new Float64Array(k.memory.buffer, outAt, n);
  const copyOut = (count: number, out: Float64Array) => {
    out.set(outView.subarray(0, count));
    return out;
  };
  return {
    X,
    kernel: 'wasm',
    fromRow(i, off, len, j0, count, out) {
      if (count > 0) k.rows(i * rowBytes + 4 * off, j0 * rowBytes + 4 * off, rowBytes, count, len, outAt);
      return copyOut(count, out);
    },
    fromVector(q, off, len, j0, count, out) {
      new Float32Array(k.memory.buffer, qAt + 4 * off, len).set(q.subarray(off, off + len));
      if (count > 0) k.rows(qAt + 4 * off, j0 * rowBytes + 4 * off, rowBytes, count, len, outAt);
      return copyOut(count, out);
    },
    pair(i, j, off, len) {
      k.rows(i * rowBytes + 4 * off, j * rowBytes + 4 * off, rowBytes, 1, len, outAt);
      return outView[0];
    },
  };
}

function jsSpace(n: number, dim: number): L1Space {
  const X = new Float32Array(n * dim);
  return {
    X,
    kernel: 'js',
    fromRow(i, off, len, j0, count, out) {
      for (let r = 0; r < count; r++) out[r] = l1(X, i * dim + off, X, (j0 + r) * dim + off, len);
      return out;
    },
    fromVector(q, off, len, j0, count, out) {
      for (let r = 0; r < count; r++) out[r] = l1(q, off, X, (j0 + r) * dim + off, len);
      return out;
    },
    pair: (i, j, off, len) => l1(X, i * dim + off, X, j * dim + off, len),
  };
}
