import { engineOf, type Db } from './db.js';
import { sqliteOf } from './engine/sqlite.js';

/**
 * Packs: blobs of catalogue-wide data derived from the features and checkpoints tables (what
 * is in them: src/pipeline/similarity/packs.ts), kept so that a query reads one row instead of
 * one row per track. Migration 7's triggers move `pack_state.generation` on, and drop every
 * pack, whenever a row of features or checkpoints is inserted, updated or deleted (a deleted
 * track's rows go by cascade, which fires them too). A pack is made from what one read
 * transaction saw at generation G and stored with G only while the generation is still G, so a
 * pack is never read after what it was made from changed.
 */

/** The current generation (0 in a database without packs: opened read-only before migration 7). */
export function packGeneration(db: Db): number {
  try {
    return (db.prepare('SELECT generation FROM pack_state WHERE id = 1').pluck().get() as number | undefined) ?? 0;
  } catch (err) {
    if (noPackTables(err)) return 0;
    throw err;
  }
}

/** The pack stored under `key` if it was made at the current generation. */
export function readPack(db: Db, key: string): Buffer | undefined {
  try {
    return db
      .prepare('SELECT p.data FROM packs p JOIN pack_state s ON s.id = 1 AND s.generation = p.generation WHERE p.key = ?')
      .pluck()
      .get(key) as Buffer | undefined;
  } catch (err) {
    if (noPackTables(err)) return undefined;
    throw err;
  }
}

/**
 * Store a pack made at `generation`, if that is still the current one. Never waits: when
 * another connection holds the write lock, or the database cannot be written, nothing is
 * stored (the pack is made again next time). Returns whether it was stored.
 */
export function writePack(db: Db, key: string, generation: number, data: Buffer): boolean {
  if (db.readonly) return false;
  const insert = () =>
    db
      .prepare(
        `INSERT INTO packs (key, generation, data) SELECT CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS BLOB) WHERE (SELECT generation FROM pack_state WHERE id = 1) = ?
         ON CONFLICT (key) DO UPDATE SET generation = excluded.generation, data = excluded.data`,
      )
      .run(key, generation, data, generation).changes > 0;
  if (engineOf(db) === 'postgres') {
    // no lock wait either: a lock_timeout of 1 ms, in a transaction (a savepoint inside another
    // one) so that a refusal leaves any outer transaction usable
    try {
      return db.transaction(() => {
        db.prepare(`SELECT set_config('lock_timeout', '1ms', true)`).get();
        return insert();
      })();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // lock_not_available, read_only_sql_transaction, serialization_failure, deadlock_detected
      if (['PG_55P03', 'PG_25006', 'PG_40001', 'PG_40P01'].includes(code) || noPackTables(err)) return false;
      throw err;
    }
  }
  const sqlite = sqliteOf(db);
  const timeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
  sqlite.pragma('busy_timeout = 0');
  try {
    return insert();
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code.startsWith('SQLITE_READONLY') || noPackTables(err)) return false;
    throw err;
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
  }
}

/** The pack tables are missing (a database opened read-only before migration 10). */
function noPackTables(err: unknown): boolean {
  return /no such table: (packs|pack_state)|relation "(packs|pack_state)" does not exist/.test((err as Error)?.message ?? '');
}
