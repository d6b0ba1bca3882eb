import type { Db } from '../../store/db.js';
import { getFeature } from '../../store/features.js';
import { FEATURES_STAGE } from '../features-stage.js';

export interface CatalogueEntry {
  trackId: number;
  /** Identifies the analysed content: features parameter hash + content hash. */
  inputSha: string;
}

/** Tracks whose features are done and that hold `feature`; the others are counted as skipped. */
export function analysedTracks(db: Db, feature: string): { entries: CatalogueEntry[]; skipped: number[] } {
  const rows = db
    .prepare(
      `SELECT t.id, c.params_hash, c.input_sha, c.status,
              EXISTS (SELECT 1 FROM features f WHERE f.track_id = t.id AND f.name = ?) AS has
       FROM tracks t LEFT JOIN checkpoints c ON c.track_id = t.id AND c.stage = ?
       ORDER BY t.id`,
    )
    .all(feature, FEATURES_STAGE) as { id: number; params_hash: string | null; input_sha: string | null; status: string | null; has: number }[];
  const entries: CatalogueEntry[] = [];
  const skipped: number[] = [];
  for (const r of rows) {
    if (r.status === 'done' && r.has) entries.push({ trackId: r.id, inputSha: `${r.params_hash}:${r.input_sha}` });
    else skipped.push(r.id);
  }
  return { entries, skipped };
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
