/**
 * Which tensor backend runs the similarity product: an explicit name (the `backend` option of
 * cosineTopK and windowMatchTopK), else the environment variable YASR_TENSOR_BACKEND
 * (js | wasm | onnx | tfjs | auto), else `auto`: the first of {@link AUTO_ORDER} that loads. A
 * backend that loads must also pass a self-test (a small product checked against float64 within
 * its stated error bound), so a broken or low-precision install (TF32 beyond its bound, say) is
 * refused with its reason, never used. Results do not depend on the choice (./backend.ts).
 */
import { badParameter, YasrError } from '../../errors.js';
import { BACKEND_NAMES, type BackendName, type TensorBackend } from './backend.js';
import { loadJs } from './js.js';
import { loadOnnx } from './onnxruntime.js';
import { loadTfjs } from './tfjs.js';
import { loadWasmSimd } from './wasm-simd.js';

/**
 * `auto` takes the first of these that loads. tfjs leads because it is present only if someone
 * installed it on purpose (a GPU). wasm before onnx: on yasr's 2-core machine onnxruntime-node
 * 1.30's Gemm was no faster than the WebAssembly kernel for the top-10 of 13,517 x 40 (about
 * equal on one thread, slower on two) and about 1.6x slower with windows: with an inner dimension
 * of 40, writing the tile costs as much as computing it (benchmarks/similarity/pair-timings.ts).
 */
export const AUTO_ORDER: readonly BackendName[] = ['tfjs', 'wasm', 'onnx', 'js'];

interface Slot {
  backend?: TensorBackend;
  reason?: string;
}
const slots = new Map<BackendName, Slot>();

const LOADERS: Record<BackendName, () => TensorBackend> = {
  js: loadJs,
  wasm: loadWasmSimd,
  onnx: loadOnnx,
  tfjs: loadTfjs,
};

/**
 * A small product checked against float64: a backend whose tiles leave its own error bound (a
 * broken install, reduced precision) must not be used.
 */
function selfTest(b: TensorBackend): void {
  const dim = 13;
  const na = 7;
  const nb = 9;
  const rows = (n: number, seed: number): Float32Array => {
    const out = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      let q = 0;
      for (let t = 0; t < dim; t++) {
        const x = Math.sin(seed + 1.7 * i + 0.61 * t * (i + 1));
        out[i * dim + t] = x;
        q += x * x;
      }
      for (let t = 0; t < dim; t++) out[i * dim + t] /= Math.sqrt(q) * 1.0001;
    }
    return out;
  };
  const A = rows(na, 1);
  const B = rows(nb, 2);
  const bound = b.bind({ data: A, n: na, dim }, { data: B, n: nb, dim });
  try {
    const t = bound.tile(1, na, 2, nb);
    let worst = 0;
    for (let i = 1; i < na; i++) {
      for (let j = 2; j < nb; j++) {
        let s = 0;
        for (let k = 0; k < dim; k++) s += A[i * dim + k] * B[j * dim + k];
        const e = Math.abs(t.data[t.offset + (i - 1) * t.stride + (j - 2)] - s);
        if (!(e <= worst)) worst = e;
      }
    }
    if (!(worst <= b.errorBound(dim))) {
      throw new Error(`its self-test product is off by ${worst} (bound ${b.errorBound(dim)})`);
    }
  } finally {
    bound.dispose();
  }
}

function tryLoad(name: BackendName): Slot {
  let slot = slots.get(name);
  if (slot) return slot;
  try {
    const b = LOADERS[name]();
    selfTest(b);
    slot = { backend: b };
  } catch (err) {
    slot = { reason: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
  }
  slots.set(name, slot);
  return slot;
}

/** Whether each backend loads here, and why not (for tests, benchmarks and reports). */
export function backendStatus(): { name: BackendName; loaded: boolean; description?: string; reason?: string }[] {
  return BACKEND_NAMES.map((name) => {
    const s = tryLoad(name);
    return s.backend ? { name, loaded: true, description: s.backend.description } : { name, loaded: false, reason: s.reason };
  });
}

/** The backend named, or the one the environment or `auto` chooses (see the module doc). */
export function tensorBackend(name?: string): TensorBackend {
  const env = process.env.YASR_TENSOR_BACKEND;
  const raw = (name ?? (env && env.trim() !== '' ? env : 'auto')).trim().toLowerCase();
  const source = name !== undefined ? 'tensor backend' : 'YASR_TENSOR_BACKEND';
  if (raw === 'auto') {
    for (const n of AUTO_ORDER) {
      const s = tryLoad(n);
      if (s.backend) return s.backend;
    }
    // js always loads; reaching here means it failed its own self-test
    throw new YasrError('INTERNAL', `no tensor backend loads: ${BACKEND_NAMES.map((n) => `${n}: ${tryLoad(n).reason}`).join('; ')}`);
  }
  if (!(BACKEND_NAMES as readonly string[]).includes(raw)) throw badParameter(source, raw, `one of ${BACKEND_NAMES.join(', ')} or auto`);
  const s = tryLoad(raw as BackendName);
  if (!s.backend) throw new YasrError('BAD_PARAMETER', `${source} "${raw}" does not load here: ${s.reason}`, { name: source, value: raw });
  return s.backend;
}
