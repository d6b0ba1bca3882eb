/**
 * rmsFromSignal: four frames summed at once in the middle of the signal, one at a time near
 * the ends; each frame's sum runs over its samples in order, so the values are exactly those of
 * the plain definition sqrt(sum(frame^2) / frameLength), summed in order.
 */
import { describe, expect, it } from 'vitest';
import { rmsFromSignal } from '../../src/dsp/spectral.js';

function plainRms(y: Float32Array, len: number, hop: number, center: boolean): Float32Array {
  const pad = center ? len >> 1 : 0;
  const T = 1 + Math.floor((y.length + 2 * pad - len) / hop);
  const out = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    let acc = 0;
    for (let i = 0; i < len; i++) {
      const j = t * hop - pad + i;
      const v = j >= 0 && j < y.length ? y[j] : 0;
      acc += v * v;
    }
    out[t] = Math.sqrt(acc / len);
  }
  return out;
}

describe('rmsFromSignal', () => {
  it('equals the plain definition exactly, for frame and hop sizes that do and do not divide each other', () => {
    let s = 5;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
    for (const n of [0, 1, 100, 2048, 5000, 22050 + 17]) {
      const y = Float32Array.from({ length: n }, (_, i) => rnd() * (1 + Math.sin(i / 300)));
      for (const [len, hop, center] of [[2048, 512, true], [2048, 512, false], [300, 7, true], [64, 100, true], [5, 1, false]] as const) {
        if (!center && n < len) continue;
        const got = rmsFromSignal(y, { frameLength: len, hopLength: hop, center }).data;
        expect(Array.from(got), `n ${n} len ${len} hop ${hop} ${center}`).toEqual(Array.from(plainRms(y, len, hop, center)));
      }
    }
  });

  it('a constant signal of amplitude a reads a in whole frames, less where the centred frames hang over the ends', () => {
    const r = rmsFromSignal(new Float32Array(8192).fill(0.5)).data;
    expect(r[0]).toBeCloseTo(0.5 * Math.sqrt(1024 / 2048), 7); // half the first frame is padding
    for (let t = 2; t < r.length - 2; t++) expect(r[t]).toBeCloseTo(0.5, 7);
  });
});
