import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, rmSync, existsSync, copyFileSync, writeFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { runAndKill, runAndKillWhen, runYasr, seededRandom, spreadMoments, type ChildResult } from '../helpers/robustness-run.js';
import { blobProblems, copyDb, countRows, diffSnapshots, integrityCheck, snapshotDb, type Snapshot } from '../helpers/robustness-db.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { synthTrack, type Timbre } from '../../src/demo/synth.js';

/**
 * Issue 5, item 3: faults lose nothing. A features run and similarity runs (dtw, fastdtw) are
 * killed with SIGKILL at seeded random moments spread over their measured duration, then run
 * again to completion; the database must then equal that of an uninterrupted run (content, not
 * timings), hold sound blobs only, pass `PRAGMA integrity_check`, and show no pending work.
 * Also: two runs started at once, and a full disk (a 1 MiB tmpfs, where mounting is allowed).
 *
 * Reproduce a failing trial with the seed it prints: YASR_ROBUST_SEED=<seed> npx vitest run test/robustness
 */
const SEED = Number(process.env.YASR_ROBUST_SEED ?? 5003);
const FEATURE_TRIALS = 10;
const SIM_TRIALS_PER_METHOD = 6;
const TRACKS = 10;

const FEATURES_ARGS = ['features', '--workers', '2'];
/**
 * Similarity runs on their own catalogue of 20 s tracks (MFCC only): with 4-6 s tracks the
 * block computation takes a few milliseconds and process start-up fills the whole run, so no
 * kill would land between block commits. Here --block-size 2 gives 21 blocks (66 pairs) that
 * take most of a 2-4 s run, exact DTW (--pool 1 --band 0) and FastDTW with radius 4.
 */
const SIM_TRACKS = 12;
const SIM_FEATURES_ARGS = ['features', '--mfcc', '--workers', '2'];
const SIM_ARGS: Record<'dtw' | 'fastdtw', string[]> = {
  dtw: ['similarity', '--method', 'dtw', '--workers', '2', '--block-size', '2', '--pool', '1', '--band', '0'],
  fastdtw: ['similarity', '--method', 'fastdtw', '--workers', '2', '--block-size', '2', '--radius', '4'],
};

const dir = tempDir('yasr-crash-');
const music = path.join(dir, 'music');
const ingested = path.join(dir, 'ingested.db'); // tracks registered, nothing analysed
const featured = path.join(dir, 'featured.db'); // + uninterrupted features
const simMusic = path.join(dir, 'sim-music');
const simFeatured = path.join(dir, 'sim-featured.db'); // the 20 s catalogue, MFCC done
const simRef: Record<string, string> = { dtw: path.join(dir, 'ref-dtw.db'), fastdtw: path.join(dir, 'ref-fastdtw.db') };
const refSnap: Record<string, Snapshot> = {};
const refStatus: Record<string, unknown> = {};
const duration: Record<string, number> = {};
const report: string[] = [];

function ok(r: ChildResult, what: string): ChildResult {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status ?? r.signal}: ${r.stderr}\n${r.stdout}`);
  return r;
}

/** `yasr status --json` without the database path and the sets' finishing times (which differ between copies). */
async function status(db: string): Promise<Record<string, unknown>> {
  const r = ok(await runYasr(db, ['status', '--json']), 'status');
  const s = JSON.parse(r.stdout) as Record<string, unknown>;
  delete s.db;
  for (const set of s.similarity as { finishedAt?: string | null }[]) set.finishedAt = set.finishedAt ? 'finished' : null;
  return s;
}

/** Everything an uninterrupted run would leave, checked on `db` against reference `ref`. */
async function expectLikeUninterrupted(db: string, ref: string, label: string): Promise<void> {
  expect(integrityCheck(db), `${label}: integrity_check`).toBe('ok');
  expect(diffSnapshots(refSnap[ref], snapshotDb(db)), `${label}: differs from the uninterrupted run`).toEqual([]);
  expect(blobProblems(db), `${label}: blobs`).toEqual([]);
  const s = await status(db);
  // (the similarity catalogue holds MFCC only, so features with default options stay pending there)
  const want = refStatus[ref] as { pendingFeaturesWithDefaults: number };
  expect(s.pendingFeaturesWithDefaults, `${label}: pending features`).toBe(want.pendingFeaturesWithDefaults);
  expect(s.failures, `${label}: failures`).toEqual([]);
  expect(s.ingestFailures, `${label}: ingest failures`).toEqual([]);
  expect(s, `${label}: status`).toEqual(refStatus[ref]);
  if (ref === 'dtw' || ref === 'fastdtw') {
    // and the similarity command itself finds nothing left to do
    const r = ok(await runYasr(db, [...SIM_ARGS[ref], '--json']), `${label}: similarity again`);
    const j = JSON.parse(r.stdout) as { nothingToDo: boolean; blocksComputed: number };
    expect([j.nothingToDo, j.blocksComputed], `${label}: similarity again`).toEqual([true, 0]);
  }
}

function makeAudio(folder: string, count: number, seconds: (i: number) => number): void {
  mkdirSync(folder, { recursive: true });
  const timbres: Timbre[] = ['sine', 'organ', 'brass', 'pluck', 'pad', 'square'];
  for (let i = 0; i < count; i++) {
    const y = synthTrack({ seconds: seconds(i), bpm: 84 + 9 * i, key: (i * 5) % 12, mode: i % 2 ? 'minor' : 'major', timbre: timbres[i % 6], seed: i + 1 });
    writeWav(path.join(folder, `track-${String(i).padStart(2, '0')}.wav`), y, 22050);
  }
}

describe('kill -9 at random moments loses nothing', () => {
  beforeAll(async () => {
    makeAudio(music, TRACKS, (i) => 4 + (i % 3));
    makeAudio(simMusic, SIM_TRACKS, () => 20);
    ok(await runYasr(ingested, ['ingest', music]), 'ingest');
    ok(await runYasr(simFeatured, ['ingest', simMusic]), 'ingest');
    ok(await runYasr(simFeatured, SIM_FEATURES_ARGS), 'features --mfcc');
    copyDb(ingested, featured);
    const f = ok(await runYasr(featured, FEATURES_ARGS), 'features');
    duration.features = f.ms;
    refSnap.features = snapshotDb(featured);
    refStatus.features = await status(featured);
    expect((refStatus.features as { pendingFeaturesWithDefaults: number }).pendingFeaturesWithDefaults).toBe(0);
    for (const m of ['dtw', 'fastdtw'] as const) {
      copyDb(simFeatured, simRef[m]);
      const r = ok(await runYasr(simRef[m], SIM_ARGS[m]), m);
      duration[m] = r.ms;
      refSnap[m] = snapshotDb(simRef[m]);
      refStatus[m] = await status(simRef[m]);
      expect(blobProblems(simRef[m])).toEqual([]);
    }
    expect(blobProblems(featured)).toEqual([]);
    report.push(`uninterrupted: features ${duration.features.toFixed(0)} ms, dtw ${duration.dtw.toFixed(0)} ms, fastdtw ${duration.fastdtw.toFixed(0)} ms (seed ${SEED})`);
  }, 300_000);

  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`crash-safety report:\n  ${report.join('\n  ')}`);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`features: ${FEATURE_TRIALS} kills, each resumed to the uninterrupted result`, async () => {
    const rand = seededRandom(SEED);
    const moments = spreadMoments(rand, FEATURE_TRIALS, 0.05 * duration.features, 0.95 * duration.features);
    let midWork = 0;
    for (const [n, at] of moments.entries()) {
      const db = path.join(dir, `features-trial-${n}.db`);
      copyDb(ingested, db);
      // even trials: a random moment; odd ones: as soon as a random number of tracks committed
      const target = 1 + Math.floor(rand() * Math.max(1, TRACKS - 2));
      const k =
        n % 2 === 0
          ? await runAndKill(db, FEATURES_ARGS, at)
          : await runAndKillWhen(db, FEATURES_ARGS, () => countRows(db, `SELECT COUNT(*) AS n FROM checkpoints WHERE stage = 'features'`) >= target);
      if (!k.killed) ok(k, `features trial ${n} (ran to the end before the kill)`);
      const done = countRows(db, `SELECT COUNT(*) AS n FROM checkpoints WHERE stage = 'features'`);
      if (k.killed && done > 0 && done < TRACKS) midWork++;
      expect(integrityCheck(db), `trial ${n}: integrity right after the kill`).toBe('ok');
      const again = ok(await runYasr(db, FEATURES_ARGS), `features rerun ${n}`);
      report.push(`features trial ${n}: kill ${n % 2 === 0 ? `at ${at} ms` : `after ${target} tracks`} ${k.killed ? `-> ${done}/${TRACKS} tracks committed` : '(had finished)'}; rerun ${again.ms.toFixed(0)} ms`);
      await expectLikeUninterrupted(db, 'features', `features trial ${n} (seed ${SEED}, kill at ${at} ms)`);
      rmSync(db, { force: true });
    }
    // The moments span the run: most kills must land while tracks were still being committed.
    // (at least 3 of 10, not more: machine load changes how far a run gets in a given time)
    expect(midWork, 'kills that landed mid-work').toBeGreaterThanOrEqual(3);
  }, 900_000);

  for (const m of ['dtw', 'fastdtw'] as const) {
    it(`similarity ${m}: ${SIM_TRIALS_PER_METHOD} kills, each resumed to the uninterrupted result`, async () => {
      const rand = seededRandom(SEED + (m === 'dtw' ? 1 : 2));
      const moments = spreadMoments(rand, SIM_TRIALS_PER_METHOD, 0.05 * duration[m], 0.95 * duration[m]);
      const planned = countRows(simRef[m], 'SELECT COUNT(*) AS n FROM sim_plan');
      let killed = 0;
      let midBlocks = 0;
      for (const [n, at] of moments.entries()) {
        const db = path.join(dir, `${m}-trial-${n}.db`);
        copyDb(simFeatured, db);
        // even trials: a kill at a random moment; odd ones: a kill as soon as a random number
        // of blocks is committed, so that some kills surely land between block commits
        const target = 1 + Math.floor(rand() * Math.max(1, planned - 2));
        const k =
          n % 2 === 0
            ? await runAndKill(db, SIM_ARGS[m], at)
            : await runAndKillWhen(db, SIM_ARGS[m], () => countRows(db, 'SELECT COUNT(*) AS n FROM sim_blocks') >= target);
        if (!k.killed) ok(k, `${m} trial ${n} (ran to the end before the kill)`);
        else killed++;
        const blocks = countRows(db, `SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sim_blocks'`)
          ? countRows(db, 'SELECT COUNT(*) AS n FROM sim_blocks')
          : 0;
        if (k.killed && blocks > 0 && blocks < planned) midBlocks++;
        expect(integrityCheck(db), `${m} trial ${n}: integrity right after the kill`).toBe('ok');
        const again = ok(await runYasr(db, SIM_ARGS[m]), `${m} rerun ${n}`);
        report.push(`${m} trial ${n}: kill ${n % 2 === 0 ? `at ${at} ms` : `after ${target} blocks`} ${k.killed ? `-> ${blocks}/${planned} blocks committed` : '(had finished)'}; rerun ${again.ms.toFixed(0)} ms`);
        await expectLikeUninterrupted(db, m, `${m} trial ${n} (seed ${SEED}, kill at ${at} ms)`);
        rmSync(db, { force: true });
      }
      expect(killed, 'kills that landed before the run ended').toBeGreaterThanOrEqual(SIM_TRIALS_PER_METHOD / 2);
      expect(midBlocks, 'kills that landed between block commits').toBeGreaterThanOrEqual(1);
    }, 600_000);
  }

  /** Both finish, or one refuses at once with a clear one-line message; then the end state is the uninterrupted one. */
  async function concurrent(args: string[], from: string, ref: string, label: string, extra: string[] = []): Promise<ChildResult[]> {
    const db = path.join(dir, `${label}.db`);
    copyDb(from, db);
    const rs = await Promise.all([runYasr(db, [...args, ...extra]), runYasr(db, [...args, ...extra])]);
    for (const r of rs) {
      expect(r.signal, `${label}: ended by a signal`).toBeNull();
      expect(r.stderr, `${label}`).not.toMatch(/internal error/i);
      if (r.status !== 0) {
        expect(r.status, `${label}: refused: ${r.stderr}`).toBe(8); // LOCKED
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/another yasr run holds .*\.lock.*--wait/);
      }
    }
    expect(rs.filter((r) => r.status === 0).length, `${label}: at least one finishes`).toBeGreaterThanOrEqual(1);
    // the refused one, run again, finds nothing left to do
    ok(await runYasr(db, args), `${label}: run again`);
    report.push(`${label}: exits ${rs.map((r) => r.status).join(', ')}${rs.some((r) => r.status === 8) ? ' (one refused: locked)' : ''}`);
    await expectLikeUninterrupted(db, ref, label);
    return rs;
  }

  it('two features runs started at once: one refuses (locked) or both finish; end state as uninterrupted', async () => {
    await concurrent(FEATURES_ARGS, ingested, 'features', 'features-twice');
    // with --wait the second waits for the first, then finds nothing left to do
    const rs = await concurrent(FEATURES_ARGS, ingested, 'features', 'features-twice-wait', ['--wait', '300']);
    expect(rs.map((r) => r.status)).toEqual([0, 0]);
  }, 300_000);

  it('two similarity runs started at once: one refuses (locked) or both finish; end state as uninterrupted', async () => {
    await concurrent(SIM_ARGS.dtw, simFeatured, 'dtw', 'dtw-twice');
    const rs = await concurrent(SIM_ARGS.fastdtw, simFeatured, 'fastdtw', 'fastdtw-twice-wait', ['--wait', '300']);
    expect(rs.map((r) => r.status)).toEqual([0, 0]);
  }, 300_000);

  it('two ingests started at once on a database that does not exist yet both succeed', async () => {
    for (let n = 0; n < 3; n++) {
      const db = path.join(dir, `fresh-${n}.db`);
      const rs = await Promise.all([runYasr(db, ['ingest', music]), runYasr(db, ['ingest', music])]);
      for (const r of rs) expect(r.stderr, `attempt ${n}`).toBe('');
      expect(rs.map((r) => r.status), `attempt ${n}`).toEqual([0, 0]);
      expect(integrityCheck(db)).toBe('ok');
      expect(countRows(db, 'SELECT COUNT(*) AS n FROM tracks')).toBe(TRACKS);
      expect(countRows(db, `SELECT COUNT(*) AS n FROM sources WHERE status = 'ok'`)).toBe(TRACKS);
    }
  }, 300_000);
});

/** Fill the filesystem at `where` with a file, leaving about `leave` bytes free; returns its path. */
function fillUp(where: string, leave: number): string {
  const filler = path.join(where, 'filler');
  const df = spawnSync('df', ['-B1', '--output=avail', where], { encoding: 'utf8' });
  const avail = Number(df.stdout.trim().split('\n').pop());
  writeFileSync(filler, Buffer.alloc(Math.max(0, avail - leave)));
  return filler;
}

/** Mount a tmpfs (we run as root in CI); null when this machine does not allow it. */
function mountTmpfs(where: string, size: string): string | null {
  mkdirSync(where, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', where], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr || r.error?.message || `mount exited ${r.status}`).trim();
}

describe('a full disk loses nothing', () => {
  const fdir = tempDir('yasr-full-');
  const mnt = path.join(fdir, 'mnt');
  const mnt2 = path.join(fdir, 'mnt2');
  const mnt3 = path.join(fdir, 'mnt3');
  const refDtw = path.join(fdir, 'ref-dtw.db');
  const DTW_ARGS = ['similarity', '--method', 'dtw', '--workers', '2', '--block-size', '2'];
  let refDtwSnapshot: Snapshot;
  let fullSimStderr: string | null = null;
  let fullFeaturesStderr: string | null = null;
  const mfolder = path.join(fdir, 'music');
  const ing = path.join(fdir, 'ingested.db');
  const ref = path.join(fdir, 'ref.db');
  let cannotMount: string | null = null;
  let refSnapshot: Snapshot;

  beforeAll(async () => {
    cannotMount = mountTmpfs(mnt, '16m');
    if (cannotMount) return;
    mkdirSync(mfolder, { recursive: true });
    for (let i = 0; i < 8; i++) {
      writeWav(path.join(mfolder, `t${i}.wav`), synthTrack({ seconds: 5, bpm: 90 + 5 * i, key: i, mode: 'major', timbre: 'organ', seed: 40 + i }), 22050);
    }
    ok(await runYasr(ing, ['ingest', mfolder]), 'ingest');
    copyDb(ing, ref);
    ok(await runYasr(ref, FEATURES_ARGS), 'features');
    refSnapshot = snapshotDb(ref);
    copyDb(ref, refDtw);
    ok(await runYasr(refDtw, DTW_ARGS), 'similarity');
    refDtwSnapshot = snapshotDb(refDtw);
  }, 300_000);

  afterAll(() => {
    for (const m of [mnt, mnt2, mnt3]) spawnSync('umount', [m]);
    rmSync(fdir, { recursive: true, force: true });
  });

  it('features on a filesystem that fills up: the run fails, the database stays intact', async (ctx) => {
    if (cannotMount) {
      ctx.skip(`cannot mount a tmpfs here (${cannotMount}): full-disk test skipped`);
      return;
    }
    const db = path.join(mnt, 'yasr.db');
    copyFileSync(ing, db);
    // fill the filesystem, leaving room for about half of what the analyses store
    const need = statSync(ref).size - statSync(ing).size;
    fillUp(mnt, Math.max(64 * 1024, Math.floor(need / 2)));
    const r = await runYasr(db, FEATURES_ARGS);
    fullFeaturesStderr = r.stderr;
    expect(r.signal).toBeNull();
    expect(r.status, 'a full disk is a failure').not.toBe(0);
    // the error says what happened, on one line: on stderr, or recorded per track
    const said = `${r.stderr}\n${r.stdout}`;
    const failures = countRows(db, `SELECT COUNT(*) AS n FROM checkpoints WHERE status = 'failed'`);
    const recorded = failures
      ? (JSON.parse((await runYasr(db, ['status', '--json'])).stdout) as { failures: { error: string }[] }).failures.map((f) => f.error)
      : [];
    expect(`${said}\n${recorded.join('\n')}`).toMatch(/disk is full|no space/i);
    for (const e of recorded) expect(e.split('\n')).toHaveLength(1);
    // the database is sound and keeps what was committed: tracks, and complete analyses
    expect(integrityCheck(db)).toBe('ok');
    expect(blobProblems(db)).toEqual([]);
    const got = snapshotDb(db);
    expect(got.get('tracks')).toEqual(refSnapshot.get('tracks'));
    expect(got.get('sources')).toEqual(refSnapshot.get('sources'));
    const refFeatures = new Set(refSnapshot.get('features'));
    for (const row of got.get('features') ?? []) expect(refFeatures.has(row), `stored feature row as in the reference: ${row.slice(0, 120)}`).toBe(true);
    const done = countRows(db, `SELECT COUNT(*) AS n FROM checkpoints WHERE status = 'done'`);
    const doneFeatures = countRows(db, `SELECT COUNT(*) AS n FROM features f JOIN checkpoints c ON c.track_id = f.track_id AND c.status = 'done'`);
    const perTrack = countRows(ref, 'SELECT COUNT(*) / COUNT(DISTINCT track_id) AS n FROM features');
    expect(doneFeatures, 'every done track holds all its features').toBe(done * perTrack);
    // eslint-disable-next-line no-console
    console.log(`features on a full disk: exit ${r.status}, ${done} tracks done, ${failures} recorded as failed; stderr: ${r.stderr.trim().split('\n').slice(0, 2).join(' / ') || '(none)'}`);

    // Copy the database onto a roomy filesystem; a plain rerun must complete the work.
    // The rerun state is checked in the next test (known bug: see its comment).
    const roomy = path.join(fdir, 'after.db');
    copyDb(db, roomy);
    expect(integrityCheck(roomy)).toBe('ok');
  }, 300_000);

  // A SQLite error (SQLITE_FULL) while storing a track is not the track's fault: the run stops
  // with a one-line STORE error, nothing is recorded against the track, and a plain rerun
  // with space analyses what is left. (It used to be recorded as the track's failure, or to
  // end as an internal error with a stack trace.)
  it('after a full disk: a one-line error, and a plain rerun with space ends equal to an uninterrupted run', async (ctx) => {
    const roomy = path.join(fdir, 'after.db');
    if (cannotMount || !existsSync(roomy) || fullFeaturesStderr === null) {
      ctx.skip(cannotMount ? `cannot mount a tmpfs here (${cannotMount})` : 'previous test did not leave a database');
      return;
    }
    expect(fullFeaturesStderr).not.toMatch(/internal error/i);
    expect(fullFeaturesStderr.trim().split('\n').length).toBeLessThanOrEqual(1);
    ok(await runYasr(roomy, FEATURES_ARGS), 'features after freeing space');
    expect(diffSnapshots(refSnapshot, snapshotDb(roomy))).toEqual([]);
  }, 300_000);

  it('similarity on a full disk: fails, the database stays intact, a rerun with space completes it', async (ctx) => {
    if (cannotMount) {
      ctx.skip(`cannot mount a tmpfs here (${cannotMount}): full-disk test skipped`);
      return;
    }
    const err = mountTmpfs(mnt3, '8m');
    if (err) {
      ctx.skip(`cannot mount a third tmpfs (${err})`);
      return;
    }
    const db = path.join(mnt3, 'yasr.db');
    copyFileSync(ref, db);
    // fill the filesystem, leaving 40 KiB
    const filler = fillUp(mnt3, 40 * 1024);
    const r = await runYasr(db, DTW_ARGS);
    fullSimStderr = r.stderr;
    // eslint-disable-next-line no-console
    console.log(`similarity on a full disk: exit ${r.status}; stderr: ${r.stderr.trim().split('\n').slice(0, 2).join(' / ')}`);
    expect(r.signal).toBeNull();
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/disk is full|no space/i);
    expect(integrityCheck(db)).toBe('ok');
    expect(snapshotDb(db).get('features')).toEqual(refSnapshot.get('features'));
    rmSync(filler);
    ok(await runYasr(db, DTW_ARGS), 'similarity once there is space');
    expect(diffSnapshots(refDtwSnapshot, snapshotDb(db))).toEqual([]);
    expect(blobProblems(db)).toEqual([]);
  }, 120_000);

  // A SQLite error outside a per-track try (SQLITE_FULL in the similarity stage) reaches
  // main() and is reported as one line, not as an internal error with a stack trace.
  it('similarity on a full disk says so on one line, not as an internal error', (ctx) => {
    if (fullSimStderr === null) {
      ctx.skip('the full-disk similarity test did not run');
      return;
    }
    expect(fullSimStderr).not.toMatch(/internal error/i);
    expect(fullSimStderr.trim().split('\n')).toHaveLength(1);
  });

  it('a read-only filesystem: features refuses with a clear one-line error, the database unchanged', async (ctx) => {
    if (cannotMount) {
      ctx.skip(`cannot mount a tmpfs here (${cannotMount}): read-only test skipped`);
      return;
    }
    const err = mountTmpfs(mnt2, '8m');
    if (err) {
      ctx.skip(`cannot mount a second tmpfs (${err})`);
      return;
    }
    const db = path.join(mnt2, 'yasr.db');
    copyFileSync(ing, db);
    const before = snapshotDb(db);
    const ro = spawnSync('mount', ['-o', 'remount,ro', mnt2], { encoding: 'utf8' });
    if (ro.status !== 0) {
      ctx.skip(`cannot remount read-only (${ro.stderr.trim()})`);
      return;
    }
    const r = await runYasr(db, FEATURES_ARGS);
    expect(r.signal).toBeNull();
    expect(r.status).not.toBe(0);
    expect(r.stderr).not.toMatch(/internal error/i);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/read-only|readonly/i);
    expect(diffSnapshots(before, snapshotDb(db))).toEqual([]);
  }, 120_000);
});
