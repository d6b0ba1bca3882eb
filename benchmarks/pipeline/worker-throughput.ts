/**
 * Analysis throughput with 1, 2 and 3 worker processes on one PostgreSQL store (issue 12): N
 * Vorbis files (60 s, 44.1 kHz stereo, made by ffmpeg) are ingested into a fresh schema, then
 * `yasr features --queue --workers 1` (which enqueues every track and takes part as one worker)
 * runs beside W - 1 `yasr worker --concurrency 1` processes, all on that schema; the time is the
 * features command's, from start to its last task done. Beside it, in the same run, the
 * single-machine reference: `yasr features --workers 1` and `--workers 2` on SQLite (no queue).
 * Every run's stored features are checked equal to the first SQLite run's.
 *
 *   npm run build && node dist/benchmarks/pipeline/worker-throughput.js [N=48] [--workers 1,2,3] [--rounds 2]
 *     [--db postgres://...]    (default: $YASR_BENCH_PG, else $YASR_TEST_PG, else a throwaway cluster)
 *
 * Prints markdown.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { openDb } from '../../src/store/db.js';
import { pgAdminExec, startThrowawayPostgres, whyNoThrowawayPostgres, withSchema, type ThrowawayPostgres } from '../../scripts/throwaway-postgres.js';
import { machineLine, median, today } from '../machine.js';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const N = Number(argv.find((a, i) => /^\d+$/.test(a) && !argv[i - 1]?.startsWith('--')) ?? 48);
const WORKERS = (opt('workers') ?? '1,2,3').split(',').map(Number);
const ROUNDS = Number(opt('rounds') ?? 2);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'dist', 'bin', 'yasr.js');
const dir = path.join(os.tmpdir(), 'yasr-bench-workers');
const audio = path.join(dir, `audio-${N}`); // ingest takes the whole folder: N files exactly
const tools = findFfmpeg();

mkdirSync(audio, { recursive: true });
for (let i = 0; i < N; i++) {
  const f = path.join(audio, `w${String(i).padStart(3, '0')}.ogg`);
  if (existsSync(f)) continue;
  const f0 = 110 * Math.pow(2, (i % 24) / 12);
  const graph = `sine=f=${f0.toFixed(2)}:d=60:r=44100,tremolo=f=${(1 + (i % 4)).toFixed(1)}[a];anoisesrc=d=60:c=pink:r=44100:a=0.15:seed=${i + 1}[b];[a][b]amix=inputs=2,aformat=channel_layouts=stereo[out]`;
  const r = spawnSync(tools.ffmpeg, ['-nostdin', '-loglevel', 'error', '-y', '-filter_complex', graph, '-map', '[out]', '-c:a', 'libvorbis', '-q:a', '3', f]);
  if (r.status !== 0) throw new Error(String(r.stderr));
}

let cluster: ThrowawayPostgres | null = null;
let server = opt('db') ?? process.env.YASR_BENCH_PG ?? process.env.YASR_TEST_PG;
if (!server) {
  const why = whyNoThrowawayPostgres();
  if (why) {
    process.stdout.write(`Not run: no PostgreSQL (${why}); give one with --db postgres://...\n`);
    process.exit(0);
  }
  cluster = startThrowawayPostgres();
  server = cluster.url;
  process.once('exit', () => cluster?.stop());
}

function yasr(db: string, args: string[]): void {
  const r = spawnSync(process.execPath, [BIN, '--db', db, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`yasr ${args.join(' ')}: ${r.stderr}`);
}

/** A fresh, empty schema on the server: a URL whose search_path is it. */
let schemaCount = 0;
const schemas: string[] = [];
function freshSchema(): string {
  const schema = `bench_w${process.pid}_${++schemaCount}`;
  pgAdminExec(server!, `DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`, 'benchmark server');
  schemas.push(schema);
  return withSchema(server!, schema);
}

function featureRows(db: string): string {
  const d = openDb(db);
  try {
    const rows = d.prepare('SELECT t.sha256, f.name, f.data FROM features f JOIN tracks t ON t.id = f.track_id ORDER BY t.sha256, f.name').all() as { sha256: string; name: string; data: Buffer }[];
    return rows.map((r) => `${r.sha256}:${r.name}:${Buffer.from(r.data).toString('base64')}`).join('\n');
  } finally {
    d.close();
  }
}

interface Row {
  label: string;
  runs: number[];
  identical: boolean;
}
const rows = new Map<string, Row>();
let reference: string | null = null;

function record(label: string, seconds: number, db: string): void {
  const f = featureRows(db);
  reference ??= f;
  const r = rows.get(label) ?? { label, runs: [], identical: true };
  r.runs.push(seconds);
  r.identical &&= f === reference;
  rows.set(label, r);
  process.stderr.write(`${label}: ${seconds.toFixed(1)} s\n`);
}

/** The single-machine reference: SQLite, no queue. */
function sqliteRun(w: number): void {
  const db = path.join(dir, `sqlite-${w}.db`);
  for (const s of ['', '-wal', '-shm', '.lock']) rmSync(db + s, { force: true });
  yasr(db, ['ingest', audio]);
  const t = performance.now();
  yasr(db, ['features', '--workers', String(w)]);
  record(`SQLite, \`yasr features --workers ${w}\` (one process, no queue)`, (performance.now() - t) / 1000, db);
}

/** W processes on one PostgreSQL: the features run (taking part) and W - 1 workers. */
async function pgRun(w: number): Promise<void> {
  const db = freshSchema();
  yasr(db, ['ingest', audio]);
  const helpers = Array.from({ length: w - 1 }, () =>
    spawn(process.execPath, [BIN, '--db', db, 'worker', '--concurrency', '1', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const t = performance.now();
  yasr(db, ['features', '--queue', '--workers', '1']);
  const seconds = (performance.now() - t) / 1000;
  for (const h of helpers) h.kill('SIGTERM');
  await Promise.all(helpers.map((h) => new Promise((res) => (h.exitCode !== null ? res(null) : h.once('exit', res)))));
  record(`PostgreSQL, ${w} process${w > 1 ? 'es' : ''} (\`features --queue --workers 1\`${w > 1 ? ` + ${w - 1} \`yasr worker --concurrency 1\`` : ''})`, seconds, db);
}

// every configuration once per round, the order reversed in every other round
const configs: (() => void | Promise<void>)[] = [() => sqliteRun(1), () => sqliteRun(2), ...WORKERS.map((w) => () => pgRun(w))];
for (let r = 0; r < ROUNDS; r++) for (const c of r % 2 ? [...configs].reverse() : configs) await c();

const med = (xs: number[]): number => median(xs);
const list = [...rows.values()];
const base = med(list[0].runs);
const lines = [
  '### Analysis throughput: worker processes on one PostgreSQL (issue 12)',
  `Machine: ${machineLine()}. Date: ${today()}. ${N} Vorbis files (60 s, 44.1 kHz stereo, q3, made by ffmpeg), default`,
  'features (each file decoded whole by its own ffmpeg process, trimmed, 30 s central excerpt analysed, windows over the',
  'whole track). Time of the features command from start to its last track stored; PostgreSQL 15 on the same',
  "machine (fsync off); every worker process has one analysis thread, and its ffmpeg runs beside it. Every run's stored",
  'features are compared byte for byte with the first run\'s.',
  '',
  '| configuration | seconds (median; every run) | tracks/s | vs SQLite, 1 worker | features identical |',
  '| --- | ---: | ---: | ---: | --- |',
  ...list.map((r) => `| ${r.label} | ${med(r.runs).toFixed(1)} (${r.runs.map((x) => x.toFixed(1)).join(', ')}) | ${(N / med(r.runs)).toFixed(2)} | ${(base / med(r.runs)).toFixed(2)} x | ${r.identical ? 'yes' : 'NO'} |`),
  '',
  'This machine has 2 cores: one process (its analysis thread, two tracks at a time, plus their ffmpeg) already',
  'keeps both busy much of the time, so more processes here add little but contention; on several machines each',
  "worker brings its own cores. The queue's own cost per task (claim, heartbeats, completion: a few statements",
  'each) is part of the difference between the SQLite and PostgreSQL one-process rows, the rest is PostgreSQL',
  "itself (each statement a round trip through the connection's thread).",
];
process.stdout.write(`${lines.join('\n')}\n`);
if (!cluster) {
  // a server of someone else's: leave it as it was
  pgAdminExec(server, schemas.map((s) => `DROP SCHEMA IF EXISTS ${s} CASCADE`).join('; '), 'benchmark server');
}
cluster?.stop();
cluster = null;
