import type { Db } from './db.js';
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

/** One feature of many tracks in a single query (trackId -> data). */
export function featureMap(db: Db, name: string): Map<number, { rows: number; cols: number; data: Float32Array; meta: unknown }> {
  const out = new Map<number, { rows: number; cols: number; data: Float32Array; meta: unknown }>();
  for (const r of db.prepare('SELECT track_id, rows, cols, data, meta FROM features WHERE name = ?').iterate(name) as IterableIterator<{
    track_id: number; rows: number; cols: number; data: Buffer; meta: string | null;
  }>) {
    out.set(r.track_id, { rows: r.rows, cols: r.cols, data: fromBlob(r.data, r.rows * r.cols, `feature ${name} of track ${r.track_id}`), meta: r.meta ? JSON.parse(r.meta) : null });
  }
  return out;
}
