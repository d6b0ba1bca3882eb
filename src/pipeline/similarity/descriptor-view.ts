/**
 * What the features method (and hybrid's descriptor part) compares of a track's stored
 * descriptor vector (src/dsp/descriptors/vector.ts; its layout is restated here, not imported:
 * recommend loads no DSP code; test/pipeline/similarity/descriptor-view.test.ts checks it).
 *
 * The stored vector stays as it is (recommend's reasons, discover's aspects and the export read
 * it); the comparison sees another one, made from it by `compareDescriptors`:
 * - loudness and energy are left out: they measure the recording's level (a copy 6 dB louder is
 *   another loudness and energy), which is mastering, not music;
 * - the spectral flatness is left out: it measures the recording's band limit as much as the
 *   music (the geometric mean over every bin collapses when an encoder cuts the top: an MP3 made
 *   at 22,050 Hz, which is cut from about 10 kHz, moves it by 0.7 of its spread across the corpus,
 *   and the features method found 25 of 30 such copies; without it, 29 of 30). It cost 0.006 of
 *   precision@10 on the half of the corpus's albums where this was decided (0.251 -> 0.245) and
 *   nothing on the other half (0.213 both; benchmarks/RESULTS.md);
 * - tempo is a point on a circle of octaves, (c cos 2 pi log2(t / 120), c sin ...), c the tempo
 *   confidence: 60, 120 and 240 BPM are the same point. Beat trackers' commonest error is the
 *   octave: a re-encoded copy or a 5 s later excerpt of a recording read at twice or half its
 *   tempo (2 of the 290 copies with a tempo in the corpus sample of `yasr evaluate --variants`)
 *   lands a whole octave from its original on a line of octaves;
 * - the mode (major +1 / minor -1) is weighted by the key's confidence, as the key's own
 *   position already is: a weak key's mode flipping no longer counts as much as a clear one's.
 * Everything else is compared as stored.
 */

/** The stored layout (DESCRIPTOR_VECTOR_NAMES), restated. */
export const STORED_DESCRIPTORS = [
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

/** Stored descriptors left out of the comparison: they measure the recording's level or its band limit. */
export const LEFT_OUT_DESCRIPTORS: readonly string[] = ['loudness', 'energy', 'spectral_flatness'];

type Stored = (typeof STORED_DESCRIPTORS)[number];
const at = (name: Stored) => STORED_DESCRIPTORS.indexOf(name);
/** Stored entries compared as they are: everything after the level descriptors but the left-out ones. */
const COPIED_NAMES = STORED_DESCRIPTORS.slice(at('energy') + 1).filter((n) => !LEFT_OUT_DESCRIPTORS.includes(n));

/** What the comparison sees, in order. */
export const COMPARED_DESCRIPTORS: readonly (Stored | 'tempo_octave_cos' | 'tempo_octave_sin' | 'mode_weighted')[] = [
  'tempo_octave_cos',
  'tempo_octave_sin',
  'tempo_confidence',
  'key_fifths_cos',
  'key_fifths_sin',
  'mode_weighted',
  ...COPIED_NAMES,
];

const STORED = STORED_DESCRIPTORS.length;
const COMPARED = COMPARED_DESCRIPTORS.length;
/** Their stored columns, in COMPARED_DESCRIPTORS order after mode_weighted. */
const COPIED = COPIED_NAMES.map(at);

/**
 * A transformation of each track's stored vector applied before a space is made (z-scored, unit
 * length): see spaceOf in ./vector-model.ts. `name` identifies it in kept packs (./packs.ts).
 */
export interface SpaceView {
  readonly name: string;
  /** The transformed length of a stored vector of `stored` values. */
  dim(stored: number): number;
  /** Writes the transformed `stored` (one vector) to out[o ..]. */
  apply(stored: ArrayLike<number>, out: Float64Array, o: number): void;
}

/**
 * The compared vector of one stored descriptor vector (module doc), written to out[o .. o + 12].
 * A vector of another length (not written by this version's features stage) is copied as it is.
 */
export function compareDescriptors(v: ArrayLike<number>, out: Float64Array, o = 0): void {
  if (v.length !== STORED) {
    for (let k = 0; k < v.length; k++) out[o + k] = v[k];
    return;
  }
  const c = v[at('tempo_confidence')];
  // the stored entry is c * log2(tempo / 120) (0 without a tempo): its octave position is the fraction
  const turns = c > 0 ? v[at('tempo_log2')] / c : 0;
  out[o] = c > 0 ? c * Math.cos(2 * Math.PI * turns) : 0;
  out[o + 1] = c > 0 ? c * Math.sin(2 * Math.PI * turns) : 0;
  out[o + 2] = c;
  const kc = Math.hypot(v[at('key_fifths_cos')], v[at('key_fifths_sin')]);
  out[o + 3] = v[at('key_fifths_cos')];
  out[o + 4] = v[at('key_fifths_sin')];
  out[o + 5] = v[at('mode')] * kc;
  for (let k = 0; k < COPIED.length; k++) out[o + 6 + k] = v[COPIED[k]];
  for (let k = 0; k < COMPARED; k++) if (!Number.isFinite(out[o + k])) out[o + k] = 0;
}

/** compareDescriptors as a SpaceView (the features method's, and hybrid's descriptor part's). */
export const DESCRIPTOR_VIEW: SpaceView = {
  name: 'descriptors-compared-2',
  dim: (stored) => (stored === STORED ? COMPARED : stored),
  apply: compareDescriptors,
};

/** A space's rows through a view: n stored rows of `dim` values to n rows of view.dim(dim). */
export function viewRows(view: SpaceView, data: ArrayLike<number>, dim: number, n: number): { data: Float64Array; dim: number } {
  const out = view.dim(dim);
  const rows = new Float64Array(n * out);
  const one = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dim; k++) one[k] = data[i * dim + k];
    view.apply(one, rows, i * out);
  }
  return { data: rows, dim: out };
}
