/**
 * `yasr features --queue` in one process (runFeatures with queue: the pending tracks become
 * tasks, and the run analyses them as a worker): the stored features are byte for byte those of
 * a plain run on another database, a missing file fails with its reason (task and checkpoint in one
 * go), and a second queued run finds nothing to do.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../src/audio/ffmpeg.js';
import { synthTrack, type Timbre } from '../../../src/demo/synth.js';
import { writeWav } from '../../../src/interop/wav-write.js';
import { DEFAULT_FEATURE_OPTIONS } from '../../../src/pipeline/feature-options.js';
import { runFeatures } from '../../../src/pipeline/features-stage.js';
import { ingest } from '../../../src/pipeline/ingest.js';
import { getCheckpoint } from '../../../src/store/checkpoints.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { taskCounts } from '../../../src/store/tasks.js';
import { tempDir } from '../../helpers/cli.js';

const dir = tempDir();
const files: string[] = [];
const timbres: Timbre[] = ['brass', 'pluck', 'organ', 'pad'];

beforeAll(() => {
  for (let i = 0; i < 5; i++) {
    const f = path.join(dir, `t${i}.wav`);
    writeWav(f, synthTrack({ seconds: 3, bpm: 80 + 17 * i, key: (i * 7) % 12, mode: i % 2 ? 'minor' : 'major', timbre: timbres[i % 4], seed: i + 11 }), 22050);
    files.push(f);
  }
});

async function catalogue(name: string): Promise<Db> {
  const db = openDb(path.join(dir, name));
  await ingest(db, files, { tools: findFfmpeg(), storeDir: path.join(dir, `${name}-audio`) });
  return db;
}

const options = { ...DEFAULT_FEATURE_OPTIONS, groups: ['mfcc', 'descriptors'] as typeof DEFAULT_FEATURE_OPTIONS.groups };

function featureRows(db: Db) {
  return db.prepare('SELECT track_id, name, version, params_hash, rows, cols, data, meta FROM features ORDER BY track_id, name').all();
}

describe('runFeatures through the task queue', () => {
  it('stores what a plain run stores; the missing file fails with one line in the task and the checkpoint', async () => {
    const plain = await catalogue('plain.db');
    const queued = await catalogue('queued.db');
    // the last file goes away after ingest: its analysis fails (in both)
    rmSync(files[4]);
    const ffmpeg = findFfmpeg().ffmpeg;
    const p = await runFeatures(plain, { ffmpeg, options, workers: 0 });
    const q = await runFeatures(queued, { ffmpeg, options, workers: 0, queue: true });
    expect(p).toMatchObject({ analysed: 4, failed: 1, skipped: 0 });
    expect({ analysed: q.analysed, failed: q.failed, skipped: q.skipped }).toEqual({ analysed: p.analysed, failed: p.failed, skipped: p.skipped });
    expect(q.failures.map((f) => [f.trackId, f.path])).toEqual(p.failures.map((f) => [f.trackId, f.path]));
    for (const f of q.failures) expect(f.error).not.toContain('\n');
    const rows = featureRows(queued);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(featureRows(plain));
    const counts = taskCounts(queued).byKind.features!;
    expect(counts).toEqual({ pending: 0, running: 0, done: 4, failed: 1 });
    for (const f of q.failures) {
      const c = getCheckpoint(queued, f.trackId, 'features')!;
      expect(c.status).toBe('failed');
      expect(c.error).toBe(f.error);
    }
    // nothing pending: no job, nothing to do (the failed track stays failed without --retry-failed)
    const again = await runFeatures(queued, { ffmpeg, options, workers: 0, queue: true });
    expect(again).toMatchObject({ analysed: 0, failed: 0 });
    expect(taskCounts(queued).total.done).toBe(4);
    plain.close();
    queued.close();
  }, 120_000);
});
