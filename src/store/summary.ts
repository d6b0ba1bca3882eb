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
    tracks: one('SELECT COUNT(*) AS n FROM tracks'),
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
