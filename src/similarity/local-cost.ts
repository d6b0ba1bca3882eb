/**
 * Euclidean local cost between one frame of X and a run of frames of Y, the inner kernel of every
 * DTW variant here.
 *
 * For speed the kernel is specialised per frame dimension: its source is generated once per `dim`
 * (the query frame held in locals, the sum fully unrolled into four float64 accumulators), which
 * V8 compiles to straight-line code about twice as fast as a loop over `dim`. The arithmetic is
 * plain float64: sqrt(sum((x_k - y_k)^2)), summed as ((s0 + s1) + (s2 + s3)) with s_r holding the
 * terms k = r (mod 4) in increasing k.
 */

/**
 * `kernel(X, xo, Y, yo, jlo, jhi, out, outOffset)` writes, for j = jlo..jhi,
 * `out[outOffset + j - jlo] = || X[xo .. xo+dim) - Y[yo+j*dim .. yo+j*dim+dim) ||_2`.
 */
export type RowCostKernel = (
  X: Float64Array,
  xo: number,
  Y: Float64Array,
  yo: number,
  jlo: number,
  jhi: number,
  out: Float64Array,
  outOffset: number,
) => void;

const cache = new Map<number, RowCostKernel>();

/** The row-cost kernel for frames of `dim` values (cached). */
export function rowCostKernel(dim: number): RowCostKernel {
  let k = cache.get(dim);
  if (!k) {
    k = dim <= 64 ? generate(dim) : loopKernel(dim);
    cache.set(dim, k);
  }
  return k;
}

function generate(dim: number): RowCostKernel {
  const lines: string[] = [];
  for (let k = 0; k < dim; k++) lines.push(`const x${k} = X[xo + ${k}];`);
  lines.push('for (let j = jlo, p = outOffset; j <= jhi; j++, p++) {');
  lines.push(`  const o = yo + j * ${dim};`);
  lines.push('  let e = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;');
  for (let k = 0; k < dim; k++) {
    lines.push(`  e = x${k} - Y[o + ${k}]; s${k & 3} += e * e;`);
  }
  lines.push('  out[p] = Math.sqrt((s0 + s1) + (s2 + s3));');
  lines.push('}');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('X', 'xo', 'Y', 'yo', 'jlo', 'jhi', 'out', 'outOffset', lines.join('\n')) as RowCostKernel;
}

function loopKernel(dim: number): RowCostKernel {
  return (X, xo, Y, yo, jlo, jhi, out, outOffset) => {
    for (let j = jlo, p = outOffset; j <= jhi; j++, p++) {
      const o = yo + j * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < dim; k++) {
        const e = X[xo + k] - Y[o + k];
        const r = k & 3;
        if (r === 0) s0 += e * e;
        else if (r === 1) s1 += e * e;
        else if (r === 2) s2 += e * e;
        else s3 += e * e;
      }
      out[p] = Math.sqrt(s0 + s1 + (s2 + s3));
    }
  };
}

/**
 * `kernel(X, xo, Y, yo, jlo, jhi, out, o1, o2)`: the costs of two consecutive X frames (at xo and
 * xo + dim) against Y frames jlo..jhi, written to out[o1 + j - jlo] and out[o2 + j - jlo]. Each Y
 * value is loaded once for both rows (about 20% faster than two single-row passes). Sums use two
 * accumulators per row (terms k even / k odd), so results may differ from {@link RowCostKernel}
 * in the last bit.
 */
export type TwoRowCostKernel = (
  X: Float64Array,
  xo: number,
  Y: Float64Array,
  yo: number,
  jlo: number,
  jhi: number,
  out: Float64Array,
  o1: number,
  o2: number,
) => void;

const cache2 = new Map<number, TwoRowCostKernel>();

/** The two-row cost kernel for frames of `dim` values (cached; dim <= 64, else a loop). */
export function twoRowCostKernel(dim: number): TwoRowCostKernel {
  let k = cache2.get(dim);
  if (!k) {
    if (dim <= 64) {
      const lines: string[] = [];
      for (let t = 0; t < dim; t++) lines.push(`const a${t} = X[xo + ${t}], b${t} = X[xo + ${dim + t}];`);
      lines.push('for (let j = jlo, p = 0; j <= jhi; j++, p++) {');
      lines.push(`  const o = yo + j * ${dim};`);
      lines.push('  let y = 0, e = 0, f = 0, s0 = 0, s1 = 0, t0 = 0, t1 = 0;');
      for (let t = 0; t < dim; t++) {
        lines.push(`  y = Y[o + ${t}]; e = a${t} - y; f = b${t} - y; s${t & 1} += e * e; t${t & 1} += f * f;`);
      }
      lines.push('  out[o1 + p] = Math.sqrt(s0 + s1);');
      lines.push('  out[o2 + p] = Math.sqrt(t0 + t1);');
      lines.push('}');
      k = new Function('X', 'xo', 'Y', 'yo', 'jlo', 'jhi', 'out', 'o1', 'o2', lines.join('\n')) as TwoRowCostKernel;
    } else {
      const one = rowCostKernel(dim);
      k = (X, xo, Y, yo, jlo, jhi, out, o1, o2) => {
        one(X, xo, Y, yo, jlo, jhi, out, o1);
        one(X, xo + dim, Y, yo, jlo, jhi, out, o2);
      };
    }
    cache2.set(dim, k);
  }
  return k;
}
