/**
 * dtw/fastdtw blocks through the task queue: a queued run (runSimilarity with queue), and two
 * workers sharing one job on two connections, store the very blocks and lists of a single run.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSyntheticCatalogue } from '../../../benchmarks/pipeline/synthetic-catalogue.js';
import { runSimilarity } from '../../../src/pipeline/similarity/run-similarity.js';
import { deriveNeighbours, syncMembers } from '../../../src/pipeline/similarity/sequence-stage.js';
import { hashOf } from '../../../src/pipeline/similarity/methods.js';
import { blockTasks } from '../../../src/pipeline/worker/block-task.js';
import { runWorker } from '../../../src/pipeline/worker/run-worker.js';
import { openDb, type Db } from '../../../src/store/db.js';
import { getOrCreateSet, iterateBlocks, pendingBlocks } from '../../../src/store/similarity.js';
import { sequenceMethod } from '../../../src/pipeline/similarity/registry.js';
import { resolveRun, sequenceOf } from '../../../src/pipeline/similarity/catalogue.js';
import { poolFrames } from '../../../src/similarity/pool.js';
import { enqueueTasks, taskCounts } from '../../../src/store/tasks.js';
import { tempDir } from '../../helpers/cli.js';

const dir = tempDir();

function catalogue(name: string): Db {
  const db = openDb(path.join(dir, name));
  buildSyntheticCatalogue(db, 9, { seed: 5 });
  return db;
}

const blocks = (db: Db) => db.prepare('SELECT set_id, i0, i1, j0, j1, data FROM sim_blocks ORDER BY set_id, i0, j0').all();
const lists = (db: Db) => db.prepare('SELECT set_id, track_id, nearest, farthest FROM neighbours ORDER BY set_id, track_id').all();

describe('sequence blocks through the task queue', () => {
  for (const method of [{ method: 'dtw' as const }, { method: 'fastdtw' as const, radius: 2, pool: 16 }]) {
    it(`${method.method}: a queued run stores the blocks and lists of a plain run`, async () => {
      const plain = catalogue(`${method.method}-plain.db`);
      const queued = catalogue(`${method.method}-queued.db`);
      const a = { k: 4, workers: 0, blockSize: 3 };
      const p = await runSimilarity(plain, method, a);
      const q = await runSimilarity(queued, method, { ...a, queue: true });
      expect(p.blocksComputed).toBe(6); // 3 x 3 blocks of 3 tracks: 3 diagonal + 3 off-diagonal
      expect(p.pairsComputed).toBe(36);
      expect({ ...q, seconds: 0 }).toEqual({ ...p, seconds: 0 });
      expect(blocks(queued)).toEqual(blocks(plain));
      expect(lists(queued)).toEqual(lists(plain));
      expect(taskCounts(queued).byKind['sim-block']).toEqual({ pending: 0, running: 0, done: 6, failed: 0 });
      // every stored distance is the method's distance of the two pooled sequences, worked out here pair by pair
      const m = sequenceMethod(method.method);
      const params = m.normalize(method);
      const spec = m.spec(params);
      const members = queued.prepare('SELECT idx, track_id FROM sim_members ORDER BY idx').all() as { idx: number; track_id: number }[];
      const seq = members.map((x) => {
        const s = sequenceOf(queued, x.track_id, m.sequence(params));
        return { dim: s.dim, seq: poolFrames(s.seq, s.dim, spec.pool ?? 1) };
      });
      let checked = 0;
      for (const b of iterateBlocks(queued, 1)) {
        let p = 0;
        for (let i = b.i0; i < b.i1; i++) {
          for (let j = b.diagonal ? i + 1 : b.j0; j < b.j1; j++, p++) {
            const d = m.distance(spec, seq[i].seq, seq[j].seq, seq[i].dim);
            expect(Math.abs(b.data[p] - d), `${i}, ${j}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(d)));
            checked++;
          }
        }
      }
      expect(checked).toBe(36);
      const again = await runSimilarity(queued, method, { ...a, queue: true });
      expect(again.nothingToDo).toBe(true);
      plain.close();
      queued.close();
    }, 120_000);
  }

  it('two workers on two connections share a job; the lists derived after are the plain run\'s', async () => {
    const plain = catalogue('share-plain.db');
    await runSimilarity(plain, { method: 'dtw' }, { k: 4, workers: 0, blockSize: 2 });
    const file = path.join(dir, 'share.db');
    const db = openDb(file);
    buildSyntheticCatalogue(db, 9, { seed: 5 });
    const { params, entries } = resolveRun(db, { method: 'dtw' });
    const set = getOrCreateSet(db, 'dtw', hashOf(params), params);
    syncMembers(db, set.id, entries, 2);
    const planned = pendingBlocks(db, set.id);
    expect(planned).toHaveLength(14); // tiles of 2, 2, 2, 2, 1 tracks: 4 diagonal blocks and 10 others
    enqueueTasks(db, 'job', blockTasks(set.id, planned), Date.now());
    const other = openDb(file);
    const w = (d: Db, owner: string) => runWorker(d, { owner, concurrency: 1, leaseMs: 60_000, exitWhenIdle: true, job: 'job', threads: false });
    const [x, y] = await Promise.all([w(db, 'X'), w(other, 'Y')]);
    expect(x.done + y.done).toBe(14);
    expect(x.failed + y.failed + x.lost + y.lost).toBe(0);
    expect(x.done).toBeGreaterThan(0);
    expect(y.done).toBeGreaterThan(0);
    const nearest = (d: Db, setId: number) => {
      const { lists: l, members } = deriveNeighbours(d, setId, 4);
      return [...l].map(([i, v]) => [members[i].trackId, v.nearest.map(([j, s]) => [members[j].trackId, s])]);
    };
    const plainSet = getOrCreateSet(plain, 'dtw', hashOf(params), params);
    expect(nearest(db, set.id)).toEqual(nearest(plain, plainSet.id));
    other.close();
    db.close();
    plain.close();
  }, 120_000);
});
