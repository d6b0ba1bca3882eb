import { engineOf, type Db } from './db.js';

export interface CatalogueCounts {
  tracks: number;
  analysed: number;
  favourites: number;
  similaritySets: { method: string; tracks: number }[];
}

/** How big the catalogue is and what has been computed. */
export function catalogueCounts(db: Db): CatalogueCounts {
  const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    tracks: countTracks(db),
    analysed: one(`SELECT COUNT(*) AS n FROM checkpoints WHERE stage = 'features' AND status = 'done'`),
    favourites: one('SELECT COUNT(*) AS n FROM likes'),
    similaritySets: similaritySets(db)
      .map((s) => ({ method: s.method, tracks: s.tracks }))
      .sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0)),
  };
}

export interface SimilaritySetStatus {
  method: string;
  params: Record<string, unknown>;
  /** Tracks with a stored neighbour list (what recommend reads). */
  tracks: number;
  /** Length of the stored lists; null before the first run finished. */
  k: number | null;
  /** When the stored lists were last brought up to date (ISO time); null before. */
  finishedAt: string | null;
  /** Sequence methods (dtw, fastdtw): active members of the pairwise plan; null for the others. */
  members: number | null;
  /** Sequence methods over all pairs: blocks of pair distances finished and planned; null for the others. */
  blocks: { done: number; planned: number } | null;
  /** Sequence methods with --shortlist: pair distances stored (stale ones included); null for the others. */
  pairs: number | null;
}

/**
 * Every similarity result set as it is: neighbour lists stored, their length and date, and for
 * the methods that store pair distances (dtw, fastdtw) the members and the blocks (all pairs) or
 * the pair distances stored (--shortlist).
 */
export function similaritySets(db: Db): SimilaritySetStatus[] {
  const rows = db
    .prepare(
      `SELECT s.method, s.params,
              (SELECT COUNT(*) FROM neighbours n WHERE n.set_id = s.id) AS tracks,
              st.k, st.finished_at AS finishedAt,
              (SELECT COUNT(*) FROM sim_members m WHERE m.set_id = s.id AND m.active = 1) AS members,
              (SELECT COUNT(*) FROM sim_plan p WHERE p.set_id = s.id) AS planned,
              (SELECT COUNT(*) FROM sim_blocks b WHERE b.set_id = s.id) AS done,
              (SELECT COUNT(*) FROM sim_pairs q WHERE q.set_id = s.id) AS pairs
       FROM sim_sets s LEFT JOIN sim_state st ON st.set_id = s.id ORDER BY s.id`,
    )
    .all() as { method: string; params: string; tracks: number; k: number | null; finishedAt: string | null; members: number; planned: number; done: number; pairs: number }[];
  return rows.map((r) => {
    const params = JSON.parse(r.params) as Record<string, unknown>;
    const shortlisted = params.shortlist !== undefined;
    const blockwise = !shortlisted && (r.planned > 0 || r.members > 0);
    return {
      method: r.method,
      params,
      tracks: r.tracks,
      k: r.k,
      finishedAt: r.finishedAt,
      members: blockwise || shortlisted ? r.members : null,
      blocks: blockwise ? { done: r.done, planned: r.planned } : null,
      pairs: shortlisted ? r.pairs : null,
    };
  });
}

export function countTracks(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n;
}

/**
 * What changes when the analysed catalogue, its metadata or a similarity result set changes: a
 * cache of models built on the catalogue is still good while this stays the same.
 */
export function catalogueSignature(db: Db): string {
  // the features' latest rowid on SQLite; PostgreSQL has no rowid: the pack generation, which
  // moves at every change of a features row (migration 10), stands for it there
  const featuresMark = engineOf(db) === 'postgres' ? '(SELECT generation FROM pack_state WHERE id = 1)' : '(SELECT MAX(rowid) FROM features)';
  const r = db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM features) AS f, ${featuresMark} AS fr, (SELECT COUNT(*) FROM tracks) AS t,
              (SELECT MAX(updated_at) FROM tracks) AS tu, (SELECT MAX(set_id) FROM sim_state) AS s, (SELECT MAX(finished_at) FROM sim_state) AS sf`,
    )
    .get();
  return JSON.stringify(r);
}
