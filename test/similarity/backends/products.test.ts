/**
 * Every tensor backend that loads here computes the similarity product A Bᵀ within its stated
 * error bound of a float64 product (worked out here, term by term), for odd dimensions, tiles at
 * offsets, tiles of one row or column, and A = B; the ones that do not load are skipped with
 * their reason (onnxruntime-node is optional, tfjs-node-gpu never installed by yasr).
 */
import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES, float32DotBound } from '../../../src/similarity/backends/backend.js';
import { backendStatus, tensorBackend } from '../../../src/similarity/backends/select.js';
import { gemmModel } from '../../../src/similarity/backends/onnxruntime.js';
import { seededRandom } from '../../../src/util/random.js';

const status = backendStatus();
for (const s of status) if (!s.loaded) console.log(`[yasr tests] tensor backend ${s.name} skipped: ${s.reason}`);

/** n rows of dim values with Euclidean length <= 1 (some exactly 0). */
function rows(n: number, dim: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    if (i % 7 === 3) continue; // a zero row
    let q = 0;
    for (let t = 0; t < dim; t++) {
      const x = r() * 2 - 1;
      out[i * dim + t] = x;
      q += x * x;
    }
    const scale = (0.5 + 0.5 * r()) / Math.sqrt(q);
    for (let t = 0; t < dim; t++) out[i * dim + t] *= scale;
  }
  return out;
}

describe.each(BACKEND_NAMES)('tensor backend %s', (name) => {
  const s = status.find((x) => x.name === name)!;
  it.skipIf(!s.loaded)('tiles of A Bᵀ lie within the error bound of the float64 product', () => {
    const b = tensorBackend(name);
    expect(b.name).toBe(name);
    for (const dim of [1, 3, 4, 13, 40, 67]) {
      const na = 37;
      const nb = 45;
      const A = rows(na, dim, dim);
      const B = rows(nb, dim, 100 + dim);
      const bound = b.bind({ data: A, n: na, dim }, { data: B, n: nb, dim });
      for (const [a0, a1, b0, b1] of [[0, na, 0, nb], [5, 6, 9, 10], [3, 30, 1, 44], [36, 37, 0, 45], [0, 37, 41, 45]]) {
        const t = bound.tile(a0, a1, b0, b1);
        let worst = 0;
        for (let i = a0; i < a1; i++) {
          for (let j = b0; j < b1; j++) {
            let want = 0;
            for (let k = 0; k < dim; k++) want += A[i * dim + k] * B[j * dim + k];
            const got = t.data[t.offset + (i - a0) * t.stride + (j - b0)];
            worst = Math.max(worst, Math.abs(got - want));
          }
        }
        expect(worst, `dim ${dim}, tile ${[a0, a1, b0, b1]}`).toBeLessThanOrEqual(b.errorBound(dim));
      }
      bound.dispose();
    }
  });

  it.skipIf(!s.loaded)('binds A to itself (the self-product of the top-k)', () => {
    const b = tensorBackend(name);
    const dim = 6;
    const A = rows(20, dim, 9);
    const m = { data: A, n: 20, dim };
    const bound = b.bind(m, m);
    const t = bound.tile(2, 9, 2, 20);
    for (let i = 2; i < 9; i++) {
      let self = 0;
      for (let k = 0; k < dim; k++) self += A[i * dim + k] ** 2;
      expect(Math.abs(t.data[t.offset + (i - 2) * t.stride + (i - 2)] - self)).toBeLessThanOrEqual(b.errorBound(dim));
    }
    bound.dispose();
  });
});

describe('float32DotBound', () => {
  it('covers gamma_dim plus one rounding of the result (u = 2^-24)', () => {
    for (const dim of [1, 40, 1000]) {
      const gamma = (dim * 2 ** -24) / (1 - dim * 2 ** -24);
      expect(float32DotBound(dim)).toBeGreaterThanOrEqual(gamma + 2 ** -24);
      expect(float32DotBound(dim)).toBeLessThan(2 * (gamma + 2 ** -24));
    }
  });
});

describe('the ONNX model yasr encodes', () => {
  it('is a ModelProto with ir_version 7, opset 13 and one Gemm node with transB = 1', () => {
    const m = Buffer.from(gemmModel());
    // field 1 (ir_version, varint) = 7 comes first; the op type and attribute are plain strings
    expect([m[0], m[1]]).toEqual([0x08, 7]);
    const text = m.toString('latin1');
    for (const s of ['Gemm', 'transB', 'yasr_similarity_product']) expect(text).toContain(s);
    // opset_import { version: 13 }: field 8, length 2, field 2 varint 13
    expect(text).toContain(String.fromCharCode(0x42, 2, 0x10, 13));
  });
});
