/**
 * The plain TypeScript backend: float32 rows, float64 sums, tiles written as float32. The kernel
 * is generated per dimension (the row of A held in locals, the loop over B's row unrolled), which
 * V8 runs about twice as fast as a loop over the dimension. Always loads.
 */
import { float32DotBound, type BoundProduct, type Rows, type TensorBackend } from './backend.js';

/**
 * `kernel(A, a, B, j0, j1, out, o)`: out[o + j] = A[a .. a+dim) . B[j*dim .. j*dim+dim) for
 * j in [j0, j1).
 */
type DotRowKernel = (A: Float32Array, a: number, B: Float32Array, j0: number, j1: number, out: Float32Array, o: number) => void;

const kernels = new Map<number, DotRowKernel>();

function dotRowKernel(dim: number): DotRowKernel {
  let f = kernels.get(dim);
  if (f) return f;
  if (dim <= 64) {
    const lines: string[] = [];
    for (let t = 0; t < dim; t++) lines.push(`const x${t} = A[a + ${t}];`);
    lines.push('for (let j = j0; j < j1; j++) {');
    lines.push(`  const c = j * ${dim};`);
    lines.push('  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;');
    for (let t = 0; t < dim; t++) lines.push(`  s${t & 3} += x${t} * B[c + ${t}];`);
    lines.push('  out[o + j] = (s0 + s1) + (s2 + s3);');
    lines.push('}');
    f = new Function('A', 'a', 'B', 'j0', 'j1', 'out', 'o', lines.join('\n')) as DotRowKernel;
  } else {
    f = (A, a, B, j0, j1, out, o) => {
      for (let j = j0; j < j1; j++) {
        const c = j * dim;
        let s = 0;
        for (let t = 0; t < dim; t++) s += A[a + t] * B[c + t];
        out[o + j] = s;
      }
    };
  }
  kernels.set(dim, f);
  return f;
}

export function loadJs(): TensorBackend {
  return {
    name: 'js',
    description: 'TypeScript (float64 sums of float32 rows)',
    tileRows: 128,
    tileCols: 1024,
    errorBound: float32DotBound,
    bind(a: Rows, b: Rows): BoundProduct {
      if (a.dim !== b.dim) throw new Error(`product of ${a.dim}- and ${b.dim}-value rows`);
      const dim = a.dim;
      const kernel = dotRowKernel(dim);
      let out = new Float32Array(0);
      return {
        tile(a0, a1, b0, b1) {
          const w = b1 - b0;
          if (out.length < (a1 - a0) * w) out = new Float32Array((a1 - a0) * w);
          for (let i = a0; i < a1; i++) kernel(a.data, i * dim, b.data, b0, b1, out, (i - a0) * w - b0);
          return { data: out, offset: 0, stride: w };
        },
        dispose() {
          out = new Float32Array(0);
        },
      };
    },
  };
}
