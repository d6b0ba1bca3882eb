/**
 * Exact DTW in one WebAssembly call: the band's local costs and the DP row recurrence in one
 * loop, so the costs of the next cells (independent SIMD work) overlap in the processor with the
 * DP's chain of dependent minima and additions. The same numbers to the bit as dtw.ts's
 * JavaScript path (dtwCore): per cell the cost sqrt(s0 + s1) as twoRowCostKernel sums it (s_m the
 * squares of frame values k = m (mod 2) in increasing k: the two lanes of one f64x2 accumulator),
 * except on an odd-length sequence's last row, which dtwCore's one-row kernel sums as
 * sqrt((s0 + s1) + (s2 + s3)) (k mod 4: two accumulators); then dtwCore's recurrence
 * (best = up < left ? up : left; corner < best ? corner : best; v = best + cost; a row's minimum
 * above the bound abandons) with its two row buffers, which start at Infinity. WebAssembly neither
 * fuses nor reorders float operations, and `select` after `lt` is the JavaScript ternary.
 *
 * The code is generated per frame dimension (a multiple of 4, up to 64: the row's frame held in
 * v128 locals), its squares by ./window-costs.ts's cellSquares (FastDTW's kernel's), whose
 * `windowCostsSupport` decides where it runs.
 */
import {
  BLOCK, BR, BR_IF, ELSE, END, F64, F64X2_ADD, F64X2_EXTRACT, F64X2_PMIN, F64X2_SPLAT, F64X2_SQRT, F64_CONST,
  F64_GT, F64_LOAD, F64_STORE, I32, I32_ADD, I32_AND, I32_EQ, I32_EQZ, I32_GE_U, I32_GT_S, I32_LT_S, I32_MUL, I32_SUB, IF, LOOP,
  RETURN, SELECT, V128, VOID, WA, enc, get, i32c, mem, set, shuffle, simd, v128Load64Splat, type WasmMemory,
} from '../util/wasm-assembler.js';
import { cellSquares, loadFrame, type SquareLocals } from './window-costs.js';

const f64c = (v: number): number[] => [F64_CONST, ...new Uint8Array(new Float64Array([v]).buffer)];
const f64Load = (offset = 0): number[] => [F64_LOAD, ...mem(3, offset)];
const f64Store = (offset = 0): number[] => [F64_STORE, ...mem(3, offset)];

// params: x, y (byte addresses of the frames), n, m (frames), w (band half-width), prev, cur (the
// row buffers, m + 1 float64 each), ub (float64); result: the distance, Infinity when abandoned
const [X, Y, N, M, W, PREV, CUR, UB] = [0, 1, 2, 3, 4, 5, 6, 7];
// i32 locals
const [I, J, JLO, JHI, YP, T, PP, CP] = [8, 9, 10, 11, 12, 13, 14, 15];
// v128 locals (the DP's values in lane 0): two accumulators, a difference, up, left, corner, the
// cell's value, the row's minimum; then the row's frame
const [A, B, E, UP, LEFT, CORNER, V, ROWMIN] = [16, 17, 18, 19, 20, 21, 22, 23];
const XV = (p: number) => 24 + p;
const V128_STORE64_LANE0 = simd(0x5b, ...mem(3, 0), 0);
/** The two f64 lanes swapped. */
const SWAP = shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]);

function assemble(dim: number): Uint8Array {
  const m = dim / 2; // v128 values per frame
  const rowBytes = dim * 8;
  const locals: SquareLocals = { xv: XV, yp: YP, e: E, a: A, b: B };
  /** lane 0 = lane 0 + lane 1 of local `acc` */
  const laneSum = (acc: number): number[] => [...get(acc), ...get(acc), ...get(acc), ...SWAP, ...F64X2_ADD];
  /** The cell's cost on the stack (lane 0): sqrt((s0 + s1) + (s2 + s3)) ('four') or sqrt(s0 + s1). */
  const cost = (four: boolean): number[] =>
    four
      ? [...cellSquares(dim, locals, 'four'), ...laneSum(A), ...laneSum(B), ...F64X2_ADD, ...F64X2_SQRT]
      : [...cellSquares(dim, locals, 'two'), ...laneSum(A), ...F64X2_SQRT];
  /** The row's cells j = jlo .. jhi. */
  const cells = (four: boolean): number[] => [
    BLOCK, VOID, LOOP, VOID,
    ...get(J), ...get(JHI), I32_GT_S, BR_IF, 1,
    // up = prev[j + 1]; best = up < left ? up : left; corner < best ? corner : best; v = best + cost
    ...get(PP), ...v128Load64Splat(), ...set(UP),
    ...get(LEFT), ...get(UP), ...F64X2_PMIN, ...get(CORNER), ...F64X2_PMIN,
    ...cost(four),
    ...F64X2_ADD, ...set(V),
    // cur[j + 1] = v; rowMin = v < rowMin ? v : rowMin; left = v; corner = up
    ...get(CP), ...get(V), ...V128_STORE64_LANE0,
    ...get(ROWMIN), ...get(V), ...F64X2_PMIN, ...set(ROWMIN),
    ...get(V), ...set(LEFT),
    ...get(UP), ...set(CORNER),
    ...get(PP), ...i32c(8), I32_ADD, ...set(PP),
    ...get(CP), ...i32c(8), I32_ADD, ...set(CP),
    ...get(YP), ...i32c(rowBytes), I32_ADD, ...set(YP),
    ...get(J), ...i32c(1), I32_ADD, ...set(J),
    BR, 0,
    END, END,
  ];
  const loadX = loadFrame(dim, X, locals);
  const addr = (base: number, index: number[]): number[] => [...get(base), ...index, ...i32c(8), I32_MUL, I32_ADD];
  const code = [
    // both rows Infinity, columns 0 .. m
    ...i32c(0), ...set(J),
    BLOCK, VOID, LOOP, VOID,
    ...get(J), ...get(M), I32_GT_S, BR_IF, 1,
    ...addr(PREV, get(J)), ...f64c(Infinity), ...f64Store(),
    ...addr(CUR, get(J)), ...f64c(Infinity), ...f64Store(),
    ...get(J), ...i32c(1), I32_ADD, ...set(J),
    BR, 0,
    END, END,
    ...i32c(0), ...set(I),
    BLOCK, VOID, LOOP, VOID,
    ...get(I), ...get(N), I32_GE_U, BR_IF, 1,
    // jlo = i - w > 0 ? i - w : 0; jhi = i + w < m - 1 ? i + w : m - 1
    ...get(I), ...get(W), I32_SUB, ...i32c(0), ...get(I), ...get(W), I32_SUB, ...i32c(0), I32_GT_S, SELECT, ...set(JLO),
    ...get(I), ...get(W), I32_ADD, ...get(M), ...i32c(1), I32_SUB, ...get(I), ...get(W), I32_ADD, ...get(M), ...i32c(1), I32_SUB, I32_LT_S, SELECT, ...set(JHI),
    // cur[jlo] = Infinity (left of the band); prev[0] = i === 0 ? 0 : Infinity (the corner of (0, 0))
    ...addr(CUR, get(JLO)), ...f64c(Infinity), ...f64Store(),
    ...get(PREV), ...f64c(0), ...f64c(Infinity), ...get(I), I32_EQZ, SELECT, ...f64Store(),
    ...f64c(Infinity), ...F64X2_SPLAT, ...set(ROWMIN),
    ...f64c(Infinity), ...F64X2_SPLAT, ...set(LEFT),
    ...addr(PREV, get(JLO)), ...v128Load64Splat(), ...set(CORNER),
    ...loadX,
    ...get(Y), ...get(JLO), ...i32c(rowBytes), I32_MUL, I32_ADD, ...set(YP),
    ...addr(PREV, [...get(JLO), ...i32c(1), I32_ADD]), ...set(PP),
    ...addr(CUR, [...get(JLO), ...i32c(1), I32_ADD]), ...set(CP),
    ...get(JLO), ...set(J),
    // an odd-length sequence's last row: 'four' sums
    ...get(N), ...i32c(1), I32_AND, ...get(I), ...get(N), ...i32c(1), I32_SUB, I32_EQ, I32_AND,
    IF, VOID,
    ...cells(true),
    ELSE,
    ...cells(false),
    END,
    // abandon: every cell of the row above the bound
    ...get(ROWMIN), ...F64X2_EXTRACT(0), ...get(UB), F64_GT,
    IF, VOID, ...f64c(Infinity), RETURN, END,
    // swap the rows; the next frame of x
    ...get(PREV), ...set(T),
    ...get(CUR), ...set(PREV),
    ...get(T), ...set(CUR),
    ...get(X), ...i32c(rowBytes), I32_ADD, ...set(X),
    ...get(I), ...i32c(1), I32_ADD, ...set(I),
    BR, 0,
    END, END,
    ...addr(PREV, get(M)), ...f64Load(),
    END,
  ];
  const body = [...enc.vec([[8, I32], [8 + m, V128]]), ...code];
  const type = [0x60, ...enc.vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32], [F64]]), ...enc.vec([[F64]])];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...enc.section(1, enc.vec([type])),
    ...enc.section(3, enc.vec([[0]])),
    ...enc.section(5, enc.vec([[0x00, 1]])),
    ...enc.section(7, enc.vec([[...enc.str('memory'), 0x02, 0], [...enc.str('dtw'), 0x00, 0]])),
    ...enc.section(10, enc.vec([[...enc.u32(body.length), ...body]])),
  ]);
}

interface Kernel {
  memory: WasmMemory;
  dtw(x: number, y: number, n: number, m: number, w: number, prev: number, cur: number, ub: number): number;
}

const kernels = new Map<number, { k: Kernel; f64: Float64Array }>();

/**
 * dtwCore's distance of a (n frames) and b (m frames) of `dim` values (a multiple of 4, up to 64),
 * band half-width w, bound ub, in WebAssembly (see the module doc): the same bits.
 */
export function dtwInWasm(a: Float32Array | Float64Array, b: Float32Array | Float64Array, n: number, m: number, dim: number, w: number, ub: number): number {
  let e = kernels.get(dim);
  if (!e) {
    const k = new WA.Instance(new WA.Module(assemble(dim)), {}).exports as unknown as Kernel;
    e = { k, f64: new Float64Array(k.memory.buffer) };
    kernels.set(dim, e);
  }
  const yAt = n * dim * 8;
  const prevAt = yAt + m * dim * 8;
  const curAt = prevAt + (m + 1) * 8;
  const bytes = curAt + (m + 1) * 8;
  const have = e.k.memory.buffer.byteLength;
  if (have < bytes) e.k.memory.grow(Math.ceil((bytes - have) / 65536));
  if (e.f64.buffer !== e.k.memory.buffer) e.f64 = new Float64Array(e.k.memory.buffer);
  e.f64.set(a, 0);
  e.f64.set(b, yAt / 8);
  return e.k.dtw(0, yAt, n, m, w, prevAt, curAt, ub);
}
