/** Choosing the tensor backend: a name, YASR_TENSOR_BACKEND, or the fastest that loads. */
import { afterEach, describe, expect, it } from 'vitest';
import { YasrError } from '../../../src/errors.js';
import { AUTO_ORDER, backendStatus, tensorBackend } from '../../../src/similarity/backends/select.js';

const saved = process.env.YASR_TENSOR_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.YASR_TENSOR_BACKEND;
  else process.env.YASR_TENSOR_BACKEND = saved;
});

describe('tensorBackend', () => {
  it('auto takes the first of AUTO_ORDER that loads; js and wasm always load on Node 20', () => {
    delete process.env.YASR_TENSOR_BACKEND;
    const st = backendStatus();
    expect(st.find((s) => s.name === 'js')!.loaded).toBe(true);
    expect(st.find((s) => s.name === 'wasm')!.loaded).toBe(true);
    const first = AUTO_ORDER.find((n) => st.find((s) => s.name === n)!.loaded);
    expect(tensorBackend().name).toBe(first);
    expect(tensorBackend('auto').name).toBe(first);
    for (const s of st) expect(s.loaded ? s.description : s.reason, s.name).toBeTruthy();
  });

  it('reads YASR_TENSOR_BACKEND; an explicit name wins over it', () => {
    process.env.YASR_TENSOR_BACKEND = ' JS ';
    expect(tensorBackend().name).toBe('js');
    expect(tensorBackend('wasm').name).toBe('wasm');
  });

  it('rejects an unknown name in one line that names it and the choices', () => {
    process.env.YASR_TENSOR_BACKEND = 'cuda';
    expect(() => tensorBackend()).toThrow(YasrError);
    expect(() => tensorBackend()).toThrow('invalid YASR_TENSOR_BACKEND: "cuda" (expected one of js, wasm, onnx, tfjs or auto)');
  });

  it('says why a named backend does not load instead of falling back', () => {
    const missing = backendStatus().find((s) => !s.loaded);
    if (!missing) return; // every backend loads here
    try {
      tensorBackend(missing.name);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(YasrError);
      expect((err as YasrError).message).toBe(`tensor backend "${missing.name}" does not load here: ${missing.reason}`);
    }
  });
});
