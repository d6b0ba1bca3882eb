/**
 * The whole command line on a PostgreSQL store gives what it gives on SQLite: ingest, features,
 * similarity (cosine and dtw) and recommend --json on a few synthetic WAV files, compared field
 * by field (timings left out). (A store that cannot be reached: test/cli/main.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthTrack, type Timbre } from '../../src/demo/synth.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { ensureBuilt, ROOT, tempDir } from '../helpers/cli.js';
import { PG_SKIP, freshPgUrl, stopPg, warnSkip } from '../helpers/postgres.js';

afterAll(stopPg);
warnSkip();

const BIN = path.join(ROOT, 'dist', 'bin', 'yasr.js');
const dir = tempDir('yasr-pg-e2e-');

/** The CLI with `db`, run in the test's folder (a PostgreSQL store keeps its local files under ./data). */
function run(db: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, '--db', db, '--quiet', ...args], { cwd: dir, env: { ...process.env, CI: '1' }, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(db: string, args: string[]): unknown {
  const r = run(db, [...args, '--json']);
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

/** What differs from run to run: durations, times, the database's name. */
const UNSTABLE = new Set(['seconds', 'ms', 'elapsed', 'startedAt', 'finishedAt', 'addedAt', 'db']);

/** A report without what differs from run to run. */
function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !UNSTABLE.has(k))
        // an ANN index is a file beside a SQLite database; a PostgreSQL store's lives in the process
        .map(([k, x]) => [k, k === 'annIndexes' ? (x as { vector: string; size: number }[]).map(({ vector, size }) => ({ vector, size })) : stable(x)]),
    );
  }
  return v;
}

describe.skipIf(PG_SKIP !== null)('yasr on PostgreSQL gives what it gives on SQLite', () => {
  // (fastdtw --shortlist stores pair distances, --candidates builds ANN indexes: those paths too)
  const files: string[] = [];
  beforeAll(() => {
    ensureBuilt();
    const audio = path.join(dir, 'audio-in');
    mkdirSync(audio, { recursive: true });
    const timbres: Timbre[] = ['brass', 'pluck', 'organ', 'pad', 'square', 'sine'];
    for (let i = 0; i < 6; i++) {
      const f = path.join(audio, `t${i}.wav`);
      writeWav(f, synthTrack({ seconds: 4, bpm: 70 + 13 * i, key: (i * 5) % 12, mode: i % 2 ? 'minor' : 'major', timbre: timbres[i], seed: i + 3 }), 22050);
      files.push(f);
    }
  });

  it('ingest, features, similarity cosine and dtw, recommend --json: identical', () => {
    const lite = path.join(dir, 'lite.db');
    const pg = freshPgUrl();
    const steps: string[][] = [
      ['ingest', ...files],
      ['features'],
      ['similarity', '--method', 'cosine', '-k', '3'],
      ['similarity', '--method', 'dtw', '-k', '3', '--block-size', '2'],
      ['recommend', '1', '--method', 'cosine', '-k', '4', '--least', '1', '--max-popularity', '100', '--no-exclude-same-artist'],
      ['recommend', '2', '--method', 'dtw', '-k', '4', '--max-popularity', '100', '--no-exclude-same-artist'],
      ['recommend', '3', '--method', 'hybrid', '-k', '4', '--max-popularity', '100', '--no-exclude-same-artist'],
      ['similarity', '--method', 'fastdtw', '--shortlist', '3', '-k', '3'],
      ['recommend', '4', '--method', 'fastdtw', '--shortlist', '3', '-k', '3', '--max-popularity', '100', '--no-exclude-same-artist'],
      ['similarity', '--method', 'hybrid', '--candidates', '3', '-k', '3'],
      ['recommend', '5', '--method', 'hybrid', '--candidates', '3', '-k', '3', '--max-popularity', '100', '--no-exclude-same-artist'],
      ['status'],
    ];
    for (const step of steps) {
      const a = stable(json(lite, step));
      const b = stable(json(pg, step));
      if (step[0] === 'status') {
        // on PostgreSQL features and dtw always go through the task queue (SQLite only with
        // --queue): its tasks are all done there, none on SQLite; the rest is the same
        const qa = (a as { queue: Record<string, number> }).queue;
        const qb = (b as { queue: Record<string, number> }).queue;
        expect(qa).toEqual({ pending: 0, running: 0, done: 0, failed: 0 });
        expect(qb).toMatchObject({ pending: 0, running: 0, failed: 0 });
        expect(qb.done).toBeGreaterThanOrEqual(6); // one per track's features, then the dtw blocks
        delete (a as { queue?: unknown }).queue;
        delete (b as { queue?: unknown }).queue;
      }
      expect(b, step.join(' ')).toEqual(a);
    }
    // and the lists are real ones: four tracks, best first
    const rec = json(pg, ['recommend', '1', '--method', 'cosine', '-k', '4', '--max-popularity', '100', '--no-exclude-same-artist']) as { nearest: { trackId: number; score: number }[] };
    expect(rec.nearest).toHaveLength(4);
    expect(rec.nearest.map((r) => r.trackId)).not.toContain(1);
    const scores = rec.nearest.map((r) => r.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
  }, 300_000);
});
