import type { Db } from './db.js';
import { fromBlob, toBlob } from './features.js';

export interface SimSet {
  id: number;
  method: string;
  paramsHash: string;
  params: Record<string, unknown>;
}

export interface Member {
  idx: number;
  trackId: number;
  inputSha: string;
  active: boolean;
}

export interface PlannedBlock {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
  diagonal: boolean;
}

export function getOrCreateSet(db: Db, method: string, paramsHash: string, params: Record<string, unknown>): SimSet {
  db.prepare('INSERT OR IGNORE INTO sim_sets (method, params_hash, params) VALUES (?, ?, ?)').run(method, paramsHash, JSON.stringify(params));
  const r = db.prepare('SELECT id FROM sim_sets WHERE method = ? AND params_hash = ?').get(method, paramsHash) as { id: number };
  return { id: r.id, method, paramsHash, params };
}

/** A result set by id (undefined when it was removed). */
export function getSet(db: Db, id: number): SimSet | undefined {
  const r = db.prepare('SELECT id, method, params_hash, params FROM sim_sets WHERE id = ?').get(id) as
    | { id: number; method: string; params_hash: string; params: string }
    | undefined;
  return r && { id: Number(r.id), method: r.method, paramsHash: r.params_hash, params: JSON.parse(r.params) };
}

/** Whether a planned block's distances are stored. */
export function blockStored(db: Db, setId: number, i0: number, j0: number): boolean {
  return db.prepare('SELECT 1 AS x FROM sim_blocks WHERE set_id = ? AND i0 = ? AND j0 = ?').get(setId, i0, j0) !== undefined;
}

export function findSets(db: Db, method?: string): SimSet[] {
  const rows = db
    .prepare('SELECT id, method, params_hash, params FROM sim_sets WHERE (CAST(? AS TEXT) IS NULL OR method = ?) ORDER BY id DESC')
    .all(method ?? null, method ?? null) as { id: number; method: string; params_hash: string; params: string }[];
  return rows.map((r) => ({ id: r.id, method: r.method, paramsHash: r.params_hash, params: JSON.parse(r.params) }));
}

export function members(db: Db, setId: number): Member[] {
  return (db.prepare('SELECT idx, track_id, input_sha, active FROM sim_members WHERE set_id = ? ORDER BY idx').all(setId) as {
    idx: number;
    track_id: number;
    input_sha: string;
    active: number;
  }[]).map((r) => ({ idx: r.idx, trackId: r.track_id, inputSha: r.input_sha, active: r.active === 1 }));
}

export function addMembers(db: Db, setId: number, add: Member[]): void {
  const st = db.prepare('INSERT INTO sim_members (set_id, idx, track_id, input_sha, active) VALUES (?, ?, ?, ?, ?)');
  for (const m of add) st.run(setId, m.idx, m.trackId, m.inputSha, m.active ? 1 : 0);
}

export function deactivate(db: Db, setId: number, idx: number): void {
  db.prepare('UPDATE sim_members SET active = 0 WHERE set_id = ? AND idx = ?').run(setId, idx);
}

export function addPlan(db: Db, setId: number, blocks: PlannedBlock[]): void {
  const st = db.prepare('INSERT OR IGNORE INTO sim_plan (set_id, i0, i1, j0, j1, diagonal) VALUES (?, ?, ?, ?, ?, ?)');
  for (const b of blocks) st.run(setId, b.i0, b.i1, b.j0, b.j1, b.diagonal ? 1 : 0);
}

/** Planned blocks not yet done (pending = planned - done), in plan order. */
export function pendingBlocks(db: Db, setId: number): PlannedBlock[] {
  return (db
    .prepare(
      `SELECT p.i0, p.i1, p.j0, p.j1, p.diagonal FROM sim_plan p
       LEFT JOIN sim_blocks b ON b.set_id = p.set_id AND b.i0 = p.i0 AND b.j0 = p.j0
       WHERE p.set_id = ? AND b.set_id IS NULL ORDER BY p.i0, p.j0`,
    )
    .all(setId) as { i0: number; i1: number; j0: number; j1: number; diagonal: number }[]).map((r) => ({ ...r, diagonal: r.diagonal === 1 }));
}

export function countPlan(db: Db, setId: number): { planned: number; done: number } {
  const planned = (db.prepare('SELECT COUNT(*) AS n FROM sim_plan WHERE set_id = ?').get(setId) as { n: number }).n;
  const done = (db.prepare('SELECT COUNT(*) AS n FROM sim_blocks WHERE set_id = ?').get(setId) as { n: number }).n;
  return { planned, done };
}

export function putBlock(db: Db, setId: number, b: PlannedBlock, data: Float32Array, ms: number): void {
  db.prepare(
    `INSERT INTO sim_blocks (set_id, i0, i1, j0, j1, data, ms) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (set_id, i0, j0) DO UPDATE SET i1 = excluded.i1, j1 = excluded.j1, data = excluded.data, ms = excluded.ms`,
  ).run(
    setId, b.i0, b.i1, b.j0, b.j1, toBlob(data), ms,
  );
}

/** Every finished block with its distances (pair order as in similarity/blocks.ts). */
export function* iterateBlocks(db: Db, setId: number): Generator<PlannedBlock & { data: Float32Array }> {
  const plan = new Map<string, boolean>();
  for (const r of db.prepare('SELECT i0, j0, diagonal FROM sim_plan WHERE set_id = ?').all(setId) as { i0: number; j0: number; diagonal: number }[]) {
    plan.set(`${r.i0}:${r.j0}`, r.diagonal === 1);
  }
  const rows = db.prepare('SELECT i0, i1, j0, j1, data FROM sim_blocks WHERE set_id = ? ORDER BY i0, j0').iterate(setId) as IterableIterator<{
    i0: number; i1: number; j0: number; j1: number; data: Buffer;
  }>;
  for (const r of rows) {
    const diagonal = plan.get(`${r.i0}:${r.j0}`) ?? false;
    const h = r.i1 - r.i0;
    const count = diagonal ? (h * (h - 1)) / 2 : h * (r.j1 - r.j0);
    yield { i0: r.i0, i1: r.i1, j0: r.j0, j1: r.j1, diagonal, data: fromBlob(r.data, count, `block ${r.i0},${r.j0}`) };
  }
}

/**
 * Store the distances of a shortlisted set's pairs (a0, b0, a1, b1, ...: member indices, a being
 * the member of the smaller track id) in one transaction; NaN is stored as NULL.
 */
export function putPairs(db: Db, setId: number, pairs: Int32Array, distances: Float32Array): void {
  const st = db.prepare('INSERT INTO sim_pairs (set_id, a, b, distance) VALUES (?, ?, ?, ?) ON CONFLICT (set_id, a, b) DO UPDATE SET distance = excluded.distance');
  db.transaction(() => {
    for (let p = 0; p < distances.length; p++) {
      const d = distances[p];
      st.run(setId, pairs[2 * p], pairs[2 * p + 1], Number.isNaN(d) ? null : d);
    }
  })();
}

/** Every stored pair distance of a shortlisted set: fn(a, b, distance) (NaN for NULL). */
export function forEachPairDistance(db: Db, setId: number, fn: (a: number, b: number, d: number) => void): void {
  const rows = db.prepare('SELECT a, b, distance FROM sim_pairs WHERE set_id = ? ORDER BY a, b').raw().iterate(setId) as IterableIterator<[number, number, number | null]>;
  for (const [a, b, d] of rows) fn(a, b, d ?? NaN);
}

/** How many pair distances a shortlisted set holds. */
export function countPairs(db: Db, setId: number): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM sim_pairs WHERE set_id = ?').get(setId) as { n: number }).n;
}

export interface NeighbourEntry {
  trackId: number;
  score: number;
}

export function putNeighbours(db: Db, setId: number, lists: Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }>): void {
  db.prepare('DELETE FROM neighbours WHERE set_id = ?').run(setId);
  const st = db.prepare('INSERT INTO neighbours (set_id, track_id, nearest, farthest) VALUES (?, ?, ?, ?)');
  for (const [trackId, l] of lists) {
    st.run(setId, trackId, JSON.stringify(l.nearest.map((e) => [e.trackId, e.score])), JSON.stringify(l.farthest.map((e) => [e.trackId, e.score])));
  }
}

export function getNeighbours(db: Db, setId: number, trackId: number): { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] } | undefined {
  const r = db.prepare('SELECT nearest, farthest FROM neighbours WHERE set_id = ? AND track_id = ?').get(setId, trackId) as
    | { nearest: string; farthest: string }
    | undefined;
  if (!r) return undefined;
  const dec = (s: string) => (JSON.parse(s) as [number, number][]).map(([t, sc]) => ({ trackId: t, score: sc }));
  return { nearest: dec(r.nearest), farthest: dec(r.farthest) };
}

export function setState(db: Db, setId: number): { membersHash: string; k: number } | undefined {
  const r = db.prepare('SELECT members_hash, k FROM sim_state WHERE set_id = ?').get(setId) as { members_hash: string; k: number } | undefined;
  return r && { membersHash: r.members_hash, k: r.k };
}

export function putState(db: Db, setId: number, membersHash: string, k: number): void {
  db.prepare(
    `INSERT INTO sim_state (set_id, members_hash, k) VALUES (?, ?, ?)
     ON CONFLICT (set_id) DO UPDATE SET members_hash = excluded.members_hash, k = excluded.k,
       finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
  ).run(setId, membersHash, k);
}

/** A track's statistics in a result set: mean and spread of its scores, and optionally more parts (blocks: per pattern). */
export interface TrackStat {
  mu: number;
  sd: number;
  parts?: number[];
}

export function putTrackStats(db: Db, setId: number, stats: Map<number, TrackStat>): void {
  db.prepare('DELETE FROM sim_track_stats WHERE set_id = ?').run(setId);
  const st = db.prepare('INSERT INTO sim_track_stats (set_id, track_id, mu, sd, parts) VALUES (?, ?, ?, ?, ?)');
  for (const [t, v] of stats) st.run(setId, t, v.mu, v.sd, v.parts ? JSON.stringify(v.parts) : null);
}

export function getTrackStats(db: Db, setId: number): Map<number, TrackStat> {
  const rows = db.prepare('SELECT track_id, mu, sd, parts FROM sim_track_stats WHERE set_id = ?').raw().all(setId) as [number, number, number, string | null][];
  return new Map(rows.map(([t, mu, sd, parts]) => [t, parts ? { mu, sd, parts: JSON.parse(parts) as number[] } : { mu, sd }]));
}
