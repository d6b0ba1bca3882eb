import { describe, expect, it } from 'vitest';
import { pcmToMono } from '../../src/interop/wav.js';

/** int16 little-endian bytes of `values`, placed at byte `at` of a larger buffer (odd `at` = unaligned). */
function s16At(values: number[], at: number): Buffer {
  const b = Buffer.alloc(at + values.length * 2 + 3);
  values.forEach((v, i) => b.writeInt16LE(v, at + i * 2));
  return b;
}

describe('pcmToMono (16-bit)', () => {
  const values = [0, 1, -1, 32767, -32768, 12345, -23456, 7];
  for (const at of [0, 1, 44, 45]) {
    it(`mono samples are x / 32768, data at byte ${at}`, () => {
      const y = pcmToMono(s16At(values, at), at, values.length, 'pcm_s16le', 1);
      expect(Array.from(y)).toEqual(values.map((v) => Math.fround(v / 32768)));
    });
    it(`stereo is fround(sqrt(1/2) * L) + fround(sqrt(1/2) * R) in float32, data at byte ${at}`, () => {
      const y = pcmToMono(s16At(values, at), at, values.length / 2, 'pcm_s16le', 2);
      const h = Math.fround(Math.SQRT1_2);
      const want = [0, 1, 2, 3].map((i) => Math.fround(Math.fround(h * (values[2 * i] / 32768)) + Math.fround(h * (values[2 * i + 1] / 32768))));
      expect(Array.from(y)).toEqual(want);
    });
  }
  it('a view of a Buffer that is itself a slice at an odd offset', () => {
    const big = s16At(values, 5);
    const slice = big.subarray(3); // data now at byte 2 of the slice, odd in the underlying memory
    expect(Array.from(pcmToMono(slice, 2, values.length, 'pcm_s16le', 1))).toEqual(values.map((v) => Math.fround(v / 32768)));
  });
});
