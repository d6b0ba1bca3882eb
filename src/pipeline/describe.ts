import type { Matrix } from '../dsp/matrix.js';

/**
 * Musical descriptors of an analysed excerpt (tempo, key, loudness, ...), as a flat record.
 * Filled in by the descriptors module; until then, none.
 */
export function describeSignal(
  _y: Float32Array,
  _stages: { sr: number; stftMag?: Matrix; melPower?: Matrix; chroma?: Matrix },
): Record<string, number | string> {
  return {};
}
