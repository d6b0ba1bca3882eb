import { jsonValues, type Db } from './db.js';
import type { Matrix } from '../dsp/matrix.js';
import { YasrError } from '../errors.js';

export interface StoredFeature extends Matrix {
  name: string;
  version: number;
  paramsHash: string;
  meta: unknown;
}

/** Encode float32 data as a blob (a copy, so the blob owns its bytes). */
export function toBlob(data: Float32Array): Buffer {
  return Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

export function fromBlob(buf: Buffer, expected: number, what: string): Float32Array {
  if (buf.byteLength !== expected * 4) {
    throw new YasrError('STORE', `${what}: blob holds ${buf.byteLength} bytes, expected ${expected * 4}`);
  }
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

export function putFeature(
  db: Db,
  trackId: number,
  name: string,
  m: Matrix,
  version: number,
  paramsHash: string,
  meta?: unknown,
): void {
  db.prepare(
    `INSERT INTO features (track_id, name, version, params_hash, rows, cols, data, meta)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (track_id, name) DO UPDATE SET version = excluded.version,
       params_hash = excluded.params_hash, rows = excluded.rows, cols = excluded.cols,
       data = excluded.data, meta = excluded.meta`,
  ).run(trackId, name, version, paramsHash, m.rows, m.cols, toBlob(m.data), meta === undefined ? null : JSON.stringify(meta));
}

interface FeatureRow {
  name: string;
  version: number;
  params_hash: string;
  rows: number;
  cols: number;
  data: Buffer;
  meta: string | null;
}

export function getFeature(db: Db, trackId: number, name: string): StoredFeature | undefined {
  const r = db
    .prepare('SELECT name, version, params_hash, rows, cols, data, meta FROM features WHERE track_id = ? AND name = ?')
    .get(trackId, name) as FeatureRow | undefined;
  if (!r) return undefined;
  return {
    name: r.name,
    version: r.version,
    paramsHash: r.params_hash,
    rows: r.rows,
    cols: r.cols,
    data: fromBlob(r.data, r.rows * r.cols, `feature ${name} of track ${trackId}`),
    meta: r.meta ? JSON.parse(r.meta) : null,
  };
}

export function listFeatureNames(db: Db, trackId: number): string[] {
  return (db.prepare('SELECT name FROM features WHERE track_id = ? ORDER BY name').all(trackId) as { name: string }[]).map(
    (r) => r.name,
  );
}

export function deleteFeatures(db: Db, trackId: number, except: string[]): void {
  const keep = new Set(except);
  for (const n of listFeatureNames(db, trackId)) {
    if (!keep.has(n)) db.prepare('DELETE FROM features WHERE track_id = ? AND name = ?').run(trackId, n);
  }
}

export interface FeatureRowData {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** The meta column of one feature of one track, parsed. */
export function featureMeta<T>(db: Db, trackId: number, name: string): T | undefined {
  const r = db.prepare('SELECT meta FROM features WHERE track_id = ? AND name = ?').get(trackId, name) as { meta: string | null } | undefined;
  return r?.meta ? (JSON.parse(r.meta) as T) : undefined;
}

/**
 * One feature of the listed tracks only (trackId -> data), found through the primary key: for a
 * subset, or when the table holds many other features (featureMap scans every row).
 */
export function featureRowsFor(db: Db, name: string, trackIds: number[]): Map<number, FeatureRowData> {
  const out = new Map<number, FeatureRowData>();
  const rows = db
    .prepare(`SELECT f.track_id, f.rows, f.cols, f.data FROM (${jsonValues(db, 'integer')}) j JOIN features f ON f.track_id = j.value AND f.name = ?`)
    .raw()
    .all(JSON.stringify(trackIds), name) as [number, number, number, Buffer][];
  for (const [id, r, c, data] of rows) out.set(id, { rows: r, cols: c, data: fromBlob(data, r * c, `feature ${name} of track ${id}`) });
  return out;
}

/**
 * One feature of many tracks in a single query (trackId -> data). Pass a `cache` (one per
 * operation) so that several readers of the same feature share one load.
 */
export function featureMap(db: Db, name: string, cache?: Map<string, Map<number, FeatureRowData>>): Map<number, FeatureRowData> {
  const hit = cache?.get(name);
  if (hit) return hit;
  const out = new Map<number, FeatureRowData>();
  const rows = db.prepare('SELECT track_id, rows, cols, data FROM features WHERE name = ?').raw().all(name) as [number, number, number, Buffer][];
  for (const [id, r, c, data] of rows) {
    out.set(id, { rows: r, cols: c, data: fromBlob(data, r * c, `feature ${name} of track ${id}`) });
  }
  cache?.set(name, out);
  return out;
}
