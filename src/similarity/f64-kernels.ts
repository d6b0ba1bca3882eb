/**
 * One float64 vector against every row of a matrix, in WebAssembly: dot products, and Euclidean
 * distances. A process that ranks a catalogue once (a stored-track `yasr recommend`) spends more
 * on JavaScript that has not been compiled yet than on the arithmetic; WebAssembly runs compiled
 * from the first row. The module is assembled here from its opcodes (as src/dsp/wasm-kernels.ts
 * does) and is scalar float64: the same IEEE operations in the same order as the loops
 *
 *     acc = 0; for k < dim: acc = acc + q[k] * x[o + k]                 (dots)
 *     acc = 0; for k < dim: acc = acc + (q[k] - x[o + k]) ** 2; sqrt(acc) * scale   (distances)
 *
 * so the same results to the bit (WebAssembly neither fuses nor reorders float operations, and
 * V8's d ** 2 is d * d). A matrix is copied into the module's memory on its first use and kept
 * there while the matrix lives.
 */

const u32 = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const vec = (items: number[][]): number[] => [...u32(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...u32(body.length), ...body];
const name = (s: string): number[] => [...u32(s.length), ...Buffer.from(s, 'latin1')];

const I32 = 0x7f;
const F64 = 0x7c;
const op = {
  block: 0x02, loop: 0x03, end: 0x0b, br: 0x0c, brIf: 0x0d,
  get: 0x20, set: 0x21, i32: 0x41, f64: 0x44,
  geU: 0x4f, add: 0x6a, shl: 0x74,
  load: 0x2b, store: 0x39, fadd: 0xa0, fsub: 0xa1, fmul: 0xa2, sqrt: 0x9f,
};
const VOID = 0x40;

// params: q, x, n, dim, out (byte addresses and counts), scale (distances); locals: j, k, acc,
// and d (distances)
const [Q, X, N, DIM, OUT, SCALE, J, K, ACC, D] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
/** p + (index << 3): the address of a float64 */
const at = (p: number, index: number) => [op.get, p, op.get, index, op.i32, 3, op.shl, op.add];

/**
 * One kernel: for each of n rows, acc = 0, then for each k acc = acc + term(q[k], x[k]); the
 * row's result finish(acc) goes to out[j]. `f64Locals`: acc, and d for a term that needs it.
 */
function kernel(f64Locals: number, term: number[], finish: number[]): number[] {
  const code = [
    ...vec([[2, I32], [f64Locals, F64]]),
    op.block, VOID,
    op.loop, VOID,
    op.get, J, op.get, N, op.geU, op.brIf, 1,
    op.f64, 0, 0, 0, 0, 0, 0, 0, 0, op.set, ACC,
    op.i32, 0, op.set, K,
    op.block, VOID,
    op.loop, VOID,
    op.get, K, op.get, DIM, op.geU, op.brIf, 1,
    op.get, ACC,
    ...at(Q, K), op.load, 3, 0,
    ...at(X, K), op.load, 3, 0,
    ...term,
    op.fadd, op.set, ACC,
    op.get, K, op.i32, 1, op.add, op.set, K,
    op.br, 0,
    op.end,
    op.end,
    ...at(OUT, J), op.get, ACC, ...finish, op.store, 3, 0,
    op.get, X, op.get, DIM, op.i32, 3, op.shl, op.add, op.set, X,
    op.get, J, op.i32, 1, op.add, op.set, J,
    op.br, 0,
    op.end,
    op.end,
    op.end,
  ];
  return [...u32(code.length), ...code];
}

function assemble(): Uint8Array {
  const params = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [F64]]), 0x00];
  // dots: q[k] * x[k]; distances: d = q[k] - x[k], then d * d, and the row's sqrt times scale
  const dots = kernel(1, [op.fmul], []);
  const dists = kernel(2, [op.fsub, op.set, D, op.get, D, op.get, D, op.fmul], [op.sqrt, op.get, SCALE, op.fmul]);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([params])),
    ...section(3, vec([[0], [0]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...name('memory'), 0x02, 0], [...name('dots'), 0x00, 0], [...name('dists'), 0x00, 1]])),
    ...section(10, vec([dots, dists])),
  ]);
}

// The compiler's lib settings (ES2023, node types) do not declare WebAssembly: type what is used.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

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
