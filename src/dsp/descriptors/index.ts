/** Musical descriptors computed from audio (tempo, key, loudness, energy, ...). */
export { computeDescriptors, energyFrom, type Descriptors, type DescriptorOptions } from './compute.js';
export { descriptorVector, fifthsPosition, DESCRIPTOR_VECTOR_NAMES, DESCRIPTOR_VECTOR_DOCS, type DescriptorVectorName } from './vector.js';
export { DESCRIPTOR_DOCS, type DescriptorDoc } from './docs.js';
export { integratedLoudness, shortTermLoudness, loudnessRange, loudnessMeasures, LOUDNESS_FLOOR_LUFS } from './loudness.js';
export { kWeight, kWeightingShelf, kWeightingHighPass, kWeightingGainDb } from './k-weighting.js';
export { onsetStrength, onsetDetect, peakPick, ONSET_SCALE_QUANTILE } from './onset.js';
export { estimateTempo, meanTempogram, type TempoEstimate } from './tempo.js';
export { estimateKey, meanChroma, KEY_PROFILES, PITCH_CLASSES, type KeyEstimate, type KeyProfileName } from './key.js';
export { spectralMeans } from './spectral.js';
