/**
 * The onnxruntime-node backend: a one-node ONNX graph, Y = Gemm(A, B, transB = 1) = A Bᵀ, run by
 * ONNX Runtime's CPU provider (MLAS: float32, its own threads). yasr does not install
 * onnxruntime-node: its tarball is 113 MB (290 MB installed, every platform's library) and on
 * yasr's machine it was slower than the wasm backend (./select.ts). It loads when installed by
 * hand: `ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node` (the tarball carries the CPU
 * library for linux/darwin/win32, x64 and arm64; the variable stops its install script from
 * downloading the CUDA provider from NuGet). Without it this backend does not load, and says so.
 *
 * The model is encoded here (a few protobuf fields), not shipped. yasr's callers are synchronous,
 * so it runs the session through onnxruntime-node's own synchronous binding
 * (`onnxruntime-node/dist/binding.js`, which its public, asynchronous `InferenceSession.run` only
 * wraps in a setImmediate): where a version lacks that file the backend does not load.
 * YASR_ONNX_THREADS sets the intra-op threads (default: ONNX Runtime's, one per core).
 */
import { createRequire } from 'node:module';
import { float32DotBound, type BoundProduct, type Rows, type TensorBackend } from './backend.js';

/** A protobuf field: tag, then a varint or a length-delimited body. */
const pb = {
  varint(n: number): number[] {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return out;
  },
  int(field: number, v: number): number[] {
    return [...pb.varint(field << 3), ...pb.varint(v)];
  },
  bytes(field: number, body: number[]): number[] {
    return [...pb.varint((field << 3) | 2), ...pb.varint(body.length), ...body];
  },
  str(field: number, s: string): number[] {
    return pb.bytes(field, [...Buffer.from(s, 'utf8')]);
  },
};

/** A float tensor input/output of shape [rows, cols] (symbolic names) (ValueInfoProto). */
function valueInfo(name: string, rows: string, cols: string): number[] {
  const dim = (param: string) => pb.bytes(1, pb.str(2, param)); // TensorShapeProto.dim { dim_param }
  const tensorType = [...pb.int(1, 1 /* FLOAT */), ...pb.bytes(2, [...dim(rows), ...dim(cols)])];
  return [...pb.str(1, name), ...pb.bytes(2, pb.bytes(1, tensorType))];
}

/** ModelProto: ir_version 7, opset 13, graph { Y = Gemm(A, B, transB=1) }. */
export function gemmModel(): Uint8Array {
  const attr = [...pb.str(1, 'transB'), ...pb.int(3, 1), ...pb.int(20, 2 /* INT */)];
  const node = [...pb.str(1, 'A'), ...pb.str(1, 'B'), ...pb.str(2, 'Y'), ...pb.str(3, 'product'), ...pb.str(4, 'Gemm'), ...pb.bytes(5, attr)];
  const graph = [
    ...pb.bytes(1, node),
    ...pb.str(2, 'yasr_similarity_product'),
    ...pb.bytes(11, valueInfo('A', 'M', 'K')),
    ...pb.bytes(11, valueInfo('B', 'N', 'K')),
    ...pb.bytes(12, valueInfo('Y', 'M', 'N')),
  ];
  return Uint8Array.from([...pb.int(1, 7), ...pb.bytes(8, pb.int(2, 13)), ...pb.bytes(7, graph)]);
}

interface OrtTensor {
  data: Float32Array;
}
interface SyncSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, OrtTensor>, fetches: Record<string, null>, options: object): Record<string, OrtTensor>;
  dispose(): void;
}
interface OrtModule {
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
}
interface OrtBinding {
  binding: { InferenceSession: new () => SyncSession };
  initOrt(): void;
}

export function loadOnnx(): TensorBackend {
  const require = createRequire(import.meta.url);
  let ort: OrtModule;
  let version = '?';
  try {
    ort = require('onnxruntime-node') as OrtModule;
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new Error(code === 'MODULE_NOT_FOUND' ? 'onnxruntime-node is not installed (yasr does not install it; see src/similarity/backends/onnxruntime.ts)' : `onnxruntime-node does not load: ${(err as Error).message}`);
  }
  try {
    version = (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    /* version unknown */
  }
  let b: OrtBinding;
  try {
    b = require('onnxruntime-node/dist/binding.js') as OrtBinding;
  } catch {
    throw new Error(`onnxruntime-node ${version} has no synchronous binding (dist/binding.js)`);
  }
  if (typeof b.initOrt !== 'function' || typeof b.binding?.InferenceSession !== 'function') {
    throw new Error(`onnxruntime-node ${version}: its synchronous binding has another shape`);
  }
  b.initOrt();
  const threads = Number(process.env.YASR_ONNX_THREADS ?? '');
  const options: Record<string, unknown> = { graphOptimizationLevel: 'all' };
  if (Number.isInteger(threads) && threads > 0) options.intraOpNumThreads = threads;
  const model = gemmModel();
  const session = (): SyncSession => {
    const s = new b.binding.InferenceSession();
    s.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, options);
    return s;
  };
  session().dispose(); // the model loads
  return {
    name: 'onnx',
    description: `onnxruntime-node ${version} (CPU${options.intraOpNumThreads ? `, ${threads} threads` : ''})`,
    tileRows: 512,
    tileCols: 4096,
    errorBound: float32DotBound,
    bind(a: Rows, bm: Rows): BoundProduct {
      if (a.dim !== bm.dim) throw new Error(`product of ${a.dim}- and ${bm.dim}-value rows`);
      const dim = a.dim;
      let s: SyncSession | null = session();
      return {
        tile(a0, a1, b0, b1) {
          const feeds = {
            A: new ort.Tensor('float32', a.data.subarray(a0 * dim, a1 * dim), [a1 - a0, dim]),
            B: new ort.Tensor('float32', bm.data.subarray(b0 * dim, b1 * dim), [b1 - b0, dim]),
          };
          const y = s!.run(feeds, { Y: null }, {}).Y;
          return { data: y.data, offset: 0, stride: b1 - b0 };
        },
        dispose() {
          s?.dispose();
          s = null;
        },
      };
    },
  };
}
