/**
 * `yasr ingest deezer:releases --since ... --json` (the built CLI) against the replay server:
 * the JSON summary, the reply cache next to the database (a second run asks less, --no-cache
 * asks everything again), and a run killed with SIGKILL after some tracks were stored resumes
 * without duplicates: every track and source once, every stored file referenced once.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAndKillWhen, runYasr } from '../helpers/robustness-run.js';
import { deezerWeek, startReplay, type ReplayServer } from './replay-server.js';

let s: ReplayServer;
let env: Record<string, string>;
beforeAll(async () => {
  s = await startReplay();
  env = { YASR_DEEZER_API: s.origin, YASR_DEEZER_RATE: 'off', YASR_TODAY: '2025-06-15T12:00:00Z' };
});
afterAll(() => s.close());
beforeEach(() => {
  deezerWeek(s.clear());
  s.o.audioDelayMs = 0;
});

const ARGS = ['ingest', 'deezer:releases', '--since', '7d', '--timeout', '5', '--retries', '1', '--json'];

function tmpDb(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'yasr-cli-cat-')), 'yasr.db');
}

function files(dir: string): { content: string[]; temp: string[] } {
  const out = { content: [] as string[], temp: [] as string[] };
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else (e.name.startsWith('.yasr-tmp-') ? out.temp : out.content).push(p);
    }
  };
  walk(dir);
  return out;
}

function count(db: string, sql: string): number {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (d.prepare(sql).get() as { n: number }).n;
  } finally {
    d.close();
  }
}

describe('yasr ingest deezer:releases (CLI)', () => {
  it('prints the summary; the cache next to the database saves requests; --no-cache asks again', async () => {
    const db = tmpDb();
    const first = await runYasr(db, ARGS, env);
    expect(first.status).toBe(1); // two items failed
    const a = JSON.parse(first.stdout);
    expect(a).toMatchObject({ added: 6, failed: 2, listed: 6, requests: { sent: 9, cacheHits: 0, notModified: 0 } });
    expect(a.failures.map((f: { source: string }) => f.source).sort()).toEqual(['deezer:album/900000102', 'deezer:album/900000105']);
    expect(existsSync(path.join(path.dirname(db), 'cache', 'http'))).toBe(true);

    s.reset();
    const b = JSON.parse((await runYasr(db, ARGS, env)).stdout);
    expect(b).toMatchObject({ added: 0, unchanged: 6, requests: { sent: 3, cacheHits: 6 } });
    expect(s.count('/album/')).toBe(1); // only the album that failed (errors are not cached)
    expect(s.count('/stream/')).toBe(0);

    s.reset();
    const c = JSON.parse((await runYasr(db, [...ARGS, '--no-cache'], env)).stdout);
    expect(c).toMatchObject({ added: 0, unchanged: 6, requests: { sent: 9, cacheHits: 0 } });
  });

  it('a run killed with SIGKILL after some tracks were stored resumes without duplicates', async () => {
    const db = tmpDb();
    s.o.audioDelayMs = 250; // slow previews: the kill lands mid-run
    const killed = await runAndKillWhen(db, ARGS, () => existsSync(db) && count(db, 'SELECT COUNT(*) AS n FROM tracks') >= 2, 10, env);
    expect(killed.killed).toBe(true);
    const before = count(db, 'SELECT COUNT(*) AS n FROM tracks');
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThan(6);

    s.o.audioDelayMs = 0;
    const resumed = await runYasr(db, ARGS, env);
    const r = JSON.parse(resumed.stdout);
    expect(r.failed).toBe(2);
    expect(r.added + r.unchanged).toBe(6);
    expect(r.unchanged).toBeGreaterThanOrEqual(before);
    expect(r.duplicates).toBe(0);
    // everything stored once
    expect(count(db, 'SELECT COUNT(*) AS n FROM tracks')).toBe(6);
    expect(count(db, 'SELECT COUNT(DISTINCT sha256) AS n FROM tracks')).toBe(6);
    expect(count(db, "SELECT COUNT(*) AS n FROM sources WHERE kind = 'catalogue' AND status = 'ok'")).toBe(6);
    expect(count(db, "SELECT COUNT(DISTINCT track_id) AS n FROM sources WHERE kind = 'catalogue' AND status = 'ok'")).toBe(6);
    expect(count(db, 'SELECT COUNT(*) AS n FROM tracks t WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.track_id = t.id)')).toBe(0);
    const store = files(path.join(path.dirname(db), 'audio'));
    expect(store.content).toHaveLength(6);
    // a download cut by the kill may leave its temporary file (.yasr-tmp-*.part); it never becomes a track
    if (store.temp.length) console.warn(`left by the killed run: ${store.temp.map((f) => path.basename(f)).join(', ')}`);
    expect(store.temp.length).toBeLessThanOrEqual(1);
  });
});
