/**
 * The candidate scan of the exact top-k (./exact-topk.ts) as a WebAssembly SIMD kernel: a tile of
 * approximate scores is compared, four at a time, with each row's and each column's thresholds,
 * and only the quads where some value could enter a list come back to JavaScript. Scanning every
 * pair in JavaScript cost about as much as the product itself; here it is a few instructions per
 * four pairs. Assembled at load time like the other kernels (src/util/wasm-assembler.ts).
 *
 * `scan(tile, stride, rows, quads, hiR, loR, hiC, loC, cand) -> count`: for r < rows and q < quads,
 * v = the f32x4 at tile + r * stride + 16 q (bytes); the quad is a candidate if any lane has
 * v >= hiR[r], v <= loR[r], v >= hiC[4q + lane] or v <= loC[4q + lane] (float32 thresholds at byte
 * addresses hiR.. for rows, hiC.. for columns). Candidates are written as int32 pairs (r, q) at
 * cand; the count is returned. NaN never qualifies.
 *
 * The float32 thresholds are the engine's float64 ones rounded outwards (hi down, lo up), so the
 * kernel's candidates are a superset of the pairs the engine then checks exactly.
 */
import {
  END, enc, funcBody, get, I32, I32_ADD, I32_MUL, I32_SHL, i32c, set, simd, V128, v128Load, VOID, WA, whileLt,
  type WasmMemory,
} from '../util/wasm-assembler.js';

const F32_LOAD = 0x2a;
const I32_STORE = 0x36;
const IF = 0x04;
const F32X4_SPLAT = simd(0x13);
const F32X4_LE = simd(0x45);
const F32X4_GE = simd(0x46);
const V128_OR = simd(0x50);
const V128_ANY_TRUE = simd(0x53);
const f32Load = (offset = 0) => [F32_LOAD, ...enc.u32(2), ...enc.u32(offset)];
const i32Store = (offset = 0) => [I32_STORE, ...enc.u32(2), ...enc.u32(offset)];

function scanFunc(): number[] {
  // params: 0 tile, 1 stride, 2 rows, 3 quads, 4 hiR, 5 loR, 6 hiC, 7 loC, 8 cand
  // locals: 9 r, 10 q, 11 cnt, 12 tp, 13 rowPtr, 14 cp (i32); 15 h, 16 l, 17 v (v128)
  const [tile, stride, rows, quads, hiR, loR, hiC, loC, cand, r, q, cnt, tp, rowPtr, cp, h, l, v] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const colAddr = (base: number) => [...get(base), ...get(q), ...i32c(4), I32_SHL, I32_ADD];
  const quadBody = [
    ...get(tp), ...v128Load(0), ...set(v),
    ...get(v), ...get(h), ...F32X4_GE,
    ...get(v), ...get(l), ...F32X4_LE, ...V128_OR,
    ...get(v), ...colAddr(hiC), ...v128Load(0), ...F32X4_GE, ...V128_OR,
    ...get(v), ...colAddr(loC), ...v128Load(0), ...F32X4_LE, ...V128_OR,
    ...V128_ANY_TRUE,
    IF, VOID,
    ...get(cand), ...get(cnt), ...i32c(8), I32_MUL, I32_ADD, ...set(cp),
    ...get(cp), ...get(r), ...i32Store(0),
    ...get(cp), ...get(q), ...i32Store(4),
    ...get(cnt), ...i32c(1), I32_ADD, ...set(cnt),
    END,
    ...get(tp), ...i32c(16), I32_ADD, ...set(tp),
    ...get(q), ...i32c(1), I32_ADD, ...set(q),
  ];
  const rowBody = [
    ...get(hiR), ...get(r), ...i32c(2), I32_SHL, I32_ADD, ...f32Load(0), ...F32X4_SPLAT, ...set(h),
    ...get(loR), ...get(r), ...i32c(2), I32_SHL, I32_ADD, ...f32Load(0), ...F32X4_SPLAT, ...set(l),
    ...i32c(0), ...set(q),
    ...get(rowPtr), ...set(tp),
    ...whileLt(q, quads, quadBody),
    ...get(rowPtr), ...get(stride), I32_ADD, ...set(rowPtr),
    ...get(r), ...i32c(1), I32_ADD, ...set(r),
  ];
  const code = [...get(tile), ...set(rowPtr), ...whileLt(r, rows, rowBody), ...get(cnt), END];
  return funcBody([[6, I32], [3, V128]], code);
}

function moduleBytes(): Uint8Array {
  const type9 = [0x60, ...enc.vec(Array.from({ length: 9 }, () => [I32])), ...enc.vec([[I32]])];
  const f = scanFunc();
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...enc.section(1, enc.vec([type9])),
    ...enc.section(3, enc.vec([[0]])),
    ...enc.section(5, enc.vec([[0x00, ...enc.u32(1)]])),
    ...enc.section(7, enc.vec([
      [...enc.str('memory'), 0x02, 0],
      [...enc.str('scan'), 0x00, 0],
    ])),
    ...enc.section(10, enc.vec([[...enc.u32(f.length), ...f]])),
  ]);
}

interface ScanKernel {
  memory: WasmMemory;
  scan(tile: number, stride: number, rows: number, quads: number, hiR: number, loR: number, hiC: number, loC: number, cand: number): number;
}

let compiled: object | null | undefined;

const f32 = new Float32Array(1);
const f32Bits = new Int32Array(f32.buffer);

/** The largest float32 <= x (x itself when it is one; -Infinity stays). */
export function f32Below(x: number): number {
  const f = Math.fround(x);
  if (f <= x || Number.isNaN(f)) return f;
  // f > x: step one float32 down
  if (f === 0) return -(2 ** -149);
  f32[0] = f;
  f32Bits[0] += f > 0 ? -1 : 1;
  return f32[0];
}

/** The smallest float32 >= x. */
export function f32Above(x: number): number {
  return -f32Below(-x);
}

/**
 * A scan workspace for n rows/columns of thresholds: tiles are copied into (or written straight
 * to) its memory and scanned there. null where WebAssembly SIMD is unavailable.
 */
export class TileScanner {
  private readonly k: ScanKernel;
  private view: Float32Array;
  private ints: Int32Array;
  private top = 0;
  private readonly hiAddr: number;
  private readonly loAddr: number;
  private tileAddr = 0;
  private tileCap = -1;
  private candAddr = 0;
  private candCap = -1;

  private constructor(k: ScanKernel, n: number) {
    this.k = k;
    this.view = new Float32Array(k.memory.buffer);
    this.ints = new Int32Array(k.memory.buffer);
    // four spare thresholds past n: the last quad of a row reads them
    this.hiAddr = this.alloc(n + 4);
    this.loAddr = this.alloc(n + 4);
    this.view.fill(Infinity, this.hiAddr / 4, this.hiAddr / 4 + n + 4);
    this.view.fill(-Infinity, this.loAddr / 4, this.loAddr / 4 + n + 4);
  }

  /** A scanner, or null where the kernel cannot be built (no WebAssembly SIMD). */
  static create(n: number): TileScanner | null {
    if (compiled === undefined) {
      try {
        compiled = new WA.Module(moduleBytes());
      } catch {
        compiled = null;
      }
    }
    if (!compiled) return null;
    const e = new WA.Instance(compiled, {}).exports as unknown as ScanKernel;
    return new TileScanner({ memory: e.memory, scan: e.scan }, n);
  }

  private alloc(floats: number): number {
    const addr = this.top;
    this.top += Math.ceil((floats * 4) / 16) * 16;
    const need = Math.ceil(this.top / 65536) - this.k.memory.buffer.byteLength / 65536;
    if (need > 0) this.k.memory.grow(need);
    this.refresh();
    return addr;
  }

  private refresh(): void {
    if (this.view.buffer !== this.k.memory.buffer) {
      this.view = new Float32Array(this.k.memory.buffer);
      this.ints = new Int32Array(this.k.memory.buffer);
    }
  }

  /** Row/column i's thresholds (float64; stored rounded outwards). */
  setHi(i: number, v: number): void {
    this.view[this.hiAddr / 4 + i] = f32Below(v);
  }

  setLo(i: number, v: number): void {
    this.view[this.loAddr / 4 + i] = f32Above(v);
  }

  /** A writable tile area of rows x stride floats (stride: a multiple of 4 >= the columns scanned). */
  area(rows: number, stride: number): { data: Float32Array; offset: number } {
    if (rows * stride > this.tileCap) {
      this.tileCap = rows * stride;
      this.tileAddr = this.alloc(this.tileCap);
    }
    if (rows * Math.ceil(stride / 4) > this.candCap) {
      this.candCap = rows * Math.ceil(stride / 4);
      this.candAddr = this.alloc(2 * this.candCap);
    }
    return { data: this.view, offset: this.tileAddr / 4 };
  }

  /**
   * Scan the area (rows x cols values at stride floats a row; what lies past cols in the last quad
   * is scanned too, callers drop it). Row r is threshold index r0 + r, column c is c0 + c.
   * Returns the candidate count; candidate p is (cand[2p], cand[2p+1]) = (row, quad).
   */
  scan(rows: number, cols: number, stride: number, r0: number, c0: number): { count: number; cand: Int32Array; at: number } {
    const quads = Math.ceil(cols / 4);
    const count = this.k.scan(this.tileAddr, stride * 4, rows, quads, this.hiAddr + 4 * r0, this.loAddr + 4 * r0, this.hiAddr + 4 * c0, this.loAddr + 4 * c0, this.candAddr);
    this.refresh();
    return { count, cand: this.ints, at: this.candAddr / 4 };
  }

  /** The memory view (re-taken after growth). */
  get data(): Float32Array {
    this.refresh();
    return this.view;
  }
}
