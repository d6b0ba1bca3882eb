import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, yasr } from '../helpers/cli.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { synthTrack, type Timbre } from '../../src/demo/synth.js';
import { loadPipeline } from '../../src/pipeline/nightly/definition.js';
import { ROOT } from '../helpers/cli.js';

/** Issue 8, item 5: the nightly pipeline's discover step and its report. */
describe('yasr nightly with a discover step', () => {
  const dir = tempDir();
  const db = path.join(dir, 'n.db');
  const pipeline = path.join(dir, 'weekly.json');
  const timbres: Timbre[] = ['brass', 'pluck', 'organ', 'pad', 'pluck', 'square'];

  beforeAll(() => {
    mkdirSync(path.join(dir, 'incoming'), { recursive: true });
    const rows = ['path,artist,title,release_date,popularity'];
    timbres.forEach((timbre, i) => {
      const f = path.join(dir, 'incoming', `t${i}.wav`);
      writeWav(f, synthTrack({ seconds: 6, bpm: 90 + 7 * i, key: i % 12, mode: 'major', timbre, seed: i + 1 }), 22050);
      rows.push(`${f},Artist ${i},Song ${i},${i < 4 ? '2026-11-2' + i : '2024-01-01'},${10 * i}`);
    });
    writeFileSync(path.join(dir, 'incoming.csv'), rows.join('\n') + '\n');
    writeWav(path.join(dir, 'fav.wav'), synthTrack({ seconds: 6, bpm: 97, key: 1, mode: 'major', timbre: 'pluck', seed: 40 }), 22050);
    writeFileSync(
      pipeline,
      JSON.stringify({ sources: ['incoming.csv'], similarity: [{ method: 'cosine' }], k: 5, discover: { since: '2026-11-15', k: 3, out: 'week' } }),
    );
  });

  it('writes the picks into the report and the discovery files', () => {
    const like = yasr(db, ['like', path.join(dir, 'fav.wav')]);
    expect(like.status, like.stderr).toBe(0);
    expect(like.stdout).toMatch(/^liked: #1 /);
    const r = yasr(db, ['nightly', '--pipeline', pipeline, '--workers', '0', '--json'], { YASR_TODAY: '2026-11-29T00:00:00Z' });
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.discover.candidates).toBe(4);
    expect(rep.discover.picks).toHaveLength(3);
    expect(rep.discover.picks[0].title).toBe('Song 1'); // the pluck released this week
    expect(existsSync(path.join(dir, 'week', 'index.html'))).toBe(true);
    const text = yasr(db, ['nightly', '--pipeline', pipeline]).stdout;
    expect(text).toMatch(/discover: 3 picks from 4 tracks released since 2026-11-15/);
    expect(text).toMatch(/1\. Artist 1 - Song 1/);
    const likes = JSON.parse(yasr(db, ['likes', '--json']).stdout);
    expect(likes).toHaveLength(1);
    expect(likes[0].via).toBe('file');
  });

  it('validates catalogue sources and the discover step with clear errors', () => {
    const bad = path.join(dir, 'bad.json');
    const cases: [unknown, RegExp][] = [
      [{ sources: ['deezer:album/abc'] }, /bad\.json: sources: invalid source: "deezer:album\/abc"/],
      [{ sources: ['x'], since: 'soon' }, /bad\.json: since: "soon"/],
      [{ sources: ['x'], maxTracks: 0 }, /bad\.json: maxTracks: 0/],
      [{ sources: ['x'], discover: { perartist: 1 } }, /bad\.json: discover\.perartist: unknown key/],
      [{ sources: ['x'], discover: { method: 'dwt' } }, /bad\.json: discover\.method: "dwt"/],
      [{ sources: ['x'], discover: { maxPopularity: 101 } }, /bad\.json: discover\.maxPopularity: 101/],
    ];
    for (const [def, re] of cases) {
      writeFileSync(bad, JSON.stringify(def));
      const r = yasr(db, ['nightly', '--pipeline', bad]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });

  it('the shipped weekly pipeline is valid and keeps catalogue specs as they are', () => {
    const def = loadPipeline(path.join(ROOT, 'pipelines', 'weekly-discover.json'));
    expect(def.sources).toEqual(['deezer:releases', 'archive:netlabels']);
    expect(def.discover?.k).toBe(20);
    expect(def.discover?.out).toBe(path.join(ROOT, 'data', 'discoveries'));
  });
});
