import type { Db } from '../../store/db.js';
import { getFeature } from '../../store/features.js';
import { FEATURES_STAGE } from '../stages.js';
import { methodNamed } from './registry.js';

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

/** A stored matrix [rows, cols] as frame-major sequence (cols frames of rows values). */
export function sequenceOf(db: Db, trackId: number, feature: string): { seq: Float32Array; dim: number } {
  const f = getFeature(db, trackId, feature)!;
  const seq = new Float32Array(f.rows * f.cols);
  for (let r = 0; r < f.rows; r++) {
    for (let c = 0; c < f.cols; c++) seq[c * f.rows + r] = f.data[r * f.cols + c];
  }
  return { seq, dim: f.rows };
}

export function vectorOf(db: Db, trackId: number, feature: string): Float32Array {
  return getFeature(db, trackId, feature)!.data;
}
