/**
 * Small WebAssembly SIMD (f32x4) kernels for the per-frame hot loops, assembled here at load
 * time from their opcodes (no toolchain needed, no binary blob in the repo):
 *
 * - `power(spec, pow, nQuads, sums)`: from a packed real spectrum [re0, im0, re1, im1, ...]
 *   (4 bins per quad) write pow[k] = re^2 + im^2 for k < 4 nQuads, and lane-wise partial sums of
 *   pow, sqrt(pow) and k sqrt(pow) to sums[0..3], sums[4..7], sums[8..11].
 * - `powerMag(spec, pow, nQuads, sums, mag)`: the same, and also mag[k] = sqrt(pow[k]) (f32x4.sqrt
 *   is correctly rounded, so mag[k] = Math.fround(Math.sqrt(pow[k])) exactly).
 * - `matvec(table, nRows, x, out)`: sparse row-segmented matrix times vector:
 *   out[r] = sum over the row's segments of sum_q w[q] . x[q] in f32x4 quads.
 *   table: nRows + 1 int32 segment indices (row r owns segments table[r] .. table[r+1]-1), then
 *   per segment three int32: byte offset into x, absolute byte address of its weights, quads.
 *
 * - `window(src, win, dst, nQuads)`: dst[i] = src[i] * win[i] for i < 4 nQuads.
 * - `crossings(src, nQuads, lim)`: the number of i < 4 nQuads where (src[i] < lim) differs
 *   from (src[i+1] < lim), i.e. sign-bit changes after zeroing |x| <= -lim (reads src[4 nQuads]).
 *
 * Arithmetic is float32 (as librosa's own float32 pipeline: |X|^2, the mel and chroma
 * projections by BLAS and scipy's DCT all run in float32). Byte addresses are into the
 * kernel module's own exported memory.
 */

import {
  BLOCK, BR, BR_IF, END, enc, F32, F32_ADD, F32X4_ADD, F32X4_EXTRACT, F32X4_MUL, F32X4_SQRT, f32Store, get,
  I32, I32_ADD, I32_EQZ, I32_MUL, I32_SHL, I32_SUB, i32c, i32Load, LOOP, set, shuffle, simd, V128,
  v128ConstF32, v128Load, v128Store, VOID, WA, whileLt, type WasmMemory,
} from '../util/wasm-assembler.js';

function powerFunc(withMag: boolean): number[] {
  // params: 0 spec, 1 pow, 2 nQuads, 3 sums[, 4 mag]; then locals: q (i32), accP, accM, accW, kv, a, b, p, m (v128)
  const np = withMag ? 5 : 4;
  const [spec, pow, nQuads, sums, magp] = [0, 1, 2, 3, 4];
  const [q, accP, accM, accW, kv, a, b, p, m] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => np + i);
  const evens = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
  const odds = [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31];
  const storeMag = withMag ? [...get(magp), ...get(m), ...v128Store(0), ...get(magp), ...i32c(16), I32_ADD, ...set(magp)] : [];
  const body = [
    ...get(spec), ...v128Load(0), ...get(spec), ...v128Load(0), ...F32X4_MUL, ...set(a),
    ...get(spec), ...v128Load(16), ...get(spec), ...v128Load(16), ...F32X4_MUL, ...set(b),
    ...get(a), ...get(b), ...shuffle(evens), ...get(a), ...get(b), ...shuffle(odds), ...F32X4_ADD, ...set(p),
    ...get(pow), ...get(p), ...v128Store(0),
    ...get(accP), ...get(p), ...F32X4_ADD, ...set(accP),
    ...get(p), ...F32X4_SQRT, ...set(m),
    ...storeMag,
    ...get(accM), ...get(m), ...F32X4_ADD, ...set(accM),
    ...get(accW), ...get(kv), ...get(m), ...F32X4_MUL, ...F32X4_ADD, ...set(accW),
    ...get(kv), ...v128ConstF32(4, 4, 4, 4), ...F32X4_ADD, ...set(kv),
    ...get(spec), ...i32c(32), I32_ADD, ...set(spec),
    ...get(pow), ...i32c(16), I32_ADD, ...set(pow),
    ...get(q), ...i32c(1), I32_ADD, ...set(q),
  ];
  const code = [
    ...v128ConstF32(0, 1, 2, 3), ...set(kv),
    ...whileLt(q, nQuads, body),
    ...get(sums), ...get(accP), ...v128Store(0),
    ...get(sums), ...get(accM), ...v128Store(16),
    ...get(sums), ...get(accW), ...v128Store(32),
    END,
  ];
  const locals = enc.vec([[1, I32], [8, V128]]);
  return [...locals, ...code];
}

function matvecFunc(): number[] {
  // params: 0 table, 1 nRows, 2 x, 3 out
  // locals: 4 r, 5 s, 6 sEnd, 7 rec, 8 xp, 9 wp, 10 nq (i32); 11 acc (v128)
  const [table, nRows, x, out, r, s, sEnd, rec, xp, wp, nq, acc] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const segBase = [...get(table), ...get(nRows), ...i32c(1), I32_ADD, ...i32c(2), I32_SHL, I32_ADD];
  const quadLoop = [
    BLOCK, VOID, LOOP, VOID,
    ...get(nq), I32_EQZ, BR_IF, 1,
    ...get(acc), ...get(wp), ...v128Load(0), ...get(xp), ...v128Load(0), ...F32X4_MUL, ...F32X4_ADD, ...set(acc),
    ...get(wp), ...i32c(16), I32_ADD, ...set(wp),
    ...get(xp), ...i32c(16), I32_ADD, ...set(xp),
    ...get(nq), ...i32c(1), I32_SUB, ...set(nq),
    BR, 0, END, END,
  ];
  const segBody = [
    // rec = segBase + s * 12
    ...segBase, ...get(s), ...i32c(12), I32_MUL, I32_ADD, ...set(rec),
    ...get(x), ...get(rec), ...i32Load(0), I32_ADD, ...set(xp),
    ...get(rec), ...i32Load(4), ...set(wp),
    ...get(rec), ...i32Load(8), ...set(nq),
    ...quadLoop,
    ...get(s), ...i32c(1), I32_ADD, ...set(s),
  ];
  const rowBody = [
    ...get(table), ...get(r), ...i32c(2), I32_SHL, I32_ADD, ...i32Load(0), ...set(s),
    ...get(table), ...get(r), ...i32c(2), I32_SHL, I32_ADD, ...i32Load(4), ...set(sEnd),
    ...v128ConstF32(0, 0, 0, 0), ...set(acc),
    ...whileLt(s, sEnd, segBody),
    // out[r] = (l0 + l1) + (l2 + l3)
    ...get(out), ...get(r), ...i32c(2), I32_SHL, I32_ADD,
    ...get(acc), ...F32X4_EXTRACT(0), ...get(acc), ...F32X4_EXTRACT(1), F32_ADD,
    ...get(acc), ...F32X4_EXTRACT(2), ...get(acc), ...F32X4_EXTRACT(3), F32_ADD, F32_ADD,
    ...f32Store(0),
    ...get(r), ...i32c(1), I32_ADD, ...set(r),
  ];
  const code = [...whileLt(r, nRows, rowBody), END];
  const locals = enc.vec([[7, I32], [1, V128]]);
  return [...locals, ...code];
}

function windowFunc(): number[] {
  // params: 0 src, 1 win, 2 dst, 3 nQuads; local 4 q
  const [src, win, dst, nQuads, q] = [0, 1, 2, 3, 4];
  const body = [
    ...get(dst), ...get(src), ...v128Load(0), ...get(win), ...v128Load(0), ...F32X4_MUL, ...v128Store(0),
    ...get(src), ...i32c(16), I32_ADD, ...set(src),
    ...get(win), ...i32c(16), I32_ADD, ...set(win),
    ...get(dst), ...i32c(16), I32_ADD, ...set(dst),
    ...get(q), ...i32c(1), I32_ADD, ...set(q),
  ];
  return [...enc.vec([[1, I32]]), ...whileLt(q, nQuads, body), END];
}

function crossingsFunc(): number[] {
  // params: 0 src, 1 nQuads (i32), 2 lim (f32) -> i32; locals: 3 q (i32), 4 acc, 5 limv (v128)
  const [src, nQuads, lim, q, acc, limv] = [0, 1, 2, 3, 4, 5];
  const F32X4_SPLAT = simd(0x13);
  const F32X4_LT = simd(0x43);
  const V128_XOR = simd(0x51);
  const I32X4_SUB = simd(0xb1);
  const I32X4_EXTRACT = (lane: number) => simd(0x1b, lane);
  const body = [
    // acc -= (src[i..i+3] < lim) xor (src[i+1..i+4] < lim)   (true lanes are -1)
    ...get(acc),
    ...get(src), ...v128Load(0), ...get(limv), ...F32X4_LT,
    ...get(src), ...v128Load(4), ...get(limv), ...F32X4_LT,
    ...V128_XOR, ...I32X4_SUB, ...set(acc),
    ...get(src), ...i32c(16), I32_ADD, ...set(src),
    ...get(q), ...i32c(1), I32_ADD, ...set(q),
  ];
  return [
    ...enc.vec([[1, I32], [2, V128]]),
    ...get(lim), ...F32X4_SPLAT, ...set(limv),
    ...whileLt(q, nQuads, body),
    ...get(acc), ...I32X4_EXTRACT(0), ...get(acc), ...I32X4_EXTRACT(1), I32_ADD,
    ...get(acc), ...I32X4_EXTRACT(2), I32_ADD, ...get(acc), ...I32X4_EXTRACT(3), I32_ADD,
    END,
  ];
}

function moduleBytes(): Uint8Array {
  const type4 = [0x60, ...enc.vec([[I32], [I32], [I32], [I32]]), ...enc.vec([])];
  const typeCross = [0x60, ...enc.vec([[I32], [I32], [F32]]), ...enc.vec([[I32]])];
  const type5 = [0x60, ...enc.vec([[I32], [I32], [I32], [I32], [I32]]), ...enc.vec([])];
  const funcs = [powerFunc(false), matvecFunc(), windowFunc(), crossingsFunc(), powerFunc(true)];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...enc.section(1, enc.vec([type4, typeCross, type5])),
    ...enc.section(3, enc.vec([[0], [0], [0], [1], [2]])),
    ...enc.section(5, enc.vec([[0x00, ...enc.u32(1)]])),
    ...enc.section(7, enc.vec([
      [...enc.str('memory'), 0x02, 0],
      [...enc.str('power'), 0x00, 0],
      [...enc.str('matvec'), 0x00, 1],
      [...enc.str('window'), 0x00, 2],
      [...enc.str('crossings'), 0x00, 3],
      [...enc.str('powerMag'), 0x00, 4],
    ])),
    ...enc.section(10, enc.vec(funcs.map((f) => [...enc.u32(f.length), ...f]))),
  ];
  return Uint8Array.from(bytes);
}

export interface DspKernels {
  memory: WasmMemory;
  power(spec: number, pow: number, nQuads: number, sums: number): void;
  matvec(table: number, nRows: number, x: number, out: number): void;
  window(src: number, win: number, dst: number, nQuads: number): void;
  crossings(src: number, nQuads: number, lim: number): number;
  powerMag(spec: number, pow: number, nQuads: number, sums: number, mag: number): void;
}

let kernels: DspKernels | null = null;
let kernelError: string | null = null;

/** The kernels (one instance per thread), or null when WebAssembly SIMD is unavailable. */
export function dspKernels(): DspKernels | null {
  if (kernels || kernelError) return kernels;
  try {
    const mod = new WA.Module(moduleBytes());
    const inst = new WA.Instance(mod, {});
    const e = inst.exports as unknown as DspKernels;
    kernels = { memory: e.memory, power: e.power, matvec: e.matvec, window: e.window, crossings: e.crossings, powerMag: e.powerMag };
  } catch (err) {
    kernelError = err instanceof Error ? err.message : String(err);
  }
  return kernels;
}

export type { KernelArena };

export function dspKernelError(): string | null {
  dspKernels();
  return kernelError;
}

/** A row-segmented sparse matrix as the matvec kernel reads it. */
export interface SegmentRows {
  nRows: number;
  /** Row r owns segments rowSeg[r] .. rowSeg[r+1]-1. */
  rowSeg: ArrayLike<number>;
  segStart: ArrayLike<number>;
  segLength: ArrayLike<number>;
  segOffset: ArrayLike<number>;
  weights: ArrayLike<number>;
}

let arena: KernelArena | null = null;

/**
 * The one allocator of the kernel memory of this thread (null without kernels). Every user must
 * allocate through it: regions are never freed, so allocate once per configuration and reuse.
 */
export function kernelArena(): KernelArena | null {
  const k = dspKernels();
  if (k && !arena) arena = new KernelArena(k);
  return arena;
}

/**
 * Bump allocator inside the kernel memory (use the shared `kernelArena()`). Addresses are byte
 * offsets, 16-byte aligned.
 */
class KernelArena {
  declare readonly k: DspKernels;
  declare private top: number;

  constructor(k: DspKernels) {
    this.k = k;
    this.top = 0;
  }

  /** Reserve `floats` float32 slots (zeroed), returning the byte address. */
  alloc(floats: number): number {
    const addr = this.top;
    this.top += Math.ceil((floats * 4) / 16) * 16;
    const need = Math.ceil(this.top / 65536) - this.k.memory.buffer.byteLength / 65536;
    if (need > 0) this.k.memory.grow(need);
    return addr;
  }

  /** Current float32 view of the whole memory (re-taken after growth). */
  f32(): Float32Array {
    return new Float32Array(this.k.memory.buffer);
  }

  i32(): Int32Array {
    return new Int32Array(this.k.memory.buffer);
  }

  /**
   * Copy a sparse matrix into memory for `matvec`: every segment is padded with zero weights to
   * whole quads, so x must have at least 3 readable (finite) floats after its last used index.
   * Returns the table address.
   */
  storeRows(m: SegmentRows): number {
    const nSeg = m.rowSeg[m.nRows];
    let totalQuads = 0;
    for (let s = 0; s < nSeg; s++) totalQuads += Math.ceil(m.segLength[s] / 4);
    const table = this.alloc(m.nRows + 1 + 3 * nSeg);
    const wAddr = this.alloc(totalQuads * 4);
    const i32 = this.i32();
    const f32 = this.f32();
    for (let r = 0; r <= m.nRows; r++) i32[table / 4 + r] = m.rowSeg[r];
    const segBase = table / 4 + m.nRows + 1;
    let w = wAddr;
    for (let s = 0; s < nSeg; s++) {
      const quads = Math.ceil(m.segLength[s] / 4);
      i32[segBase + 3 * s] = m.segStart[s] * 4;
      i32[segBase + 3 * s + 1] = w;
      i32[segBase + 3 * s + 2] = quads;
      for (let i = 0; i < m.segLength[s]; i++) f32[w / 4 + i] = m.weights[m.segOffset[s] + i];
      w += quads * 16;
    }
    return table;
  }
}
