/**
 * A tiny WebAssembly assembler: binary encodings (LEB128, sections), the opcodes yasr's
 * hand-written kernels use, and the few WebAssembly API types the compiler's lib settings do not
 * declare. The kernels (src/dsp/wasm-kernels.ts, src/similarity/backends/wasm-simd.ts,
 * src/similarity/f64-kernels.ts) are
 * assembled from these at load time: no toolchain, no binary blob in the repository.
 */

export const enc = {
  u32(n: number): number[] {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n !== 0) b |= 0x80;
      out.push(b);
    } while (n !== 0);
    return out;
  },
  s32(n: number): number[] {
    const out: number[] = [];
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
        out.push(b);
        return out;
      }
      out.push(b | 0x80);
    }
  },
  str(s: string): number[] {
    return [...enc.u32(s.length), ...Buffer.from(s, 'utf8')];
  },
  vec(items: number[][]): number[] {
    return [...enc.u32(items.length), ...items.flat()];
  },
  section(id: number, body: number[]): number[] {
    return [id, ...enc.u32(body.length), ...body];
  },
};

// value types
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const F64 = 0x7c;

// opcodes
export const BLOCK = 0x02;
export const LOOP = 0x03;
export const END = 0x0b;
export const BR = 0x0c;
export const BR_IF = 0x0d;
export const VOID = 0x40;
export const LGET = 0x20;
export const LSET = 0x21;
export const I32_LOAD = 0x28;
export const F32_STORE = 0x38;
export const I32_CONST = 0x41;
export const I32_GE_U = 0x4f;
export const I32_GT_U = 0x4b;
export const I32_EQZ = 0x45;
export const I32_ADD = 0x6a;
export const I32_SUB = 0x6b;
export const I32_MUL = 0x6c;
export const I32_SHL = 0x74;
export const F32_ADD = 0x92;
export const F32_LOAD = 0x2a;
export const F64_LOAD = 0x2b;
export const F64_STORE = 0x39;
export const F64_CONST = 0x44;
export const F64_SQRT = 0x9f;
export const F64_ABS = 0x99;
export const F64_PROMOTE_F32 = 0xbb;
export const F64_ADD = 0xa0;
export const F64_SUB = 0xa1;
export const F64_MUL = 0xa2;
export const SIMD = 0xfd;
export const IF = 0x04;
export const ELSE = 0x05;
export const RETURN = 0x0f;
export const SELECT = 0x1b;
export const I32_EQ = 0x46;
export const I32_LT_S = 0x48;
export const I32_GT_S = 0x4a;
export const I32_AND = 0x71;
export const F64_GT = 0x64;

export const get = (i: number): number[] => [LGET, i];
export const set = (i: number): number[] => [LSET, i];
export const i32c = (n: number): number[] => [I32_CONST, ...enc.s32(n)];
/** A memory immediate: alignment exponent and byte offset. */
export const mem = (align: number, offset = 0): number[] => [...enc.u32(align), ...enc.u32(offset)];
export const simd = (op: number, ...imm: number[]): number[] => [SIMD, ...enc.u32(op), ...imm];
export const v128Load = (offset = 0): number[] => simd(0x00, ...mem(2, offset));
export const v128Store = (offset = 0): number[] => simd(0x0b, ...mem(2, offset));
export const v128ConstF32 = (a: number, b: number, c: number, d: number): number[] => {
  const bytes = new Uint8Array(new Float32Array([a, b, c, d]).buffer);
  return simd(0x0c, ...bytes);
};
/** i8x16.shuffle of the two v128 operands on the stack (lanes 0-15 first, 16-31 second). */
export const shuffle = (lanes: number[]): number[] => simd(0x0d, ...lanes);
export const F32X4_EXTRACT = (lane: number): number[] => simd(0x1f, lane);
export const F32X4_SQRT = simd(0xe3);
export const F32X4_ADD = simd(0xe4);
export const F32X4_MUL = simd(0xe6);
export const F64X2_EXTRACT = (lane: number): number[] => simd(0x21, lane);
export const F64X2_PROMOTE_LOW = simd(0x5f);
export const F64X2_ABS = simd(0xec);
export const F64X2_ADD = simd(0xf0);
export const F64X2_SUB = simd(0xf1);
export const F64X2_MUL = simd(0xf2);
export const V128_ZERO = simd(0x0c, ...new Array(16).fill(0));
export const v128Load64Splat = (offset = 0): number[] => simd(0x0a, ...mem(3, offset));
export const F64X2_SPLAT = simd(0x14);
export const F64X2_SQRT = simd(0xef);
/** f64x2.pmin(a, b) = b < a ? b : a, lane by lane (the JavaScript ternary, without a branch). */
export const F64X2_PMIN = simd(0xf6);
export const i32Load = (offset = 0): number[] => [I32_LOAD, ...mem(2, offset)];
export const f32Store = (offset = 0): number[] => [F32_STORE, ...mem(2, offset)];

/** `while (!(a >= b)) { body }` with a, b i32 locals (unsigned): block/loop/br_if pattern. */
export function whileLt(a: number, b: number, body: number[]): number[] {
  return [BLOCK, VOID, LOOP, VOID, ...get(a), ...get(b), I32_GE_U, BR_IF, 1, ...body, BR, 0, END, END];
}

/** A function body: its local declarations ([count, type] runs) and code (END included). */
export function funcBody(locals: [number, number][], code: number[]): number[] {
  return [...enc.vec(locals.map(([count, type]) => [...enc.u32(count), type])), ...code];
}

/**
 * A module of one exported function `name` taking `params` i32 arguments and returning nothing,
 * with an exported memory of one page to start: `body` from funcBody.
 */
export function oneFunctionModule(name: string, params: number, body: number[]): Uint8Array {
  const type = [0x60, ...enc.vec(Array.from({ length: params }, () => [I32])), 0x00];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...enc.section(1, enc.vec([type])),
    ...enc.section(3, enc.vec([[0]])),
    ...enc.section(5, enc.vec([[0x00, 1]])),
    ...enc.section(7, enc.vec([[...enc.str('memory'), 0x02, 0], [...enc.str(name), 0x00, 0]])),
    ...enc.section(10, enc.vec([[...enc.u32(body.length), ...body]])),
  ]);
}

// The compiler's lib settings (ES2023, node types) do not declare WebAssembly: type what is used.
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
