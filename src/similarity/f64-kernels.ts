/**
 * One float64 vector against every row of a matrix, in WebAssembly: dot products, and Euclidean
 * distances. A process that ranks a catalogue once (a stored-track `yasr recommend`) spends more
 * on JavaScript that has not been compiled yet than on the arithmetic; WebAssembly runs compiled
 * from the first row. The module is assembled here with src/util/wasm-assembler.ts's encodings (as
 * src/dsp/wasm-kernels.ts is) and is scalar float64: the same IEEE operations in the same order as the loops
 *
 *     acc = 0; for k < dim: acc = acc + q[k] * x[o + k]                 (dots)
 *     acc = 0; for k < dim: acc = acc + (q[k] - x[o + k]) ** 2; sqrt(acc) * scale   (distances)
 *
 * so the same results to the bit (WebAssembly neither fuses nor reorders float operations, and
 * V8's d ** 2 is d * d). A matrix is copied into the module's memory on its first use and kept
 * there while the matrix lives.
 */
import {
  BLOCK, BR, BR_IF, END, F64, F64_ADD, F64_CONST, F64_LOAD, F64_MUL, F64_SQRT, F64_STORE, F64_SUB,
  I32, I32_ADD, I32_CONST, I32_GE_U, I32_GT_U, I32_MUL, I32_SHL, LGET, LOOP, LSET, VOID, WA, enc,
} from '../util/wasm-assembler.js';


// params: q, x, n, dim, out (byte addresses and counts), scale (distances); locals: j, k, the
// row pointer of each of ROWS rows at once, q[k], then each row's acc (and d for distances)
const [Q, X, N, DIM, OUT, SCALE, J, K] = [0, 1, 2, 3, 4, 5, 6, 7];
/** Rows computed side by side: their sums are separate chains, which the processor overlaps. */
const ROWS = 4;
const P = (r: number) => 8 + r;
const QK = 8 + ROWS;
const ACC = (r: number) => 9 + ROWS + r;
const D = 9 + 2 * ROWS;
/** p + (index << 3): the address of a float64 */
const at = (p: number, index: number) => [LGET, p, LGET, index, I32_CONST, 3, I32_SHL, I32_ADD];
const each = (rows: number, code: (r: number) => number[]) => Array.from({ length: rows }, (_, r) => code(r)).flat();

/**
 * `rows` rows from X on: for each, acc = 0, then for each k acc = acc + term(q[k], x[k]) (the
 * rows' terms interleaved, each row's in k order); row r's finish(acc) goes to out[J + r]; then X
 * and J move on by `rows`.
 */
function rowsBody(rows: number, term: number[], finish: number[]): number[] {
  return [
    ...each(rows, (r) => [LGET, X, ...(r ? [LGET, DIM, I32_CONST, 3, I32_SHL, I32_CONST, r, I32_MUL, I32_ADD] : []), LSET, P(r)]),
    ...each(rows, (r) => [F64_CONST, 0, 0, 0, 0, 0, 0, 0, 0, LSET, ACC(r)]),
    I32_CONST, 0, LSET, K,
    BLOCK, VOID,
    LOOP, VOID,
    LGET, K, LGET, DIM, I32_GE_U, BR_IF, 1,
    ...at(Q, K), F64_LOAD, 3, 0, LSET, QK,
    ...each(rows, (r) => [LGET, ACC(r), LGET, QK, ...at(P(r), K), F64_LOAD, 3, 0, ...term, F64_ADD, LSET, ACC(r)]),
    LGET, K, I32_CONST, 1, I32_ADD, LSET, K,
    BR, 0,
    END,
    END,
    ...each(rows, (r) => [...at(OUT, J), LGET, ACC(r), ...finish, F64_STORE, 3, 8 * r]),
    LGET, X, LGET, DIM, I32_CONST, 3, I32_SHL, I32_CONST, rows, I32_MUL, I32_ADD, LSET, X,
    LGET, J, I32_CONST, rows, I32_ADD, LSET, J,
  ];
}

/**
 * One kernel: for each of n rows, acc = 0, then for each k acc = acc + term(q[k], x[k]); the
 * row's result finish(acc) goes to out[j]. ROWS rows at a time while there are, then one.
 */
function kernel(term: number[], finish: number[]): number[] {
  const code = [
    ...enc.vec([[2 + ROWS, I32], [2 + ROWS, F64]]),
    BLOCK, VOID,
    LOOP, VOID,
    LGET, J, I32_CONST, ROWS, I32_ADD, LGET, N, I32_GT_U, BR_IF, 1,
    ...rowsBody(ROWS, term, finish),
    BR, 0,
    END,
    END,
    BLOCK, VOID,
    LOOP, VOID,
    LGET, J, LGET, N, I32_GE_U, BR_IF, 1,
    ...rowsBody(1, term, finish),
    BR, 0,
    END,
    END,
    END,
  ];
  return [...enc.u32(code.length), ...code];
}

function assemble(): Uint8Array {
  const params = [0x60, ...enc.vec([[I32], [I32], [I32], [I32], [I32], [F64]]), 0x00];
  // dots: q[k] * x[k]; distances: d = q[k] - x[k], then d * d, and the row's sqrt times scale
  const dots = kernel([F64_MUL], []);
  const dists = kernel([F64_SUB, LSET, D, LGET, D, LGET, D, F64_MUL], [F64_SQRT, LGET, SCALE, F64_MUL]);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...enc.section(1, enc.vec([params])),
    ...enc.section(3, enc.vec([[0], [0]])),
    ...enc.section(5, enc.vec([[0x00, 1]])),
    ...enc.section(7, enc.vec([[...enc.str('memory'), 0x02, 0], [...enc.str('dots'), 0x00, 0], [...enc.str('dists'), 0x00, 1]])),
    ...enc.section(10, enc.vec([dots, dists])),
  ]);
}

interface Kernels {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  dots(q: number, x: number, n: number, dim: number, out: number, scale: number): void;
  dists(q: number, x: number, n: number, dim: number, out: number, scale: number): void;
}

let compiled: object | undefined;
/** Each matrix's own instance, the matrix copied into its memory at address 0. */
const instances = new WeakMap<Float64Array, Kernels>();

function kernelsFor(data: Float64Array, dim: number, n: number): Kernels {
  const pages = Math.ceil((data.byteLength + 8 * (dim + n)) / 65536);
  let k = instances.get(data);
  if (!k) {
    compiled ??= new WA.Module(assemble());
    k = new WA.Instance(compiled, {}).exports as unknown as Kernels;
    if (pages > 1) k.memory.grow(pages - 1);
    new Float64Array(k.memory.buffer, 0, data.length).set(data);
    instances.set(data, k);
  } else if (k.memory.buffer.byteLength < pages * 65536) k.memory.grow(pages - k.memory.buffer.byteLength / 65536);
  return k;
}

function run(kind: 'dots' | 'dists', q: ArrayLike<number>, data: Float64Array, dim: number, scale: number): Float64Array {
  const n = data.length / dim;
  const k = kernelsFor(data, dim, n);
  const qAt = data.byteLength;
  const outAt = qAt + 8 * dim;
  const mem = new Float64Array(k.memory.buffer);
  for (let i = 0; i < dim; i++) mem[qAt / 8 + i] = q[i];
  k[kind](qAt, 0, n, dim, outAt, scale);
  return mem.slice(outAt / 8, outAt / 8 + n);
}

/** out[j] = the sum over k of q[k] * data[j * dim + k], in k order (data: rows of dim values; dim > 0). */
export function dotsF64(q: ArrayLike<number>, data: Float64Array, dim: number): Float64Array {
  return run('dots', q, data, dim, 1);
}

/** out[j] = sqrt of the sum over k of (q[k] - data[j * dim + k]) ** 2, in k order, times `scale` (dim > 0). */
export function distancesF64(q: ArrayLike<number>, data: Float64Array, dim: number, scale = 1): Float64Array {
  return run('dists', q, data, dim, scale);
}

/**
 * Many small products against one matrix's rows: the returned function gives q[qOff + k] . row
 * (from + r), k < dim, for r < count, with dotsF64's arithmetic (so the same bits as its loop);
 * its result is a view that the next call overwrites. The matrix is copied once.
 */
export function rowDots(data: Float64Array, dim: number): (q: ArrayLike<number>, qOff: number, from: number, count: number) => Float64Array {
  const n = data.length / dim;
  const k = kernelsFor(data, dim, n);
  const qAt = data.byteLength;
  const outAt = qAt + 8 * dim;
  let mem = new Float64Array(k.memory.buffer);
  return (q, qOff, from, count) => {
    if (mem.buffer !== k.memory.buffer) mem = new Float64Array(k.memory.buffer);
    for (let i = 0; i < dim; i++) mem[qAt / 8 + i] = q[qOff + i];
    k.dots(qAt, from * dim * 8, count, dim, outAt, 1);
    return mem.subarray(outAt / 8, outAt / 8 + count);
  };
}
