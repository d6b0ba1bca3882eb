import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { engineOf, type Db } from '../../store/db.js';

/** How long a claimed task stays leased without a heartbeat (yasr worker --lease). */
export const DEFAULT_LEASE_MS = 60_000;

/** Claims of one task before an expired lease makes it failed (its holders keep dying on it). */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** A worker's name in the leases it holds: host, process id and a random part (unique at any time). */
export function workerOwner(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** A new job's id: what it does, when it was enqueued, a random part. */
export function newJobId(what: string, now = Date.now()): string {
  return `${what}-${new Date(now).toISOString()}-${randomBytes(3).toString('hex')}`;
}

/**
 * Whether a run shares its work through the task queue: always on PostgreSQL (workers on other
 * machines may take part), on SQLite only when asked (`--queue`).
 */
export function queueWanted(db: Db, flag?: boolean): boolean {
  return !!flag || engineOf(db) === 'postgres';
}
