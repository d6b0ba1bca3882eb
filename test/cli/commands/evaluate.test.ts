/**
 * `yasr evaluate` from the command line: `--candidates N` (bad values get one clear line; the
 * recall table and its JSON, values checked in test/pipeline/evaluate-recall.test.ts) and the
 * precision table's query counts.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../src/store/db.js';
import { buildSyntheticCatalogue } from '../../../benchmarks/pipeline/synthetic-catalogue.js';
import { tempDir, yasr, yasrJson } from '../../helpers/cli.js';

const dir = tempDir();
const db = path.join(dir, 'recall.db');

beforeAll(() => {
  const d = openDb(db);
  buildSyntheticCatalogue(d, 16, { seed: 3 });
  d.close();
}, 60_000);

describe('yasr evaluate --candidates', () => {
  it('refuses 0 and abc with one line', () => {
    for (const v of ['0', 'abc']) {
      const r = yasr(db, ['evaluate', '--candidates', v]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^yasr: invalid --candidates: "${v}"`));
    }
    const m = yasr(db, ['evaluate', '--candidates', '5', '--method', 'cosine,nope']);
    expect(m.status).toBe(2);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints recall@k per method, and the same as JSON', () => {
    const j = yasrJson(db, ['evaluate', '--candidates', '15', '--method', 'cosine,features', '-k', '4']);
    expect(j).toMatchObject({ candidates: 15, k: 4 });
    expect(j.methods.map((m: { method: string }) => m.method)).toEqual(['cosine', 'features']);
    // 15 = n - 1: every pair is a candidate, recall 1
    for (const m of j.methods) expect(m).toMatchObject({ recall: 1, worstTrack: 1, perfectTracks: 16, tracks: 16, allPairs: 120 });
    const t = yasr(db, ['evaluate', '--candidates', '3', '--method', 'cosine', '-k', '4']);
    expect(t.status, t.stderr).toBe(0);
    const lines = t.stdout.trim().split('\n');
    expect(lines[0]).toBe('recall@4 of 3 candidates + exact re-ranking against all pairs');
    expect(lines[2]).toMatch(/^cosine\s+[01]\.\d{3}\s+[01]\.\d{3}\s+\d+\/16\s+\d+ of 120\s+stored\s+\d+\.\d s$/);
  }, 120_000);
});


describe('yasr evaluate (precision)', () => {
  it('names the queries of both figures: without and with the artist filter', () => {
    const j = yasrJson(db, ['evaluate', '--no-held-out', '--method', 'cosine']);
    const m = j.methods[0];
    const t = yasr(db, ['evaluate', '--no-held-out', '--method', 'cosine']);
    expect(t.status, t.stderr).toBe(0);
    const lines = t.stdout.trim().split('\n');
    expect(lines[2]).toMatch(/queries without \/ with the filter$/);
    const row = lines.find((l) => l.startsWith('cosine'))!;
    expect(row.endsWith(` ${m.unfiltered.queries} / ${m.artistFiltered.queries}`), row).toBe(true);
  }, 120_000);
});

