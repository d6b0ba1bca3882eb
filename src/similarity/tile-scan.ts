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
 *
 * `reduce(tile, stride, rows, seg, nSeg, out, rs, cs)`: window matching's best window per track
 * pair. The tile's columns are windows, cut into nSeg segments of one track each (int32 pairs at
 * seg: the segment's end column, the track's place t); for each row r and segment, the float32 at
 * out + r * rs + t * cs becomes the maximum of itself and the segment's values (v > m: NaN never
 * wins), without a branch. rs, cs in bytes: a row-major or a transposed result.
 */
import {
  END, enc, F32, F32_LOAD, f32Store, funcBody, get, I32, IF, SELECT, I32_ADD, I32_MUL, I32_SHL, i32c, i32Load, mem, set, simd, V128,
  v128Load, VOID, WA, whileLt, type WasmMemory,
} from '../util/wasm-assembler.js';

const F32_GT = 0x5e;
const I32_STORE = 0x36;
const F32X4_SPLAT = simd(0x13);
const F32X4_LE = simd(0x45);
const F32X4_GE = simd(0x46);
const V128_OR = simd(0x50);
const V128_ANY_TRUE = simd(0x53);
const f32Load = (offset = 0) => [F32_LOAD, ...mem(2, offset)];
const i32Store = (offset = 0) => [I32_STORE, ...mem(2, offset)];

function reduceFunc(): number[] {
  // params: 0 tile, 1 stride, 2 rows, 3 seg, 4 nSeg, 5 out, 6 rs, 7 cs
  // locals: 8 r, 9 s, 10 c, 11 end, 12 p, 13 rowTile, 14 rowOut, 15 sp (i32); 16 m, 17 v (f32)
  const [tile, stride, rows, seg, nSeg, out, rs, cs, r, sIdx, c, end, p, rowTile, rowOut, sp, m, v] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const colBody = [
    ...get(rowTile), ...get(c), ...i32c(2), I32_SHL, I32_ADD, ...f32Load(0), ...set(v),
    // m = v > m ? v : m (NaN never wins), without a branch
    ...get(v), ...get(m), ...get(v), ...get(m), F32_GT, SELECT, ...set(m),
    ...get(c), ...i32c(1), I32_ADD, ...set(c),
  ];
  const segBody = [
    ...get(sp), ...i32Load(0), ...set(end),
    ...get(rowOut), ...get(sp), ...i32Load(4), ...get(cs), I32_MUL, I32_ADD, ...set(p),
    ...get(p), ...f32Load(0), ...set(m),
    ...whileLt(c, end, colBody),
    ...get(p), ...get(m), ...f32Store(0),
    ...get(sp), ...i32c(8), I32_ADD, ...set(sp),
    ...get(sIdx), ...i32c(1), I32_ADD, ...set(sIdx),
  ];
  const rowBody = [
    ...i32c(0), ...set(c),
    ...i32c(0), ...set(sIdx),
    ...get(seg), ...set(sp),
    ...whileLt(sIdx, nSeg, segBody),
    ...get(rowTile), ...get(stride), I32_ADD, ...set(rowTile),
    ...get(rowOut), ...get(rs), I32_ADD, ...set(rowOut),
    ...get(r), ...i32c(1), I32_ADD, ...set(r),
  ];
  const code = [...get(tile), ...set(rowTile), ...get(out), ...set(rowOut), ...whileLt(r, rows, rowBody), END];
  return funcBody([[8, I32], [2, F32]], code);
}

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
  const ints = (k: number) => enc.vec(Array.from({ length: k }, () => [I32]));
  const funcs = [scanFunc(), reduceFunc()];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...enc.section(1, enc.vec([[0x60, ...ints(9), ...enc.vec([[I32]])], [0x60, ...ints(8), ...enc.vec([])]])),
    ...enc.section(3, enc.vec([[0], [1]])),
    ...enc.section(5, enc.vec([[0x00, ...enc.u32(1)]])),
    ...enc.section(7, enc.vec([
      [...enc.str('memory'), 0x02, 0],
      [...enc.str('scan'), 0x00, 0],
      [...enc.str('reduce'), 0x00, 1],
    ])),
    ...enc.section(10, enc.vec(funcs.map((f) => [...enc.u32(f.length), ...f]))),
  ]);
}

interface ScanKernel {
  memory: WasmMemory;
  scan(tile: number, stride: number, rows: number, quads: number, hiR: number, loR: number, hiC: number, loC: number, cand: number): number;
  reduce(tile: number, stride: number, rows: number, seg: number, nSeg: number, out: number, rs: number, cs: number): void;
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
  private prodAddr = 0;
  private prodCap = -1;
  private segAddr = 0;

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
    return new TileScanner({ memory: e.memory, scan: e.scan, reduce: e.reduce }, n);
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

  /** A writable area for a product tile of rows x stride floats (apart from the scanned area). */
  productArea(rows: number, stride: number): { data: Float32Array; offset: number } {
    if (rows * stride > this.prodCap) {
      this.prodCap = rows * stride;
      this.prodAddr = this.alloc(this.prodCap);
      this.segAddr = this.alloc(2 * (stride + 1));
    }
    return { data: this.view, offset: this.prodAddr / 4 };
  }

  /**
   * Into the scanned area (rows at sStride floats): for the product area (rows x cols at pStride;
   * its columns the windows w0.., track i's being start[i] .. start[i+1]-1), each row's maximum
   * per track t0, t0 + 1, .. (the tracks of those windows), at S[row][t - c0], or at
   * S[t - c0][row] when transposed.
   */
  reduceMax(rows: number, cols: number, pStride: number, start: Int32Array, w0: number, t0: number, c0: number, sStride: number, transposed: boolean): void {
    const ints = this.ints;
    let nSeg = 0;
    const base = this.segAddr / 4;
    // one segment per track with windows here: at most cols of them
    for (let t = t0; start[t] < w0 + cols; t++) {
      if (start[t + 1] === start[t]) continue;
      ints[base + 2 * nSeg] = Math.min(start[t + 1], w0 + cols) - w0;
      ints[base + 2 * nSeg + 1] = t - c0;
      nSeg++;
    }
    const rs = transposed ? 4 : 4 * sStride;
    const cs = transposed ? 4 * sStride : 4;
    this.k.reduce(this.prodAddr, 4 * pStride, rows, this.segAddr, nSeg, this.tileAddr, rs, cs);
  }

  /** The memory view (re-taken after growth). */
  get data(): Float32Array {
    this.refresh();
    return this.view;
  }
}
