import type { Db } from './db.js';

export interface Checkpoint {
  trackId: number;
  stage: string;
  paramsHash: string;
  inputSha: string | null;
  status: 'done' | 'failed';
  error: string | null;
  attempts: number;
  ms: number | null;
  finishedAt: string;
}

export function getCheckpoint(db: Db, trackId: number, stage: string): Checkpoint | undefined {
  const r = db.prepare('SELECT * FROM checkpoints WHERE track_id = ? AND stage = ?').get(trackId, stage) as
    | Record<string, unknown>
    | undefined;
  if (!r) return undefined;
  return {
    trackId: r.track_id as number,
    stage: r.stage as string,
    paramsHash: r.params_hash as string,
    inputSha: r.input_sha as string | null,
    status: r.status as 'done' | 'failed',
    error: r.error as string | null,
    attempts: r.attempts as number,
    ms: r.ms as number | null,
    finishedAt: r.finished_at as string,
  };
}

/** Record a stage outcome. Call inside the transaction that stores the stage's output. */
export function markStage(
  db: Db,
  a: { trackId: number; stage: string; paramsHash: string; inputSha: string | null; status: 'done' | 'failed'; error?: string | null; ms?: number | null },
): void {
  db.prepare(
    `INSERT INTO checkpoints (track_id, stage, params_hash, input_sha, status, error, attempts, ms)
     VALUES (?, ?, ?, ?, ?, ?, 1, ?)
     ON CONFLICT (track_id, stage) DO UPDATE SET params_hash = excluded.params_hash,
       input_sha = excluded.input_sha, status = excluded.status, error = excluded.error,
       attempts = CASE WHEN checkpoints.params_hash = excluded.params_hash
                        AND checkpoints.input_sha IS NOT DISTINCT FROM excluded.input_sha
                       THEN checkpoints.attempts + 1 ELSE 1 END,
       ms = excluded.ms, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
  ).run(a.trackId, a.stage, a.paramsHash, a.inputSha, a.status, a.error ?? null, a.ms ?? null);
}

export interface StageCounts {
  stage: string;
  done: number;
  failed: number;
}

export function stageCounts(db: Db): StageCounts[] {
  return db
    .prepare(
      `SELECT stage, SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done, SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed
       FROM checkpoints GROUP BY stage ORDER BY stage`,
    )
    .all() as StageCounts[];
}

export function stageFailures(db: Db, stage?: string): { trackId: number; stage: string; error: string; path: string | null }[] {
  const rows = db
    .prepare(
      `SELECT c.track_id AS trackId, c.stage, c.error, t.local_path AS path FROM checkpoints c
       JOIN tracks t ON t.id = c.track_id
       WHERE c.status = 'failed' AND (CAST(? AS TEXT) IS NULL OR c.stage = ?) ORDER BY c.track_id`,
    )
    .all(stage ?? null, stage ?? null) as { trackId: number; stage: string; error: string; path: string | null }[];
  return rows;
}
