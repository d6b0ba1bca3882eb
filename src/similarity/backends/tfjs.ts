/**
 * The slot for TensorFlow.js on Node: @tensorflow/tfjs-node-gpu (CUDA), else @tensorflow/tfjs-node
 * (CPU). yasr does not depend on either: their install scripts download libtensorflow, which
 * yasr's no-download rule forbids, so this backend loads only where someone installed one of them
 * by hand, and is never required. A tile is one tf.matMul(A, B, false, true) read back with
 * dataSync. Its error bound allows TF32 (a GPU's default for float32 matrix products: 10-bit
 * mantissas), so exactness holds either way; the load-time self-test (./select.ts) checks it.
 * Not exercised by yasr's tests, which skip it when neither package is installed.
 */
import { createRequire } from 'node:module';
import { float32DotBound, type BoundProduct, type Rows, type TensorBackend } from './backend.js';

interface TfTensor {
  dataSync(): Float32Array;
}
interface Tf {
  version_core?: string;
  tidy<T>(fn: () => T): T;
  tensor2d(values: Float32Array, shape: [number, number], dtype: 'float32'): TfTensor;
  matMul(a: TfTensor, b: TfTensor, transposeA: boolean, transposeB: boolean): TfTensor;
  getBackend(): string;
}

const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

export function loadTfjs(): TensorBackend {
  const require = createRequire(import.meta.url);
  let tf: Tf | undefined;
  let pkg = '';
  const reasons: string[] = [];
  for (const p of PACKAGES) {
    try {
      tf = require(p) as Tf;
      pkg = p;
      break;
    } catch (err) {
      const code = (err as { code?: string }).code;
      reasons.push(code === 'MODULE_NOT_FOUND' ? `${p} is not installed` : `${p} does not load: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (!tf) throw new Error(`${reasons.join('; ')} (yasr never installs them)`);
  const t = tf;
  return {
    name: 'tfjs',
    description: `${pkg} ${t.version_core ?? ''} (${t.getBackend()})`.replace(/\s+/g, ' '),
    tileRows: 1024,
    tileCols: 8192,
    // TF32 rounds each input to 11 significant bits (relative error 2^-11 each), then sums in float32
    errorBound: (dim) => 2 * 2 ** -11 + 2 ** -22 + float32DotBound(dim),
    bind(a: Rows, b: Rows): BoundProduct {
      if (a.dim !== b.dim) throw new Error(`product of ${a.dim}- and ${b.dim}-value rows`);
      const dim = a.dim;
      return {
        tile(a0, a1, b0, b1) {
          const data = t.tidy(() => {
            const A = t.tensor2d(a.data.subarray(a0 * dim, a1 * dim), [a1 - a0, dim], 'float32');
            const B = t.tensor2d(b.data.subarray(b0 * dim, b1 * dim), [b1 - b0, dim], 'float32');
            return t.matMul(A, B, false, true).dataSync();
          });
          return { data, offset: 0, stride: b1 - b0 };
        },
        dispose() {},
      };
    },
  };
}
