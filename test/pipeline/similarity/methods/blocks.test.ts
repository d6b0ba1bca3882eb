/**
 * The blocks method end to end through the CLI on synthetic audio: `yasr features` stores
 * block_patterns (finite, digital silence included), `yasr similarity --method blocks` stores
 * lists and per-pattern statistics, `export-matrix` gives a symmetric matrix with a zero
 * diagonal, `yasr evaluate --method blocks` scores it on its own, and `recommend --file` (an
 * outside file, scored with the stored statistics) finds the file's own copy first.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, yasr, yasrJson } from '../../../helpers/cli.js';
import { writeWav } from '../../../../src/interop/wav-write.js';
import { synthTrack, type Timbre } from '../../../../src/demo/synth.js';
import { readNpy } from '../../../../src/interop/npy.js';
import { openDb } from '../../../../src/store/db.js';
import { featureMap } from '../../../../src/store/features.js';

describe('blocks method end to end', () => {
  const dir = tempDir();
  const db = path.join(dir, 'blocks.db');
  // three albums, each one tempo and one timbre; and a silent file
  const albums: [string, number, Timbre][] = [
    ['A', 80, 'pluck'],
    ['B', 150, 'organ'],
    ['C', 110, 'pad'],
  ];
  const files: string[] = [];

  beforeAll(() => {
    mkdirSync(path.join(dir, 'in'), { recursive: true });
    const rows = ['path,artist,title,album'];
    albums.forEach(([album, bpm, timbre], a) => {
      for (let k = 0; k < 2; k++) {
        const f = path.join(dir, 'in', `${album}${k}.wav`);
        writeWav(f, synthTrack({ seconds: 14, bpm: bpm + k, key: (a * 4 + k * 7) % 12, mode: k ? 'minor' : 'major', timbre, seed: 10 * a + k + 1 }), 22050);
        rows.push(`${f},Artist ${album}${k},Song ${album}${k},Album ${album}`);
        files.push(f);
      }
    });
    const silent = path.join(dir, 'in', 'silent.wav');
    writeWav(silent, new Float32Array(22050 * 5), 22050);
    rows.push(`${silent},Nobody,Silence,Album D`);
    writeFileSync(path.join(dir, 'in.csv'), rows.join('\n') + '\n');
    expect(yasr(db, ['ingest', path.join(dir, 'in.csv')]).status).toBe(0);
    const f = yasr(db, ['features', '--mfcc']);
    expect(f.status, f.stderr).toBe(0);
  });

  it('stores finite block_patterns for every track, silence included', () => {
    const d = openDb(db);
    const all = featureMap(d, 'block_patterns');
    d.close();
    expect(all.size).toBe(7);
    for (const v of all.values()) {
      expect([v.rows, v.cols]).toEqual([1, 3000]);
      expect(Array.from(v.data).every(Number.isFinite)).toBe(true);
    }
  });

  it('similarity, export-matrix, evaluate and recommend --file', () => {
    const s = yasrJson(db, ['similarity', '--method', 'blocks', '-k', '3']);
    expect(s.tracks).toBe(7);
    const out = path.join(dir, 'blocks.npy');
    expect(yasr(db, ['export-matrix', '--method', 'blocks', '--out', out]).status).toBe(0);
    const m = readNpy(out);
    expect(m.shape).toEqual([7, 7]);
    for (let i = 0; i < 7; i++) {
      for (let j = 0; j < 7; j++) {
        const v = m.data[i * 7 + j];
        if (i === j) expect(v).toBe(0);
        else {
          expect(v).toBeGreaterThan(0);
          expect(v).toBeLessThan(1);
          expect(v).toBeCloseTo(m.data[j * 7 + i], 6);
        }
      }
    }
    const e = yasrJson(db, ['evaluate', '--method', 'blocks', '--label', 'album', '-k', '1', '--seed', '2']);
    expect(e.methods.map((x: { method: string }) => x.method)).toEqual(['blocks']);
    const r = e.methods[0];
    expect(r.choices).toEqual(['equal weights, dsn', 'rhythm-heavy (dsp, vdsp, lfp x2), dsn', 'spectrum-heavy (sp, scp x2), dsn', 'equal weights, global z-score']);
    expect(r.queries).toBe(6); // the silent track's album has no other track
    // each album is one tempo and one timbre: the nearest track is the album's other one
    expect(r.precision).toBe(1);
    const rec = yasrJson(db, ['recommend', '--file', files[2], '--method', 'blocks', '-k', '3', '--no-exclude-same-artist', '--max-popularity', '100']);
    const titles = rec.nearest.map((x: { title: string }) => x.title);
    expect(titles[0]).toBe('Song B0');
    expect(titles[1]).toBe('Song B1');
  });
});
