import { computeDescriptors, descriptorVector, type Descriptors } from '../dsp/descriptors/index.js';
import type { DescribeStages } from './analyze-track.js';

export interface DescribeResult {
  record: Descriptors;
  /** The numeric vector the `features` and `hybrid` methods compare (see DESCRIPTOR_VECTOR_DOCS). */
  vector: Float32Array;
}

/** Musical descriptors of an analysed excerpt, reusing the stages already computed. */
export function describeSignal(y: Float32Array, stages: DescribeStages): DescribeResult {
  const record = computeDescriptors(y, {
    sr: stages.sr,
    stftMag: stages.stftMag,
    melPower: stages.melPower,
    melDb: stages.melDb,
    chroma: stages.chroma,
    spectralFrames: stages.spectralFrames,
  });
  return { record, vector: Float32Array.from(descriptorVector(record)) };
}
