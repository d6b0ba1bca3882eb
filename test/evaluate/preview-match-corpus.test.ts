/**
 * The "Discover" issue's bullet: a 30 s MP3 preview (128 kb/s) cut from anywhere in a track and
 * the full track in FLAC are each other's nearest neighbour for the default method. Real music:
 * the 31 tracks of the Debian packages asc-music and drascula-music (46 MB of .debs), which
 * .ci/run fetches with `ONLY_PKGS='asc-music drascula-music' CORPUS_OUT=benchmarks/corpus/out/ci
 * bash benchmarks/corpus/build.sh`; a full corpus in benchmarks/corpus/out serves as well. Without
 * either, the test skips with a message. Every preview and full track competes with all the
 * others (62 items). The rate is printed; the assertion is a floor under the measured rate, not
 * a tuned pass: these packages were part of the set the window length and hop were chosen on
 * (held-out figures: benchmarks/RESULTS.md, "Preview matching").
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir } from '../helpers/cli.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { runPreviewMatch } from '../../src/evaluate/preview-match-run.js';

const PKGS = ['asc-music', 'drascula-music'];
const lists = [path.join(ROOT, 'benchmarks/corpus/out/ci/tracks.jsonl'), path.join(ROOT, 'benchmarks/corpus/out/tracks.jsonl')];
interface Row { path: string; duration: number; rel: string; pkg: string }
const tracks: Row[] = (() => {
  for (const f of lists) {
    if (!existsSync(f)) continue;
    const rows = readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row).filter((r) => PKGS.includes(r.pkg) && existsSync(r.path));
    if (new Set(rows.map((r) => r.pkg)).size === PKGS.length) return rows;
  }
  return [];
})();
if (!tracks.length) {
  console.warn(`preview matching on real music skipped: no ${PKGS.join(' + ')} tracks in ${lists.join(' or ')} (run .ci/run, or ONLY_PKGS='${PKGS.join(' ')}' CORPUS_OUT=benchmarks/corpus/out/ci bash benchmarks/corpus/build.sh)`);
}

describe.skipIf(!tracks.length)('a preview and its full track are each other\'s nearest neighbour (real music)', () => {
  it('with the default features and the default method (cosine)', async () => {
    const run = await runPreviewMatch({
      tracks: tracks.map((t) => ({ path: t.path, duration: t.duration, key: t.rel })),
      tools: findFfmpeg(),
      workDir: tempDir(),
      seed: 1,
      methods: [{ method: 'cosine' }],
    });
    const r = run.results[0].result;
    const fmt = (x: { hits: number; queries: number }) => `${x.hits}/${x.queries}`;
    console.log(`preview matching, ${tracks.length} tracks: preview -> full ${fmt(r.previewToFull)}, full -> preview ${fmt(r.fullToPreview)}, mutual ${fmt(r.mutual)} (${JSON.stringify(run.seconds)})`);
    expect(run.failed).toBe(0);
    expect(r.previewToFull.queries).toBe(tracks.length);
    // measured 2026-11-29: 31/31, 30/31, 30/31 (the miss: drascula track1, whose preview ranks
    // 2nd for the full track); summary-only cosine (the former default) got 24/31 mutual
    expect(r.previewToFull.rate).toBeGreaterThanOrEqual(0.95);
    expect(r.fullToPreview.rate).toBeGreaterThanOrEqual(0.9);
    expect(r.mutual.rate).toBeGreaterThanOrEqual(0.9);
  }, 600_000);
});
