/**
 * The Euclidean local cost of every cell of a DTW window in one WebAssembly call, for FastDTW
 * (src/similarity/fastdtw.ts): rows r < rows of X against Y frames lo[r] .. hi[r], written cell
 * after cell (row by row) to out. The same numbers to the bit as src/similarity/local-cost.ts's
 * rowCostKernel: per cell sqrt((s0 + s1) + (s2 + s3)) with s_m the sum of (x_k - y_k)^2 over
 * k = m (mod 4) in increasing k; here s0, s1 are the two lanes of one f64x2 accumulator (frame
 * values k, k + 1 for k = 0, 4, 8, ...) and s2, s3 of another (k + 2, k + 3), so every lane adds
 * the same products in the same order (WebAssembly neither fuses nor reorders float operations).
 * (Exact DTW has its own kernel, costs and DP in one loop: ./dtw-kernel.ts.)
 *
 * The code is generated per frame dimension (a multiple of 4, up to 64: the query frame's values
 * held in v128 locals, the cell loop unrolled), assembled with src/util/wasm-assembler.ts at first
 * use. The frames, the window bounds and the costs live in the module's own memory (an arena the
 * caller lays out and reads through views that `arena` renews after the memory grows).
 */
import { BLOCK, BR, BR_IF, END, F64, F64X2_ADD, F64X2_EXTRACT, F64X2_MUL, F64X2_SUB, F64_ADD, F64_SQRT, F64_STORE, I32, I32_ADD, I32_GT_S, I32_MUL, LOOP, V128, VOID, WA, funcBody, get, i32Load, i32c, mem, oneFunctionModule, set, simd, type WasmMemory } from '../util/wasm-assembler.js';

const v128LoadAt = (offset: number): number[] => simd(0x00, ...mem(4, offset));

/** The locals a cell's squares use: the row's frame (xv(p), p < dim / 2), y's frame address, a scratch, two accumulators. */
export interface SquareLocals {
  xv: (p: number) => number;
  yp: number;
  e: number;
  a: number;
  b: number;
}

/**
 * Code that loads the row's frame (at address local `x`) into the v128 locals xv(0 .. dim / 2 - 1):
 * held there for every cell of the row.
 */
export function loadFrame(dim: number, x: number, l: SquareLocals): number[] {
  const code: number[] = [];
  for (let p = 0; p < dim / 2; p++) code.push(...get(x), ...v128LoadAt(16 * p), ...set(l.xv(p)));
  return code;
}

/**
 * Code that sums a cell's squares (x_k - y_k)^2, frame values k, k + 1 a term: 'four' as
 * rowCostKernel, lanes k = 0, 1 (mod 4) into `a` and 2, 3 into `b`; 'two' as twoRowCostKernel,
 * every term into `a` (lanes k even, odd). Each lane adds its terms in increasing k, so the sums
 * are the JavaScript kernels' to the bit however the caller adds the lanes up.
 */
export function cellSquares(dim: number, l: SquareLocals, sums: 'four' | 'two'): number[] {
  const term = (p: number): number[] => [...get(l.xv(p)), ...get(l.yp), ...v128LoadAt(16 * p), ...F64X2_SUB, ...set(l.e), ...get(l.e), ...get(l.e), ...F64X2_MUL];
  const code: number[] = [...term(0), ...set(l.a)];
  if (sums === 'two') {
    for (let p = 1; p < dim / 2; p++) code.push(...get(l.a), ...term(p), ...F64X2_ADD, ...set(l.a));
    return code;
  }
  code.push(...term(1), ...set(l.b));
  for (let p = 2; p < dim / 2; p++) code.push(...get(p % 2 ? l.b : l.a), ...term(p), ...F64X2_ADD, ...set(p % 2 ? l.b : l.a));
  return code;
}

/**
 * Whether FastDTW and exact DTW (./dtw-kernel.ts) use WebAssembly for frames of `dim` values:
 * dimensions 4, 8, ... 64, where WebAssembly SIMD runs, unless YASR_DTW_KERNEL=js (then the
 * JavaScript kernels, same values).
 */
export function windowCostsSupport(dim: number): boolean {
  return Number.isInteger(dim) && dim >= 4 && dim <= 64 && dim % 4 === 0 && available() && process.env.YASR_DTW_KERNEL?.trim().toLowerCase() !== 'js';
}

/**
 * `cells(x, y, lo, hi, rows, out)`: byte addresses of X's first row, Y's frame 0, the Int32 bounds
 * lo and hi, and the Float64 output; rows = the window's row count.
 */
function assemble(dim: number): Uint8Array {
  const m = dim / 2; // v128 values per frame
  const rowBytes = dim * 8;
  // params 0..5: x, y, lo, hi, rows, out; locals: r, c, ch, yp (i32); a, b, e (v128); x0.. (v128)
  const [X, Y, LO, HI, ROWS, OUT, R, C, CH, YP, A, B, E] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const locals: SquareLocals = { xv: (p) => 13 + p, yp: YP, e: E, a: A, b: B };
  const cell: number[] = [
    ...cellSquares(dim, locals, 'four'),
    ...get(OUT),
    ...get(A), ...F64X2_EXTRACT(0), ...get(A), ...F64X2_EXTRACT(1), F64_ADD,
    ...get(B), ...F64X2_EXTRACT(0), ...get(B), ...F64X2_EXTRACT(1), F64_ADD,
    F64_ADD, F64_SQRT, F64_STORE, ...mem(3, 0),
    ...get(OUT), ...i32c(8), I32_ADD, ...set(OUT),
    ...get(YP), ...i32c(rowBytes), I32_ADD, ...set(YP),
    ...get(C), ...i32c(1), I32_ADD, ...set(C),
  ];
  const loadX = loadFrame(dim, X, locals);
  const code = [
    BLOCK, VOID, LOOP, VOID,
    // while r < rows
    ...get(R), ...get(ROWS), 0x4e /* i32.ge_s */, BR_IF, 1,
    ...loadX,
    ...get(LO), ...i32Load(0), ...set(C),
    ...get(HI), ...i32Load(0), ...set(CH),
    ...get(Y), ...get(C), ...i32c(rowBytes), I32_MUL, I32_ADD, ...set(YP),
    BLOCK, VOID, LOOP, VOID,
    ...get(C), ...get(CH), I32_GT_S, BR_IF, 1,
    ...cell,
    BR, 0,
    END, END,
    ...get(X), ...i32c(rowBytes), I32_ADD, ...set(X),
    ...get(LO), ...i32c(4), I32_ADD, ...set(LO),
    ...get(HI), ...i32c(4), I32_ADD, ...set(HI),
    ...get(R), ...i32c(1), I32_ADD, ...set(R),
    BR, 0,
    END, END,
    END,
  ];
  return oneFunctionModule('cells', 6, funcBody([[4, I32], [3 + m, V128]], code));
}

interface Kernel {
  memory: WasmMemory;
  cells(x: number, y: number, lo: number, hi: number, rows: number, out: number): void;
}

let availability: boolean | undefined;
function available(): boolean {
  if (availability === undefined) {
    try {
      new WA.Module(assemble(4));
      availability = true;
    } catch {
      availability = false;
    }
  }
  return availability;
}

const kernels = new Map<number, Kernel>();

/** The kernel of one dimension (one memory per dimension and thread). */
export function windowCostKernel(dim: number): Kernel {
  let k = kernels.get(dim);
  if (!k) {
    k = new WA.Instance(new WA.Module(assemble(dim)), {}).exports as unknown as Kernel;
    kernels.set(dim, k);
  }
  return k;
}

/** Views of a kernel's memory, renewed when it grows. */
export interface Arena {
  f64: Float64Array;
  i32: Int32Array;
}

/** Views of `k`'s memory with at least `bytes` bytes (grown when needed; contents kept). */
export function arena(k: Kernel, bytes: number, views?: Arena): Arena {
  const have = k.memory.buffer.byteLength;
  if (have < bytes) k.memory.grow(Math.ceil((bytes - have) / 65536));
  if (views && views.f64.buffer === k.memory.buffer) return views;
  return { f64: new Float64Array(k.memory.buffer), i32: new Int32Array(k.memory.buffer) };
}
