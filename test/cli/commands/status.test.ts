/**
 * `yasr status` reports every similarity result set as it is: the neighbour lists stored for
 * vector methods (cosine, timbre, features, hybrid) as well as the blocks of dtw/fastdtw, and it
 * names the ffmpeg in use.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../src/store/db.js';
import { buildSyntheticCatalogue } from '../../../benchmarks/pipeline/synthetic-catalogue.js';
import { tempDir, yasr, yasrJson } from '../../helpers/cli.js';

const dir = tempDir();
const db = path.join(dir, 'status.db');

beforeAll(() => {
  const d = openDb(db);
  buildSyntheticCatalogue(d, 36, { seed: 3 });
  d.close();
}, 60_000);

describe('yasr status', () => {
  it('after similarity --method hybrid and dtw: every set with its tracks, k and (dtw) blocks', () => {
    const h = yasrJson(db, ['similarity', '--method', 'hybrid']);
    expect(h.tracks).toBe(36);
    expect(yasr(db, ['similarity', '--method', 'dtw']).status).toBe(0);
    const st = yasrJson(db, ['status']);
    const hybrid = st.similarity.find((s: { method: string }) => s.method === 'hybrid');
    expect(hybrid).toMatchObject({ method: 'hybrid', tracks: 36, k: 50, members: null, blocks: null });
    expect(hybrid.finishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const dtw = st.similarity.find((s: { method: string }) => s.method === 'dtw');
    expect(dtw.tracks).toBe(36);
    expect(dtw.members).toBe(36);
    expect(dtw.blocks.done).toBe(dtw.blocks.planned);
    expect(dtw.blocks.planned).toBeGreaterThan(0);
    const text = yasr(db, ['status']).stdout;
    expect(text).toMatch(/^similarity hybrid .*: 36 tracks with neighbours, k \d+, updated \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/m);
    expect(text).toMatch(/^similarity dtw .*: 36 tracks with neighbours, k \d+, updated .* UTC; 36 members, (\d+) of \1 blocks$/m);
  }, 120_000);

  it('names the ffmpeg in use and its version', () => {
    const st = yasrJson(db, ['status']);
    expect(st.ffmpeg.path).toMatch(/ffmpeg$/);
    expect(st.ffmpeg.version).toMatch(/\S/);
    expect(['system', 'bundled', 'env', 'option']).toContain(st.ffmpeg.origin);
    expect(yasr(db, ['status']).stdout).toMatch(/^ffmpeg \S+.* at \/\S+ \((system|bundled fallback, outdated|YASR_FFMPEG)\)$/m);
  });
});
