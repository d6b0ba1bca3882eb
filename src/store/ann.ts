/**
 * What an ANN index file holds (src/pipeline/similarity/ann-index.ts): one row per vector name in
 * ann_indexes (its definition, frozen z-score fit, generation) and its tracks in ann_members.
 */
import type { Db } from './db.js';

export interface AnnIndexRow {
  id: number;
  vector: string;
  /** Hash of what the vectors mean (vector, features version, standardisation, backend, options). */
  definition: string;
  params: Record<string, unknown>;
  backend: string;
  dim: number;
  fitMean: Float64Array;
  fitStd: Float64Array;
  /** Tracks the fit was made on (the index's size when built). */
  fitted: number;
  /** Tracks added plus tracks removed since the build. */
  churn: number;
  /** Bumped at every save; names the file. */
  generation: number;
  builtAt: string;
  updatedAt: string;
}

const f64 = (b: Buffer): Float64Array => {
  const out = new Float64Array(b.length / 8);
  new Uint8Array(out.buffer).set(b);
  return out;
};
const blob = (a: Float64Array): Buffer => Buffer.from(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

export function getAnnIndex(db: Db, vector: string): AnnIndexRow | undefined {
  const r = db.prepare('SELECT * FROM ann_indexes WHERE vector = ?').get(vector) as
    | { id: number; vector: string; definition: string; params: string; backend: string; dim: number; fit_mean: Buffer; fit_std: Buffer; fitted: number; churn: number; generation: number; built_at: string; updated_at: string }
    | undefined;
  if (!r) return undefined;
  return {
    id: r.id, vector: r.vector, definition: r.definition, params: JSON.parse(r.params), backend: r.backend, dim: r.dim,
    fitMean: f64(r.fit_mean), fitStd: f64(r.fit_std), fitted: r.fitted, churn: r.churn, generation: r.generation,
    builtAt: r.built_at, updatedAt: r.updated_at,
  };
}

/** Every stored index (for status). */
export function listAnnIndexes(db: Db): AnnIndexRow[] {
  const names = db.prepare('SELECT vector FROM ann_indexes ORDER BY vector').raw().all() as [string][];
  return names.map(([v]) => getAnnIndex(db, v)!);
}

/** The tracks in an index: track id -> the analysed content it was added with. */
export function annMembers(db: Db, indexId: number): Map<number, string> {
  const rows = db.prepare('SELECT track_id, input_sha FROM ann_members WHERE index_id = ?').raw().all(indexId) as [number, string][];
  return new Map(rows);
}

/**
 * A freshly built index replaces the vector's row and members (one transaction): generation as
 * given, churn 0.
 */
export function putBuiltAnnIndex(
  db: Db,
  row: { vector: string; definition: string; params: Record<string, unknown>; backend: string; dim: number; fitMean: Float64Array; fitStd: Float64Array; generation: number },
  members: { trackId: number; inputSha: string }[],
): number {
  return db.transaction(() => {
    db.prepare('DELETE FROM ann_indexes WHERE vector = ?').run(row.vector);
    const id = db
      .prepare('INSERT INTO ann_indexes (vector, definition, params, backend, dim, fit_mean, fit_std, fitted, churn, generation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING id')
      .pluck()
      .get(row.vector, row.definition, JSON.stringify(row.params), row.backend, row.dim, blob(row.fitMean), blob(row.fitStd), members.length, row.generation) as number;
    const st = db.prepare('INSERT INTO ann_members (index_id, track_id, input_sha) VALUES (?, ?, ?)');
    for (const m of members) st.run(id, m.trackId, m.inputSha);
    return id;
  })();
}

/** An index updated in place: members removed and added, churn and generation set (one transaction). */
export function updateAnnIndex(db: Db, id: number, change: { removed: number[]; added: { trackId: number; inputSha: string }[]; churn: number; generation: number }): void {
  db.transaction(() => {
    const del = db.prepare('DELETE FROM ann_members WHERE index_id = ? AND track_id = ?');
    for (const t of change.removed) del.run(id, t);
    const ins = db.prepare('INSERT INTO ann_members (index_id, track_id, input_sha) VALUES (?, ?, ?)');
    for (const m of change.added) ins.run(id, m.trackId, m.inputSha);
    db.prepare(`UPDATE ann_indexes SET churn = ?, generation = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`).run(change.churn, change.generation, id);
  })();
}

export function deleteAnnIndex(db: Db, vector: string): void {
  db.prepare('DELETE FROM ann_indexes WHERE vector = ?').run(vector);
}
