/**
 * `yasr evaluate --variants`: ffmpeg copies of a few tracks (other codecs, rates, gains, a 5 s
 * shift) analysed in a scratch copy of the database; each copy should find its original.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, yasr, yasrJson } from '../helpers/cli.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { synthTrack } from '../../src/demo/synth.js';
import { checkVariantOptions, VARIANT_KINDS } from '../../src/pipeline/evaluate-variants.js';

const dir = tempDir();
const db = path.join(dir, 'v.db');
// the same tracks analysed with the supervector group too
const dbSv = path.join(dir, 'v-sv.db');

beforeAll(() => {
  const music = path.join(dir, 'music');
  mkdirSync(music);
  const timbres = ['brass', 'organ', 'pluck', 'square'] as const;
  timbres.forEach((timbre, i) => {
    for (const bpm of [84, 132]) {
      writeWav(path.join(music, `${timbre}-${bpm}.wav`), synthTrack({ seconds: 14, bpm, key: (3 * i + bpm) % 12, mode: i % 2 ? 'major' : 'minor', timbre }), 22050);
    }
  });
  expect(yasrJson(db, ['ingest', music]).added).toBe(8);
  const f = yasr(db, ['features', '--workers', '1']);
  expect(f.status, f.stderr).toBe(0);
  expect(yasrJson(dbSv, ['ingest', music]).added).toBe(8);
  const g = yasr(dbSv, ['features', '--supervector', '--workers', '1']);
  expect(g.status, g.stderr).toBe(0);
}, 180_000);

describe('evaluate --variants', () => {
  it('checks its options: kinds by name, a positive count', () => {
    expect(checkVariantOptions({}).map((k) => k.name)).toEqual(VARIANT_KINDS.map((k) => k.name));
    expect(() => checkVariantOptions({ kinds: ['mp3-64k', 'wma'] })).toThrow(/invalid --variant-kinds: "wma" \(expected mp3-64k, /);
    expect(() => checkVariantOptions({ count: 0 })).toThrow(/invalid --variants: 0/);
  });

  it('copies of every kind are made, analysed and scored per method; misses are named; the catalogue is unchanged; no NaN', () => {
    const before = statSync(db).mtimeMs;
    const tracksBefore = yasrJson(db, ['status']).tracks;
    const r = yasrJson(db, ['evaluate', '--variants', '3', '--method', 'cosine,timbre,hybrid,dtw', '--workers', '1']);
    expect(r.originals).toBe(3);
    expect(r.kinds).toEqual(VARIANT_KINDS.map((k) => k.name));
    // analysed with the default groups: one row per method, its defaults
    expect(r.groups).toEqual([]);
    expect(r.methods.map((m: { method: string }) => m.method)).toEqual(['cosine', 'timbre', 'hybrid', 'dtw']);
    expect(r.methods[1].params).toEqual({ method: 'timbre' });
    expect(r.failures).toEqual([]);
    for (const k of r.kinds) expect(r.made[k], k).toBe(3);
    const originals = new Set<number>();
    for (const m of r.methods) {
      expect(m.nonFinite, m.method).toBe(0);
      const copies = 3 * VARIANT_KINDS.length;
      expect(m.all.queries, m.method).toBe(copies);
      expect(m.all.rate, m.method).toBeCloseTo(m.all.hits / copies, 12);
      expect(m.misses, m.method).toHaveLength(copies - m.all.hits);
      let hits = 0;
      for (const k of r.kinds) {
        expect(m.byKind[k].queries, `${m.method} ${k}`).toBe(3);
        hits += m.byKind[k].hits;
        expect(m.misses.filter((x: [string, number, number]) => x[0] === k)).toHaveLength(3 - m.byKind[k].hits);
      }
      expect(hits).toBe(m.all.hits);
      for (const [kind, orig, found] of m.misses) {
        expect(r.kinds).toContain(kind);
        originals.add(orig);
        expect(found).not.toBe(orig);
        expect(found).toBeGreaterThan(0);
      }
    }
    // DTW aligns the frames themselves: every copy of these synthetic tracks finds its original
    expect(r.methods.find((m: { method: string }) => m.method === 'dtw').all.rate).toBe(1);
    expect(originals.size).toBeLessThanOrEqual(3);
    expect(yasrJson(db, ['status']).tracks).toBe(tracksBefore);
    expect(statSync(db).mtimeMs).toBe(before);
  }, 300_000);

  it('copies from a catalogue analysed with the supervector are analysed with it too, and timbre with the supervector gets its own row', () => {
    const r = yasrJson(dbSv, ['evaluate', '--variants', '2', '--variant-kinds', 'mp3-64k,gain-6dB', '--method', 'timbre,cosine', '--workers', '1']);
    expect(r.failures).toEqual([]);
    expect(r.groups).toEqual(['supervector']);
    expect(r.methods.map((m: { method: string }) => m.method)).toEqual(['timbre', 'timbre (mutual proximity, with the supervector)', 'cosine']);
    expect(r.methods[1].params).toEqual({ method: 'timbre', mp: true, supervector: true });
    for (const m of r.methods) {
      // every copy was scored: with the supervector too, so the copies have it
      expect(m.all.queries, m.method).toBe(4);
      expect(m.nonFinite, m.method).toBe(0);
    }
    const t = yasr(dbSv, ['evaluate', '--variants', '2', '--variant-kinds', 'mp3-64k', '--method', 'timbre', '--workers', '1']);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^copies analysed with the default feature groups and supervector \(as the catalogue\)$/m);
    expect(t.stdout).toMatch(/^method {47}all {4}mp3-64k {2}NaN$/m);
    expect(t.stdout).toMatch(/^timbre \(mutual proximity, with the supervector\)\s+\d+%\s+\d+%\s+0$/m);
  }, 300_000);

  it('prints a table per method and kind', () => {
    const r = yasr(db, ['evaluate', '--variants', '2', '--variant-kinds', 'mp3-64k,shift-5s', '--method', 'dtw', '--workers', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^self-retrieval: copies of 2 tracks/m);
    expect(r.stdout).toMatch(/^method\s+all\s+mp3-64k\s+shift-5s\s+NaN$/m);
    expect(r.stdout).toMatch(/^dtw\s+100%\s+100%\s+100%\s+0$/m);
    expect(r.stdout).toMatch(/^copies analysed per kind: mp3-64k 2, shift-5s 2$/m);
    expect(readdirSync(path.dirname(db)).filter((f) => f.startsWith('scratch'))).toEqual([]);
  }, 300_000);
});
