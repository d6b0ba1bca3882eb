/**
 * A fixed-order numeric vector of descriptors for similarity. Entries are scaled to roughly
 * 0..1 (or -1..1) so that no single unit dominates a Euclidean or cosine distance.
 */
import type { Descriptors } from './compute.js';
import { PITCH_CLASSES } from './key.js';

/** Names of descriptorVector entries, in order. */
export const DESCRIPTOR_VECTOR_NAMES = [
  'tempo_log2',
  'tempo_confidence',
  'key_fifths_cos',
  'key_fifths_sin',
  'mode',
  'loudness',
  'energy',
  'danceability',
  'spectral_centroid',
  'spectral_rolloff',
  'spectral_flatness',
  'onset_rate',
  'dynamic_range',
  'duration_log',
] as const;
export type DescriptorVectorName = (typeof DESCRIPTOR_VECTOR_NAMES)[number];

/** What each vector entry is, for --help and README. */
export const DESCRIPTOR_VECTOR_DOCS: Record<DescriptorVectorName, string> = {
  tempo_log2:
    'tempoConfidence * log2(tempo / 120): octaves from 120 BPM (60 -> -1, 240 -> 1), weighted by confidence so ' +
    'that the tempo of unrhythmic audio does not count; 0 when tempo is 0',
  tempo_confidence: 'tempoConfidence as is (0..1)',
  key_fifths_cos:
    'keyConfidence * cos(2 pi p / 12), p = position of the key on the circle of fifths (C=0, G=1, D=2, ...); ' +
    'minor keys sit at their relative major (A minor = C major), so neighbouring keys are close',
  key_fifths_sin: 'keyConfidence * sin(2 pi p / 12), the other half of the circular key encoding',
  mode: '+1 major, -1 minor, 0 when keyConfidence is 0',
  loudness: '(loudness + 70) / 70: -70 LUFS (floor) -> 0, 0 LUFS -> 1',
  energy: 'energy as is (0..1)',
  danceability: 'danceability as is (0..1)',
  spectral_centroid: 'spectralCentroid / 11025 Hz (fraction of the 22050 Hz Nyquist frequency)',
  spectral_rolloff: 'spectralRolloff / 11025 Hz',
  spectral_flatness: 'spectralFlatness as is (0..1)',
  onset_rate: 'onsetRate / 10 (10 onsets per second -> 1)',
  dynamic_range: 'dynamicRange / 20 (20 LU -> 1)',
  duration_log: 'log10(1 + duration / 1 s) / 3 (0 s -> 0, ~17 min -> 1)',
};

/** Circle-of-fifths position (0..11, C = 0, G = 1, ...) of a key; minor keys use their relative major. */
export function fifthsPosition(key: string, mode: 'major' | 'minor'): number {
  const pc = PITCH_CLASSES.indexOf(key as (typeof PITCH_CLASSES)[number]);
  if (pc < 0) return 0;
  const major = mode === 'minor' ? (pc + 3) % 12 : pc;
  return (major * 7) % 12;
}

/** The descriptor vector of `d`: Float64Array(DESCRIPTOR_VECTOR_NAMES.length), entries as documented. */
export function descriptorVector(d: Descriptors): Float64Array {
  const p = fifthsPosition(d.key, d.mode);
  const a = (2 * Math.PI * p) / 12;
  const kc = d.keyConfidence;
  const v = [
    d.tempo > 0 ? d.tempoConfidence * Math.log2(d.tempo / 120) : 0,
    d.tempoConfidence,
    kc * Math.cos(a),
    kc * Math.sin(a),
    kc > 0 ? (d.mode === 'major' ? 1 : -1) : 0,
    (d.loudness + 70) / 70,
    d.energy,
    d.danceability,
    d.spectralCentroid / 11025,
    d.spectralRolloff / 11025,
    d.spectralFlatness,
    d.onsetRate / 10,
    d.dynamicRange / 20,
    Math.log10(1 + Math.max(0, d.duration)) / 3,
  ];
  return Float64Array.from(v, (x) => (Number.isFinite(x) ? x : 0));
}
