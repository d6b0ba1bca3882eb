/**
 * Database comparison helpers for the robustness tests (issue 5): "the database ends equal to
 * an uninterrupted run" means every table holds the same rows (as a multiset, so duplicates
 * count), with blobs compared byte for byte, ignoring only columns that record when or how
 * often something happened.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** Columns that record timing or attempts, not content: ignored when comparing. */
export const IGNORED_COLUMNS = new Set(['ms', 'finished_at', 'attempts', 'added_at', 'updated_at', 'created_at', 'started_at']);
/** Tables that record history, not content (a killed run leaves its 'running' row). */
export const IGNORED_TABLES = new Set(['runs']);

/** table -> sorted canonical rows (JSON; blobs as `blob:<bytes>:<sha256>`). */
export type Snapshot = Map<string, string[]>;

function openRo(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 30000');
  return db;
}

function canon(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return `blob:${v.byteLength}:${createHash('sha256').update(v).digest('hex')}`;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** Every user table's content, without the ignored columns. */
export function snapshotDb(file: string): Snapshot {
  const db = openRo(file);
  try {
    const tables = (db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as { name: string }[]).map((r) => r.name);
    const out: Snapshot = new Map();
    for (const t of tables) {
      if (IGNORED_TABLES.has(t)) continue;
      const cols = (db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[])
        .map((c) => c.name)
        .filter((c) => !IGNORED_COLUMNS.has(c));
      const rows = db.prepare(`SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM "${t}"`).raw().all() as unknown[][];
      out.set(t, rows.map((r) => JSON.stringify(Object.fromEntries(r.map((v, i) => [cols[i], canon(v)])))).sort());
    }
    return out;
  } finally {
    db.close();
  }
}

/** Human-readable differences between two snapshots (empty when equal); at most `max` lines. */
export function diffSnapshots(want: Snapshot, got: Snapshot, max = 12): string[] {
  const out: string[] = [];
  for (const t of new Set([...want.keys(), ...got.keys()])) {
    const a = want.get(t);
    const b = got.get(t);
    if (!a || !b) {
      out.push(`table ${t}: ${a ? 'missing' : 'unexpected'}`);
      continue;
    }
    if (a.length !== b.length) out.push(`table ${t}: ${b.length} rows, expected ${a.length}`);
    const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
    const ca = count(a);
    const cb = count(b);
    for (const [row, n] of ca) if ((cb.get(row) ?? 0) < n) out.push(`table ${t}: missing ${row.slice(0, 300)}`);
    for (const [row, n] of cb) if ((ca.get(row) ?? 0) < n) out.push(`table ${t}: extra ${row.slice(0, 300)}`);
  }
  return out.slice(0, max);
}

/** `PRAGMA integrity_check` result ('ok' when sound). */
export function integrityCheck(file: string): string {
  const db = openRo(file);
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

function finiteFloats(buf: Buffer): { n: number; bad: number } {
  const n = buf.byteLength >> 2;
  const f = new Float32Array(n);
  new Uint8Array(f.buffer).set(buf.subarray(0, n * 4));
  let bad = 0;
  for (let i = 0; i < n; i++) if (!Number.isFinite(f[i])) bad++;
  return { n, bad };
}

/**
 * Every stored float32 blob decodes to the length its row promises, with finite values only:
 * features (rows x cols) and similarity blocks (h(h-1)/2 pairs on the diagonal, h x w off it).
 * Every planned block is done exactly once. Returns the problems found (empty when sound).
 */
export function blobProblems(file: string): string[] {
  const db = openRo(file);
  const out: string[] = [];
  try {
    for (const r of db.prepare('SELECT track_id, name, rows, cols, data FROM features').iterate() as IterableIterator<{
      track_id: number; name: string; rows: number; cols: number; data: Buffer;
    }>) {
      if (r.data.byteLength !== r.rows * r.cols * 4) out.push(`feature ${r.name} of #${r.track_id}: ${r.data.byteLength} bytes for ${r.rows}x${r.cols}`);
      const f = finiteFloats(r.data);
      if (f.bad) out.push(`feature ${r.name} of #${r.track_id}: ${f.bad} non-finite values`);
    }
    const hasSim = (db.prepare(`SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sim_blocks'`).get() as { n: number }).n > 0;
    if (hasSim) {
      for (const r of db
        .prepare(
          `SELECT b.set_id, b.i0, b.i1, b.j0, b.j1, b.data, p.diagonal FROM sim_blocks b
           LEFT JOIN sim_plan p ON p.set_id = b.set_id AND p.i0 = b.i0 AND p.j0 = b.j0`,
        )
        .iterate() as IterableIterator<{ set_id: number; i0: number; i1: number; j0: number; j1: number; data: Buffer; diagonal: number | null }>) {
        const where = `block ${r.i0},${r.j0} of set ${r.set_id}`;
        if (r.diagonal === null) {
          out.push(`${where}: not in the plan`);
          continue;
        }
        const h = r.i1 - r.i0;
        const want = r.diagonal ? (h * (h - 1)) / 2 : h * (r.j1 - r.j0);
        if (r.data.byteLength !== want * 4) out.push(`${where}: ${r.data.byteLength} bytes, expected ${want * 4}`);
        const f = finiteFloats(r.data);
        if (f.bad) out.push(`${where}: ${f.bad} non-finite distances`);
      }
      const missing = db
        .prepare(
          `SELECT COUNT(*) AS n FROM sim_plan p LEFT JOIN sim_blocks b ON b.set_id = p.set_id AND b.i0 = p.i0 AND b.j0 = p.j0
           WHERE b.set_id IS NULL`,
        )
        .get() as { n: number };
      if (missing.n) out.push(`${missing.n} planned blocks not done`);
    }
  } finally {
    db.close();
  }
  return out;
}

/** Copy a closed database (and its WAL, if any) to `to`, replacing what was there. */
export function copyDb(from: string, to: string): void {
  for (const s of ['', '-wal', '-shm']) rmSync(to + s, { force: true });
  copyFileSync(from, to);
  if (existsSync(`${from}-wal`)) copyFileSync(`${from}-wal`, `${to}-wal`);
}

/** Row counts of some tables (for reports: how far a killed run got). */
export function countRows(file: string, sql: string): number {
  const db = openRo(file);
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
