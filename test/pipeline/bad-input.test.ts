import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync, copyFileSync, readFileSync, mkdirSync, truncateSync, statSync } from 'node:fs';
import path from 'node:path';
import { ffmpeg, tempDir, yasr, yasrJson } from '../helpers/cli.js';
import { openDb } from '../../src/store/db.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { synthTrack } from '../../src/demo/synth.js';

/**
 * Issue 2, item 7: every kind of bad input is analysed (finite values only) or recorded as
 * failed with a one-line reason naming the file; the rest of the batch completes.
 */
describe('bad input never stops a batch', () => {
  const dir = tempDir();
  const music = path.join(dir, 'in');
  const db = path.join(dir, 'bad.db');
  const good: string[] = [];

  beforeAll(() => {
    mkdirSync(music, { recursive: true });
    const y = synthTrack({ seconds: 6, bpm: 120, key: 0, mode: 'major', timbre: 'brass' });
    const ok = path.join(music, 'good.wav');
    writeWav(ok, y, 22050);
    good.push(ok);
    // paths with spaces, quotes and non-Latin letters
    for (const name of ["with space and 'quote'.ogg", 'ダンス «Привет» "x".mp3']) {
      ffmpeg(['-i', ok, path.join(music, name)]);
      good.push(path.join(music, name));
    }
    writeFileSync(path.join(music, 'zero.mp3'), '');
    writeFileSync(path.join(music, 'text.mp3'), 'this is not audio at all\n'.repeat(50));
    copyFileSync(path.join(music, "with space and 'quote'.ogg"), path.join(music, 'truncated.ogg'));
    truncateSync(path.join(music, 'truncated.ogg'), Math.floor(statSync(path.join(music, 'truncated.ogg')).size / 3));
    // a truncated mp3: the first third of a good one
    const mp3 = readFileSync(path.join(music, 'ダンス «Привет» "x".mp3'));
    writeFileSync(path.join(music, 'cut.mp3'), mp3.subarray(0, Math.floor(mp3.length / 3)));
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=black:s=32x32:d=1', '-c:v', 'ffv1', path.join(music, 'video-only.mkv')]);
    ffmpeg(['-f', 'lavfi', '-i', 'sine=f=330:d=4:r=96000', '-af', 'pan=7.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0|c6=c0|c7=c0', '-c:a', 'pcm_s24le', path.join(music, 'eight-ch-96k.wav')]);
    ffmpeg(['-f', 'lavfi', '-i', 'sine=f=660:d=0.2:r=22050', path.join(music, 'short.wav')]);
    ffmpeg(['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '5', path.join(music, 'silence.flac')]);
    // two hours, small on disk: memory must stay bounded (only the excerpt is decoded)
    ffmpeg(['-f', 'lavfi', '-i', 'sine=f=220:r=8000:d=7200', '-c:a', 'pcm_u8', path.join(music, 'two-hours.wav')]);
  });

  it('ingests and analyses the good files, records the bad ones with reasons', () => {
    const ing = yasr(db, ['ingest', music, '--json']);
    const s = JSON.parse(ing.stdout);
    const failedSources = s.failures.map((f: { source: string }) => path.basename(f.source)).sort();
    // Files ffprobe cannot read fail at ingest, with the file named in the reason.
    for (const f of s.failures) {
      expect(f.error).toContain(path.basename(f.source).slice(0, 4));
      expect(f.error.split('\n').length).toBe(1);
    }
    expect(failedSources).toEqual(expect.arrayContaining(['zero.mp3', 'text.mp3', 'video-only.mkv']));
    const feat = yasr(db, ['features', '--workers', '2', '--json']);
    const fs = JSON.parse(feat.stdout);
    // every registered track was either analysed or failed, none forgotten
    const d = openDb(db);
    const tracks = (d.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n;
    expect(fs.analysed + fs.failed).toBe(tracks);
    const analysed = d
      .prepare(`SELECT s.source FROM checkpoints c JOIN sources s ON s.track_id = c.track_id WHERE c.status = 'done'`)
      .all()
      .map((r: any) => path.basename(r.source));
    for (const g of [...good.map((p) => path.basename(p)), 'eight-ch-96k.wav', 'short.wav', 'silence.flac', 'two-hours.wav']) {
      expect(analysed, g).toContain(g);
    }
    // stored values are finite everywhere
    for (const r of d.prepare('SELECT data FROM features').all() as { data: Buffer }[]) {
      const f = new Float32Array(r.data.buffer, r.data.byteOffset, r.data.byteLength / 4);
      for (const v of f) expect(Number.isFinite(v)).toBe(true);
    }
    const failures = d.prepare(`SELECT error FROM checkpoints WHERE status = 'failed'`).all() as { error: string }[];
    for (const f of failures) expect(f.error).not.toMatch(/\n/);
    d.close();
    const st = yasrJson(db, ['status']);
    expect(st.tracks).toBe(tracks);
  });

  it('says how to install ffmpeg when none is usable', () => {
    const r = yasr(path.join(dir, 'noff.db'), ['ingest', music], {
      YASR_FFMPEG: path.join(dir, 'no-such-ffmpeg'),
    });
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/apt-get install -y ffmpeg/);
    expect(r.stderr).toMatch(/YASR_FFMPEG/);
    const r2 = yasr(path.join(dir, 'noff2.db'), ['ingest', music], { PATH: '/nonexistent', YASR_NO_BUNDLED_FFMPEG: '1' });
    expect(r2.status).toBe(4);
    expect(r2.stderr).toMatch(/no usable ffmpeg found.*--ffmpeg PATH/);
  });
});
