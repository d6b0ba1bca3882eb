/**
 * The WebAssembly SIMD backend: a kernel assembled here at load time from its opcodes (as
 * src/dsp/wasm-kernels.ts; no toolchain, no binary blob), one module per row width in quads.
 *
 * `product(a, na, b, nb, out, ldo)`: for each of the na rows of A at byte address a and each of
 * the nb rows of B at b (rows of q quads = 4q float32, zero-padded), out[i * ldo/4 + j] =
 * A_i . B_j. Four rows of B at a time: per quad of A's row, four f32x4 products accumulate into
 * four f32x4 sums, which two rounds of shuffles reduce to one f32x4 of four dot products. It
 * writes whole quads (up to 3 floats past nb in a row: ldo >= 4 ceil(nb/4)) and reads up to 3 rows
 * past B's last (the bound copy keeps 4 zero rows there). Float32 arithmetic, so a value is
 * within float32DotBound of the exact dot product.
 */
import {
  END, enc, F32X4_ADD, F32X4_MUL, get, I32, I32_ADD, i32c, set, shuffle, simd, V128, v128Load, v128Store, WA, whileLt,
  funcBody, type WasmMemory,
} from '../../util/wasm-assembler.js';
import { float32DotBound, type BoundProduct, type Rows, type TensorBackend } from './backend.js';

const I32_SHR_U = 0x76;

/** Byte lanes of an i8x16.shuffle picking these f32 lanes (0-3 first operand, 4-7 second). */
const f32Lanes = (lanes: number[]): number[] => lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);

function productFunc(q: number): number[] {
  // params: 0 a, 1 na, 2 b, 3 nb, 4 out, 5 ldo (bytes); locals: 6 i, 7 ap, 8 bp, 9 op, 10 jq, 11 nq, 12 rowOut (i32),
  // 13 av, 14-17 acc0-acc3 (v128)
  const [a, na, b, nb, out, ldo, i, ap, bp, op, jq, nq, rowOut, av] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const acc = [14, 15, 16, 17];
  const R = 16 * q; // bytes per row
  const quads: number[] = [];
  for (let t = 0; t < q; t++) {
    quads.push(...get(ap), ...v128Load(16 * t), ...set(av));
    for (let c = 0; c < 4; c++) {
      const prod = [...get(av), ...get(bp), ...v128Load(c * R + 16 * t), ...F32X4_MUL];
      quads.push(...(t === 0 ? [...prod, ...set(acc[c])] : [...get(acc[c]), ...prod, ...F32X4_ADD, ...set(acc[c])]));
    }
  }
  const pairSum = (x: number, y: number) => [
    ...get(x), ...get(y), ...shuffle(f32Lanes([0, 1, 4, 5])),
    ...get(x), ...get(y), ...shuffle(f32Lanes([2, 3, 6, 7])),
    ...F32X4_ADD, ...set(x),
  ];
  const colBody = [
    ...quads,
    ...pairSum(acc[0], acc[1]),
    ...pairSum(acc[2], acc[3]),
    // [sum acc0, sum acc1, sum acc2, sum acc3]
    ...get(op),
    ...get(acc[0]), ...get(acc[2]), ...shuffle(f32Lanes([0, 2, 4, 6])),
    ...get(acc[0]), ...get(acc[2]), ...shuffle(f32Lanes([1, 3, 5, 7])),
    ...F32X4_ADD, ...v128Store(0),
    ...get(bp), ...i32c(4 * R), I32_ADD, ...set(bp),
    ...get(op), ...i32c(16), I32_ADD, ...set(op),
    ...get(jq), ...i32c(1), I32_ADD, ...set(jq),
  ];
  const rowBody = [
    ...get(b), ...set(bp),
    ...get(rowOut), ...set(op),
    ...i32c(0), ...set(jq),
    ...whileLt(jq, nq, colBody),
    ...get(ap), ...i32c(R), I32_ADD, ...set(ap),
    ...get(rowOut), ...get(ldo), I32_ADD, ...set(rowOut),
    ...get(i), ...i32c(1), I32_ADD, ...set(i),
  ];
  const code = [
    ...get(nb), ...i32c(3), I32_ADD, ...i32c(2), I32_SHR_U, ...set(nq),
    ...get(a), ...set(ap),
    ...get(out), ...set(rowOut),
    ...whileLt(i, na, rowBody),
    END,
  ];
  return funcBody([[7, I32], [5, V128]], code);
}

function moduleBytes(q: number): Uint8Array {
  const type6 = [0x60, ...enc.vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...enc.vec([])];
  const f = productFunc(q);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...enc.section(1, enc.vec([type6])),
    ...enc.section(3, enc.vec([[0]])),
    ...enc.section(5, enc.vec([[0x00, ...enc.u32(1)]])),
    ...enc.section(7, enc.vec([
      [...enc.str('memory'), 0x02, 0],
      [...enc.str('product'), 0x00, 0],
    ])),
    ...enc.section(10, enc.vec([[...enc.u32(f.length), ...f]])),
  ]);
}

interface ProductKernel {
  memory: WasmMemory;
  product(a: number, na: number, b: number, nb: number, out: number, ldo: number): void;
}

const modules = new Map<number, object>();

function kernel(q: number): ProductKernel {
  let mod = modules.get(q);
  if (!mod) {
    mod = new WA.Module(moduleBytes(q));
    modules.set(q, mod);
  }
  const e = new WA.Instance(mod, {}).exports as unknown as ProductKernel;
  return { memory: e.memory, product: e.product };
}

export function loadWasmSimd(): TensorBackend {
  if (!WA) throw new Error('this Node.js has no WebAssembly');
  kernel(1); // throws where SIMD is not supported
  return {
    name: 'wasm',
    description: 'WebAssembly SIMD (f32x4, float32 sums)',
    tileRows: 128,
    tileCols: 1024,
    errorBound: float32DotBound,
    bind(a: Rows, b: Rows): BoundProduct {
      if (a.dim !== b.dim) throw new Error(`product of ${a.dim}- and ${b.dim}-value rows`);
      const dim = a.dim;
      const q = Math.ceil(dim / 4);
      const R = 16 * q;
      let k: ProductKernel | null = kernel(q);
      let view = new Float32Array(k.memory.buffer);
      let top = 0;
      const alloc = (bytes: number): number => {
        const addr = top;
        top += Math.ceil(bytes / 16) * 16;
        const need = Math.ceil(top / 65536) - k!.memory.buffer.byteLength / 65536;
        if (need > 0) k!.memory.grow(need);
        if (view.buffer !== k!.memory.buffer) view = new Float32Array(k!.memory.buffer);
        return addr;
      };
      // rows padded to 4q floats, then 4 zero rows (the kernel reads up to 3 rows past the last)
      const copy = (m: Rows): number => {
        const addr = alloc((m.n + 4) * R);
        const base = addr / 4;
        if (4 * q === dim) view.set(m.data.subarray(0, m.n * dim), base);
        else for (let r = 0; r < m.n; r++) view.set(m.data.subarray(r * dim, r * dim + dim), base + r * 4 * q);
        return addr;
      };
      const aAddr = copy(a);
      const bAddr = b === a || (b.data === a.data && b.n === a.n) ? aAddr : copy(b);
      let outAddr = 0;
      let outCap = -1;
      return {
        tile(a0, a1, b0, b1) {
          const nb = b1 - b0;
          const ldo = Math.ceil(nb / 4) * 4;
          if ((a1 - a0) * ldo > outCap) {
            outCap = (a1 - a0) * ldo;
            outAddr = alloc(outCap * 4);
          }
          k!.product(aAddr + a0 * R, a1 - a0, bAddr + b0 * R, nb, outAddr, ldo * 4);
          if (view.buffer !== k!.memory.buffer) view = new Float32Array(k!.memory.buffer);
          return { data: view, offset: outAddr / 4, stride: ldo };
        },
        dispose() {
          k = null;
          view = new Float32Array(0);
        },
      };
    },
  };
}
