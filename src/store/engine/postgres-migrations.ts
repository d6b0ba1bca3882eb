/**
 * PostgreSQL's schema: src/store/migrations.ts's SQLite migrations translated by sql-dialect.ts,
 * statement by statement, except where SQLite-only syntax has no mechanical translation; those
 * statements are replaced by the overrides below. A new SQLite migration in the usual DDL
 * (CREATE TABLE, CREATE INDEX, ALTER TABLE ... ADD COLUMN, INSERT) needs nothing here.
 *
 * The schema version lives in yasr_schema (one row; PostgreSQL has no user_version).
 */
import { MIGRATIONS } from '../migrations.js';
import { statementsOf } from './sql-dialect.js';

/** Created before migration 1, in the transaction that applies migrations. */
export const PG_BOOTSTRAP = `
CREATE TABLE IF NOT EXISTS yasr_schema (
  id       BIGINT PRIMARY KEY CHECK (id = 1),
  version  BIGINT NOT NULL
);
INSERT INTO yasr_schema (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING;
-- An identity column (SQLite's INTEGER PRIMARY KEY) given an id explicitly: its sequence moves
-- past it, so that the next id is the largest + 1 as on SQLite.
CREATE OR REPLACE FUNCTION yasr_identity_follow() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  seq regclass := pg_get_serial_sequence(format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME), TG_ARGV[0])::regclass;
  v bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
BEGIN
  IF v IS NOT NULL AND v > COALESCE(pg_sequence_last_value(seq), 0) THEN
    PERFORM setval(seq, v);
  END IF;
  RETURN NEW;
END $$;
`;

export interface PgOverride {
  /** The SQLite statements of the migration that this replaces. */
  replaces: RegExp;
  /** PostgreSQL SQL put where the first of them was. */
  sql: string;
}

/** Per migration (1-based), statements that need their own PostgreSQL form. */
export const PG_OVERRIDES: Record<number, PgOverride> = {
  // 10: SQLite's row triggers -> one plpgsql function and row triggers (same firing: per row
  // inserted, updated or deleted, cascaded deletes included)
  10: {
    replaces: /^CREATE TRIGGER (features|checkpoints)_(insert|update|delete)_packs\b/i,
    sql: `
CREATE FUNCTION yasr_packs_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE pack_state SET generation = generation + 1;
  DELETE FROM packs;
  RETURN NULL;
END $$;
CREATE TRIGGER features_packs AFTER INSERT OR UPDATE OR DELETE ON features FOR EACH ROW EXECUTE FUNCTION yasr_packs_stale();
CREATE TRIGGER checkpoints_packs AFTER INSERT OR UPDATE OR DELETE ON checkpoints FOR EACH ROW EXECUTE FUNCTION yasr_packs_stale()`,
  },
};

/** Migration `v` (1-based) in PostgreSQL SQL. */
export function pgMigration(v: number, migrations: readonly string[] = MIGRATIONS, overrides: Record<number, PgOverride> = PG_OVERRIDES): string {
  const o = overrides[v];
  const out: string[] = [];
  let placed = false;
  for (const s of statementsOf(migrations[v - 1])) {
    if (o && o.replaces.test(s.sqlite)) {
      if (!placed) out.push(o.sql.trim());
      placed = true;
      continue;
    }
    out.push(s.postgres());
  }
  if (o && !placed) throw new Error(`the PostgreSQL override of migration ${v} replaces nothing: ${o.replaces}`);
  return out.join(';\n');
}
