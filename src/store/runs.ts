import type { Db } from './db.js';

export interface RunRow {
  id: number;
  command: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'ok' | 'failed' | 'interrupted';
  report: unknown;
}

export function startRun(db: Db, command: string): number {
  // a run still 'running' belongs to a process that was killed: it is interrupted
  db.prepare(`UPDATE runs SET status = 'interrupted' WHERE status = 'running'`).run();
  return db.prepare(`INSERT INTO runs (command, started_at, status) VALUES (?, ?, 'running') RETURNING id`).pluck().get(command, new Date().toISOString()) as number;
}

export function finishRun(db: Db, id: number, status: 'ok' | 'failed', report: unknown): void {
  db.prepare('UPDATE runs SET finished_at = ?, status = ?, report = ? WHERE id = ?').run(new Date().toISOString(), status, JSON.stringify(report), id);
}

export function listRuns(db: Db, limit = 20): RunRow[] {
  return (db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as { id: number; command: string; started_at: string; finished_at: string | null; status: RunRow['status']; report: string | null }[]).map((r) => ({
    id: r.id,
    command: r.command,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    report: r.report ? JSON.parse(r.report) : null,
  }));
}
