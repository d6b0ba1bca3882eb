import type { Db } from './db.js';

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
    similaritySets: db
      .prepare('SELECT s.method, COUNT(m.idx) AS tracks FROM sim_sets s LEFT JOIN sim_members m ON m.set_id = s.id AND m.active = 1 GROUP BY s.id ORDER BY s.method')
      .all() as { method: string; tracks: number }[],
  };
}

/** Every similarity result set with its parameters, active members and finished blocks. */
export function similaritySets(db: Db): { method: string; params: Record<string, unknown>; members: number; blocks: number }[] {
  const rows = db
    .prepare(
      `SELECT s.method, s.params, COUNT(DISTINCT m.idx) AS members, (SELECT COUNT(*) FROM sim_blocks b WHERE b.set_id = s.id) AS blocks
       FROM sim_sets s LEFT JOIN sim_members m ON m.set_id = s.id AND m.active = 1 GROUP BY s.id ORDER BY s.id`,
    )
    .all() as { method: string; params: string; members: number; blocks: number }[];
  return rows.map((s) => ({ ...s, params: JSON.parse(s.params) as Record<string, unknown> }));
}

export function countTracks(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n;
}

/**
 * What changes when the analysed catalogue, its metadata or a similarity result set changes: a
 * cache of models built on the catalogue is still good while this stays the same.
 */
export function catalogueSignature(db: Db): string {
  const r = db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM features) AS f, (SELECT MAX(rowid) FROM features) AS fr, (SELECT COUNT(*) FROM tracks) AS t,
              (SELECT MAX(updated_at) FROM tracks) AS tu, (SELECT MAX(rowid) FROM sim_state) AS s, (SELECT MAX(finished_at) FROM sim_state) AS sf`,
    )
    .get();
  return JSON.stringify(r);
}
