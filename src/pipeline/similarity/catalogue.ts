import type { Db } from '../../store/db.js';
import { getFeature } from '../../store/features.js';
import { FEATURES_STAGE } from '../stages.js';
import { methodNamed, normalizedParams } from './registry.js';
// (not ./methods.js: it reads the registry's list when it loads, and the registry's methods load this module)
import type { SimilarityParams } from './methods.js';
import { withCatalogueDefaults } from './candidate-params.js';

export interface CatalogueEntry {
  trackId: number;
  /** Identifies the analysed content: features parameter hash + content hash. */
  inputSha: string;
}

/** What ranking a catalogue needs of each track: which it is (models read no more). */
export type CatalogueMember = Pick<CatalogueEntry, 'trackId'>;

/** Tracks whose features are done and that hold every one of `features`, by id. */
export function analysedEntries(db: Db, features: string[]): CatalogueEntry[] {
  const names = [...new Set(features)];
  const done = db
    .prepare(
      `SELECT c.track_id, c.params_hash, c.input_sha FROM checkpoints c
       WHERE c.stage = ? AND c.status = 'done' AND c.track_id IN (
         SELECT track_id FROM features WHERE name IN (${names.map(() => '?').join(',')})
         GROUP BY track_id HAVING COUNT(*) = ?)
       ORDER BY c.track_id`,
    )
    .raw()
    .all(FEATURES_STAGE, ...names, names.length) as [number, string, string | null][];
  return done.map(([id, ph, sha]) => ({ trackId: id, inputSha: `${ph}:${sha}` }));
}

/**
 * Tracks whose features are done and that hold every one of `features`; the others are
 * returned as skipped (by id).
 */
export function analysedTracks(db: Db, features: string[]): { entries: CatalogueEntry[]; skipped: number[] } {
  const entries = analysedEntries(db, features);
  const have = new Set(entries.map((e) => e.trackId));
  const skipped = (db.prepare('SELECT id FROM tracks ORDER BY id').raw().all() as [number][]).map((r) => r[0]).filter((id) => !have.has(id));
  return { entries, skipped };
}

/** The stored features a method reads. */
export function requiredFeatures(params: Record<string, unknown>): string[] {
  return methodNamed(params.method).reads(params);
}

/** Tracks that have every feature the method needs (catalogueFor without the skipped ones). */
export function catalogueEntries(db: Db, params: Record<string, unknown>): CatalogueEntry[] {
  return analysedEntries(db, requiredFeatures(params));
}

/** Tracks that have every feature the method needs (the rest are listed as skipped). */
export function catalogueFor(db: Db, params: Record<string, unknown>): { entries: CatalogueEntry[]; skipped: number[] } {
  return analysedTracks(db, requiredFeatures(params));
}

/**
 * The parameters (normalised) and catalogue of a run over the analysed catalogue as it is: above
 * allPairsMax() tracks, a method given neither candidates nor a shortlist uses the default
 * candidates (./candidates.ts), and dtw above dtwAllPairsMax() its default shortlist. Everything that looks up a stored result set by its parameters
 * (recommend, playlists, export-matrix) resolves them here, so it finds the set a run made.
 */
export function resolveRun(db: Db, p: SimilarityParams): { params: Record<string, unknown>; entries: CatalogueEntry[]; skipped: number[] } {
  const base = normalizedParams(p);
  const cat = catalogueFor(db, base);
  const q = withCatalogueDefaults(p, cat.entries.length);
  if (q === p) return { params: base, ...cat };
  const params = normalizedParams(q);
  const same = requiredFeatures(params).join('\0') === requiredFeatures(base).join('\0');
  return { params, ...(same ? cat : catalogueFor(db, params)) };
}

/**
 * `timbre_mfcc`: the librosa MFCC sequence with MFCC 0 moved so that its mean is that of the
 * similarity MFCCs (timbre_summary's: referenced to the excerpt's loudest mel cell,
 * src/dsp/level-reference.ts), so that a copy 6 dB louder aligns with its original. Not stored:
 * the shift is the difference of the stored summaries' MFCC 0 means (mfcc_summary is librosa's),
 * applied to every frame. The similarity MFCCs leave out the top mel bands (features version 7),
 * so the mean also drops what those bands add to librosa's MFCC 0; how the frames move about it
 * stays librosa's.
 */
export const LEVEL_REFERENCED_SEQUENCE = 'timbre_mfcc';

/** The stored features a sequence name is made from. */
export function storedFeaturesOf(sequence: string): string[] {
  return sequence === LEVEL_REFERENCED_SEQUENCE ? ['mfcc', 'mfcc_summary', 'timbre_summary'] : [sequence];
}

/** MFCC 0's level shift of a track: librosa's summary mean minus the similarity MFCCs' (timbre_summary). */
export function levelShift(mfccSummary: ArrayLike<number>, timbreSummary: ArrayLike<number>): number {
  return mfccSummary[0] - timbreSummary[0];
}

/** A frame-major sequence with `shift` taken from value 0 of every frame (in place). */
export function shiftFirstValue(seq: Float32Array, dim: number, shift: number): Float32Array {
  for (let t = 0; t < seq.length; t += dim) seq[t] -= shift;
  return seq;
}

/** A stored matrix [rows, cols] as frame-major sequence (cols frames of rows values); `timbre_mfcc` see above. */
export function sequenceOf(db: Db, trackId: number, feature: string): { seq: Float32Array; dim: number } {
  const f = getFeature(db, trackId, feature === LEVEL_REFERENCED_SEQUENCE ? 'mfcc' : feature)!;
  const seq = new Float32Array(f.rows * f.cols);
  for (let r = 0; r < f.rows; r++) {
    for (let c = 0; c < f.cols; c++) seq[c * f.rows + r] = f.data[r * f.cols + c];
  }
  if (feature === LEVEL_REFERENCED_SEQUENCE) shiftFirstValue(seq, f.rows, levelShift(vectorOf(db, trackId, 'mfcc_summary'), vectorOf(db, trackId, 'timbre_summary')));
  return { seq, dim: f.rows };
}

export function vectorOf(db: Db, trackId: number, feature: string): Float32Array {
  return getFeature(db, trackId, feature)!.data;
}
