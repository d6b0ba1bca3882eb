import { describe, it, expect, beforeAll } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { REFERENCE, tempDir, yasr, yasrJson } from '../helpers/cli.js';
import { referenceSuite } from '../helpers/reference.js';
import { readNpy } from '../../src/interop/npy.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { synthTrack, type Timbre } from '../../src/demo/synth.js';
import { openDb } from '../../src/store/db.js';

referenceSuite('similarity through the pipeline against the reference', () => {
  const dir = tempDir();
  const db = path.join(dir, 'sim.db');
  beforeAll(() => {
    yasrJson(db, ['ingest', path.join(REFERENCE, 'clips')]);
    const f = yasr(db, ['features', '--mfcc', '--trim', 'none', '--excerpt', 'full']);
    expect(f.status, f.stderr).toBe(0);
  });

  it('cosine of librosa MFCC summaries (--vector mfcc_summary --standardize none) reproduces cosine_mfcc_mean_std (1e-5 absolute)', () => {
    const out = path.join(dir, 'cos.npy');
    const r = yasr(db, ['export-matrix', '--method', 'cosine', '--vector', 'mfcc_summary', '--standardize', 'none', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const m = readNpy(out);
    const order = JSON.parse(readFileSync(out.replace(/\.npy$/, '.tracks.json'), 'utf8')).tracks.map((t: { path: string }) => path.basename(t.path, '.wav'));
    const ref = JSON.parse(readFileSync(path.join(REFERENCE, 'expected', 'manifest.json'), 'utf8')).cosine_mfcc_mean_std;
    const n = order.length;
    // 1e-5: the MFCCs themselves differ from librosa's by ~1e-4 of their peak (float32 FFT),
    // which moves a cosine of 40-value mean/std vectors by far less than that.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const a = ref.order.indexOf(order[i]);
        const b = ref.order.indexOf(order[j]);
        expect(Math.abs(m.data[i * n + j] - ref.matrix[a][b]), `${order[i]} x ${order[j]}`).toBeLessThan(1e-5);
      }
    }
  });

  it('every cosine score is finite, silence included (standardised)', () => {
    const out = path.join(dir, 'cosz.npy');
    expect(yasr(db, ['export-matrix', '--method', 'cosine', '--out', out]).status).toBe(0);
    for (const v of readNpy(out).data) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('blocked similarity is incremental and ends as a from-scratch run', () => {
  const dir = tempDir();
  const inc = path.join(dir, 'in');
  const timbres: Timbre[] = ['brass', 'pluck', 'organ', 'pad', 'square', 'sine'];
  beforeAll(() => {
    mkdirSync(inc, { recursive: true });
    for (let i = 0; i < 9; i++) {
      const y = synthTrack({ seconds: 4, bpm: 70 + 13 * i, key: (i * 5) % 12, mode: i % 2 ? 'minor' : 'major', timbre: timbres[i % 6], seed: i + 3 });
      writeWav(path.join(inc, `t${i}.wav`), y, 22050);
    }
  });

  for (const method of [['dtw'], ['fastdtw', '--radius', '2']]) {
    it(`${method[0]}: 6 tracks then 3 more equals 9 at once`, () => {
      const a = path.join(dir, `${method[0]}-a.db`);
      const b = path.join(dir, `${method[0]}-b.db`);
      const files = readdirSync(inc).sort().map((f) => path.join(inc, f));
      yasrJson(a, ['ingest', ...files.slice(0, 6)]);
      yasr(a, ['features', '--mfcc']);
      const s1 = yasrJson(a, ['similarity', '--method', ...method, '--block-size', '2', '-k', '3']);
      expect(s1.pairsComputed).toBe(15);
      yasrJson(a, ['ingest', ...files.slice(6)]);
      yasr(a, ['features', '--mfcc']);
      const s2 = yasrJson(a, ['similarity', '--method', ...method, '--block-size', '2', '-k', '3']);
      expect(s2.pairsComputed).toBe(3 * 6 + 3);
      const s3 = yasrJson(a, ['similarity', '--method', ...method, '--block-size', '2', '-k', '3']);
      expect(s3.nothingToDo).toBe(true);

      yasrJson(b, ['ingest', ...files]);
      yasr(b, ['features', '--mfcc']);
      yasrJson(b, ['similarity', '--method', ...method, '--block-size', '4', '-k', '3', '--workers', '2']);
      for (const [d, name] of [[a, 'a'], [b, 'b']]) {
        expect(yasr(d, ['export-matrix', '--method', ...method, '--out', path.join(dir, `${method[0]}-${name}.npy`)]).status).toBe(0);
      }
      const ma = readNpy(path.join(dir, `${method[0]}-a.npy`));
      const mb = readNpy(path.join(dir, `${method[0]}-b.npy`));
      expect(ma.shape).toEqual([9, 9]);
      // same track order (ids ascend in both), same distances bit for bit
      expect(Array.from(ma.data)).toEqual(Array.from(mb.data));
      const nb = (db: string) => {
        const d = openDb(db);
        const rows = d.prepare('SELECT track_id, nearest FROM neighbours ORDER BY track_id').all();
        d.close();
        return rows;
      };
      expect(nb(a)).toEqual(nb(b));
    });
  }

  it('a changed file leaves the set: its old pairs are dropped, its new analysis compared', () => {
    const db = path.join(dir, 'chg.db');
    const files = readdirSync(inc).sort().map((f) => path.join(inc, f)).slice(0, 4);
    const copy = path.join(dir, 'changing.wav');
    copyFileSync(files[0], copy);
    yasrJson(db, ['ingest', ...files.slice(1), copy]);
    yasr(db, ['features', '--mfcc']);
    yasrJson(db, ['similarity', '--method', 'dtw']);
    copyFileSync(files[3], copy); // new content at the same path
    const ing = yasrJson(db, ['ingest', copy]);
    // the new content equals files[3]'s, already a track: the path now points there
    expect(ing.duplicates + ing.changed).toBe(1);
    yasr(db, ['features', '--mfcc']);
    const s = yasrJson(db, ['similarity', '--method', 'dtw']);
    // the old content's track had no other source: it left the catalogue
    expect(s.tracks).toBe(3);
    expect(s.removed).toBe(1);
    const out = path.join(dir, 'chg.npy');
    expect(yasr(db, ['export-matrix', '--method', 'dtw', '--out', out]).status).toBe(0);
    const m = readNpy(out);
    expect(m.shape).toEqual([s.tracks, s.tracks]);
    for (const v of m.data) expect(Number.isFinite(v)).toBe(true);
  });
});
