/**
 * Timbre's symmetrised KL divergences of one model against many, in WebAssembly SIMD, with the
 * arithmetic of `skl` in ./gaussian.ts to the bit. skl sums, over the packed upper triangle
 * (x <= y, in that order), Ia (Cb + o) + Ib (Ca + o) with o = diff[x] diff[y], diff = mean_a -
 * mean_b, into one accumulator. Here each f64x2 lane is one pair: the same operations in the same
 * order per lane (WebAssembly neither fuses nor reorders float operations), two models of the
 * catalogue per vector and two vectors at a time (four pairs, whose additions overlap in the
 * processor instead of waiting for each other). About seven times faster than the JavaScript
 * loop (2,000 models of dimension 20, one thread; timbre's mutual proximity needs every pair).
 *
 * The models live in the module's memory in blocks of two, lanes interleaved: block b holds
 * models 2b and 2b + 1, its float64 pairs [mean (d), packed covariance (np), packed inverse (np)],
 * so one v128 load reads a term of both. The model compared against them is read from the same
 * layout (its lane of its block, splat to both lanes). The kernel returns the sums s; the caller
 * finishes skl's max(0, s / 4 - d / 2) (and log1p) in JavaScript, as skl does.
 */
import {
  BLOCK, BR, BR_IF, END, F64X2_ADD, F64X2_MUL, F64X2_SUB, I32, I32_ADD, I32_GE_U, I32_SHL, LGET, LOOP, LSET, V128, V128_ZERO, VOID, WA,
  funcBody, i32c, oneFunctionModule, v128Load, v128Load64Splat, v128Store, whileLt, type WasmMemory,
} from '../util/wasm-assembler.js';
import type { SklModels } from './gaussian.js';

// sums(iAt, jAt, units, out, scratch): for units of two blocks (four models) from jAt,
// out[4u + m] = skl's sum of the model at iAt (a lane address) against model m of unit u
const [IAT, JAT, UNITS, OUT, SCR] = [0, 1, 2, 3, 4];
// i32 locals: the unit, x, y, the pointers into model i, block A, block B and the scratch (x, y)
const [U, X, Y, PI, PA, PB, XA, YA] = [5, 6, 7, 8, 9, 10, 11, 12];
// v128 locals
const [SA, SB, DXA, DXB, OA, OB, CI, II] = [13, 14, 15, 16, 17, 18, 19, 20];

const add = (a: number, n: number) => [LGET, a, ...i32c(n), I32_ADD];

/**
 * The kernel for dimension d (offsets in a block are constants of the code: a module per d).
 * Block fields: mean at 16 x, covariance term p at 16 (d + p), its inverse at 16 (d + np + p).
 */
function assemble(d: number): Uint8Array {
  const np = (d * (d + 1)) / 2;
  const bb = 16 * (d + 2 * np);
  const inv = 16 * np;
  /** S = S + (ii * (blk[t] + O) + blk[t + inv] * (ci + O)) for the block term at local `p`. */
  const term = (s: number, o: number, p: number) => [
    LGET, s,
    LGET, II, LGET, p, ...v128Load(), LGET, o, ...F64X2_ADD, ...F64X2_MUL,
    LGET, p, ...v128Load(inv), LGET, CI, LGET, o, ...F64X2_ADD, ...F64X2_MUL,
    ...F64X2_ADD,
    ...F64X2_ADD, LSET, s,
  ];
  const code = [
    ...i32c(0), LSET, U,
    ...whileLt(U, UNITS, [
      // diffs: scratch[x] = mean_i[x] - mean_A[x], scratch[d + x] = mean_i[x] - mean_B[x]
      LGET, IAT, LSET, PI,
      LGET, JAT, LSET, PA,
      LGET, SCR, LSET, XA,
      ...i32c(0), LSET, X,
      ...loopN(X, d, [
        LGET, XA,
        LGET, PI, ...v128Load64Splat(), LGET, PA, ...v128Load(), ...F64X2_SUB,
        ...v128Store(),
        LGET, XA,
        LGET, PI, ...v128Load64Splat(), LGET, PA, ...v128Load(bb), ...F64X2_SUB,
        ...v128Store(16 * d),
        ...add(PI, 16), LSET, PI,
        ...add(PA, 16), LSET, PA,
        ...add(XA, 16), LSET, XA,
      ]),
      ...V128_ZERO, LSET, SA,
      ...V128_ZERO, LSET, SB,
      // PI, PA, PB: the covariance's first term of model i and of blocks A and B
      ...add(IAT, 16 * d), LSET, PI,
      ...add(JAT, 16 * d), LSET, PA,
      ...add(JAT, bb + 16 * d), LSET, PB,
      LGET, SCR, LSET, XA,
      ...i32c(0), LSET, X,
      ...loopN(X, d, [
        LGET, XA, ...v128Load(), LSET, DXA,
        LGET, XA, ...v128Load(16 * d), LSET, DXB,
        LGET, XA, LSET, YA,
        LGET, X, LSET, Y,
        ...loopN(Y, d, [
          LGET, PI, ...v128Load64Splat(), LSET, CI,
          LGET, PI, ...v128Load64Splat(inv), LSET, II,
          LGET, DXA, LGET, YA, ...v128Load(), ...F64X2_MUL, LSET, OA,
          LGET, DXB, LGET, YA, ...v128Load(16 * d), ...F64X2_MUL, LSET, OB,
          ...term(SA, OA, PA),
          ...term(SB, OB, PB),
          ...add(PI, 16), LSET, PI,
          ...add(PA, 16), LSET, PA,
          ...add(PB, 16), LSET, PB,
          ...add(YA, 16), LSET, YA,
        ]),
        ...add(XA, 16), LSET, XA,
      ]),
      // out[4u .. 4u + 3]
      LGET, OUT, LGET, U, ...i32c(5), I32_SHL, I32_ADD, LGET, SA, ...v128Store(),
      LGET, OUT, LGET, U, ...i32c(5), I32_SHL, I32_ADD, LGET, SB, ...v128Store(16),
      ...add(JAT, 2 * bb), LSET, JAT,
      ...add(U, 1), LSET, U,
    ]),
    END,
  ];
  return oneFunctionModule('sums', 5, funcBody([[8, I32], [8, V128]], code));
}

/** for (; v < n; v++) body, n a constant */
function loopN(v: number, n: number, body: number[]): number[] {
  return [BLOCK, VOID, LOOP, VOID, LGET, v, ...i32c(n), I32_GE_U, BR_IF, 1, ...body, LGET, v, ...i32c(1), I32_ADD, LSET, v, BR, 0, END, END];
}

interface Kernel {
  memory: WasmMemory;
  sums(iAt: number, jAt: number, units: number, out: number, scratch: number): void;
}

/** The compiled module of each dimension (null: WebAssembly SIMD unavailable). */
const compiled = new Map<number, object | null>();
function module(d: number): object | null {
  if (!compiled.has(d)) {
    try {
      compiled.set(d, new WA.Module(assemble(d)));
    } catch {
      compiled.set(d, null);
    }
  }
  return compiled.get(d)!;
}

/** One model against the models after it, as skl computes them. */
export interface SklRowKernel {
  /**
   * out[j - i - 1] = log1p(skl(g, i, j)) for i < j < n (out: at least n - i - 1 values): the
   * divergences of model i with every model after it, to the bit those of skl.
   */
  after(i: number, out: Float64Array): Float64Array;
}

/** A kernel over the models of `g`, or null where WebAssembly SIMD is unavailable (or too little memory). */
export function sklRowKernel(g: SklModels): SklRowKernel | null {
  const { n, d } = g;
  const np = (d * (d + 1)) / 2;
  if (n < 1 || d < 1) return null;
  const m = module(d);
  if (!m) return null;
  // models padded to units of four (copies of the last model; their sums are not read)
  const units = Math.ceil(n / 4);
  const blockDoubles = 2 * (d + 2 * np);
  const scratchAt = units * 2 * blockDoubles * 8;
  const outAt = scratchAt + 2 * d * 16;
  const bytes = outAt + units * 4 * 8;
  if (bytes > 2 ** 31) return null;
  const k = new WA.Instance(m, {}).exports as unknown as Kernel;
  const pages = Math.ceil(bytes / 65536);
  if (pages > 1 && k.memory.grow(pages - 1) < 0) return null;
  const M = new Float64Array(k.memory.buffer);
  for (let b = 0; b < 2 * units; b++) {
    for (let lane = 0; lane < 2; lane++) {
      const src = Math.min(n - 1, 2 * b + lane);
      const o = b * blockDoubles + lane;
      for (let x = 0; x < d; x++) M[o + 2 * x] = g.mean[src * d + x];
      for (let p = 0; p < np; p++) {
        M[o + 2 * (d + p)] = g.packedCov[src * np + p];
        M[o + 2 * (d + np + p)] = g.packedInv[src * np + p];
      }
    }
  }
  const half = d / 2;
  return {
    after(i, out) {
      const u0 = Math.floor((i + 1) / 4);
      if (i + 1 >= n) return out;
      const iAt = (i >> 1) * blockDoubles * 8 + (i & 1) * 8;
      k.sums(iAt, u0 * 2 * blockDoubles * 8, units - u0, outAt, scratchAt);
      const base = outAt / 8 - 4 * u0;
      for (let j = i + 1; j < n; j++) out[j - i - 1] = Math.log1p(Math.max(0, 0.25 * M[base + j] - half));
      return out;
    },
  };
}
