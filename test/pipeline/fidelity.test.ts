import { it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HAVE_REFERENCE, REFERENCE, tempDir, yasr, yasrJson } from '../helpers/cli.js';
import { Tally, expectedArrays, npyFilesPresent, referenceSuite } from '../helpers/reference.js';
import { readNpy } from '../../src/interop/npy.js';
import { openDb } from '../../src/store/db.js';
import { getFeature } from '../../src/store/features.js';

/**
 * The whole path (ingest -> ffmpeg decode -> analysis -> SQLite -> `yasr export` -> .npy) on
 * every reference clip, against librosa 0.10.1's outputs.
 * Tolerances (same reasoning as test/dsp): librosa ran in float32 (manifest spread_f32_vs_f64
 * shows its own float32 noise up to ~1e-4 of a feature's peak); mel_db is compared in dB only
 * where the reference is more than 1 dB above its top_db floor, because at the floor a 1e-6
 * relative change of the maximum moves the clamp level of every floored cell.
 */
referenceSuite('pipeline fidelity against librosa (../shared/reference)', () => {
  const dir = tempDir();
  const db = path.join(dir, 'ref.db');
  const manifest = HAVE_REFERENCE ? JSON.parse(readFileSync(path.join(REFERENCE, 'expected', 'manifest.json'), 'utf8')) : null;
  const clips = HAVE_REFERENCE ? readdirSync(path.join(REFERENCE, 'clips')).filter((f) => f.endsWith('.wav')) : [];
  const ids = new Map<string, number>();
  const arrays = expectedArrays(clips.map((c) => c.replace(/\.wav$/, '')));
  const tally = new Tally('pipeline fidelity (ingest, decode, analyse, store, export)');

  beforeAll(() => {
    const ing = yasrJson(db, ['ingest', path.join(REFERENCE, 'clips')]);
    expect(ing.added).toBe(clips.length);
    const f = yasr(db, ['features', '--all', '--trim', 'none', '--excerpt', 'full', '--keep', 'stft,mel', '--workers', '2']);
    expect(f.status, f.stderr).toBe(0);
    const d = openDb(db);
    for (const r of d.prepare('SELECT t.id, s.source FROM tracks t JOIN sources s ON s.track_id = t.id').all() as { id: number; source: string }[]) {
      ids.set(path.basename(r.source, '.wav'), r.id);
    }
    d.close();
  });

  for (const clip of clips.map((c) => c.replace(/\.wav$/, ''))) {
    it(`${clip}: every exported feature matches librosa`, () => {
      for (const { feature: feat, file: refFile } of arrays.filter((a) => a.clip === clip)) {
        const ref = readNpy(refFile);
        // one clip goes through `yasr export` (the .npy a Python user would load); the others
        // are read from the database directly, which is what export writes out
        let got: { shape: number[]; data: Float32Array | Float64Array };
        if (clip === 'real_stk') {
          const out = path.join(dir, `${clip}.${feat}.npy`);
          const r = yasr(db, ['export', String(ids.get(clip)), '--feature', feat, '--out', out]);
          expect(r.status, r.stderr).toBe(0);
          got = readNpy(out);
        } else {
          const d = openDb(db);
          const f = getFeature(d, ids.get(clip)!, feat);
          d.close();
          expect(f, `${clip}.${feat} stored`).toBeDefined();
          got = { shape: [f!.rows, f!.cols], data: f!.data };
        }
        expect(got.shape, `${clip}.${feat} shape`).toEqual(ref.shape);
        let peak = 0;
        let refMax = -Infinity;
        for (const v of ref.data) {
          peak = Math.max(peak, Math.abs(v));
          refMax = Math.max(refMax, v);
        }
        let worst = 0;
        for (let i = 0; i < ref.data.length; i++) {
          expect(Number.isFinite(got.data[i]), `${clip}.${feat}[${i}] finite`).toBe(true);
          if (feat === 'mel_db') {
            if (ref.data[i] <= refMax - 80 + 1) continue;
            worst = Math.max(worst, Math.abs(got.data[i] - ref.data[i]));
          } else worst = Math.max(worst, Math.abs(got.data[i] - ref.data[i]) / (peak || 1));
        }
        expect(worst, `${clip}.${feat} worst error`).toBeLessThanOrEqual(feat === 'mel_db' ? 0.01 : 1e-4);
        tally.add(clip, feat, worst);
      }
    });
  }

  it('compared every array the reference promises, and every .npy file there', () => {
    expect(clips.length).toBeGreaterThan(0);
    expect(tally.count).toBe(arrays.length);
    expect(arrays.map((a) => path.basename(a.file)).sort()).toEqual(npyFilesPresent());
    console.log(`${tally.line()} (mel_db in dB above the floor; the others relative to the array's peak)`);
  });

  it('default trim finds the intervals librosa.effects.trim finds', () => {
    const db2 = path.join(dir, 'trim.db');
    yasrJson(db2, ['ingest', path.join(REFERENCE, 'clips')]);
    const f = yasr(db2, ['features', '--mfcc', '--excerpt', 'full', '--workers', '0']);
    expect(f.status, f.stderr).toBe(0);
    const d = openDb(db2);
    const rows = d
      .prepare(`SELECT s.source, f.meta FROM features f JOIN sources s ON s.track_id = f.track_id WHERE f.name = 'mfcc'`)
      .all() as { source: string; meta: string }[];
    d.close();
    expect(rows.length).toBe(clips.length);
    for (const r of rows) {
      const clip = path.basename(r.source, '.wav');
      const meta = JSON.parse(r.meta);
      const expected = manifest.clips[clip].trim as [number, number];
      if (expected[1] <= expected[0]) expect(meta.silent, clip).toBe(true);
      else expect(meta.trim, clip).toEqual(expected);
    }
  });
});
