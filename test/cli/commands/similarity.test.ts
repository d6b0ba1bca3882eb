/**
 * `yasr similarity --shortlist N` from the command line: bad values get one clear line, the help
 * shows the option with an example, and a shortlisted set is stored, reported by status, read by
 * recommend, refused by export-matrix (no full matrix), and run by nightly. `--candidates C`
 * likewise: bad values, the help, a stored set with its index file beside the database.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../../src/store/db.js';
import { buildSyntheticCatalogue } from '../../../benchmarks/pipeline/synthetic-catalogue.js';
import { tempDir, yasr, yasrJson } from '../../helpers/cli.js';
import { BLOCK_WEIGHTS_EXPECTED, WEIGHTS_EXPECTED } from '../../../src/pipeline/similarity/defaults.js';

const dir = tempDir();
const db = path.join(dir, 'shortlist.db');

beforeAll(() => {
  const d = openDb(db);
  buildSyntheticCatalogue(d, 24, { seed: 9 });
  d.close();
}, 60_000);

describe('yasr similarity --weights and --block-weights', () => {
  it('refuses a bad list with one line naming the option, the value and what is expected', () => {
    for (const v of ['1,1', '1,1,1,1,1', '1,-1,1', '0,0,0', '1,,1', 'a,b,c']) {
      const r = yasr(db, ['similarity', '--method', 'hybrid', '--weights', v]);
      expect(r.status, v).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([`yasr: invalid --weights: "${v}" (expected ${WEIGHTS_EXPECTED})`]);
    }
    const b = yasr(db, ['similarity', '--method', 'blocks', '--block-weights', '1,1,1']);
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toEqual([`yasr: invalid --block-weights: "1,1,1" (expected ${BLOCK_WEIGHTS_EXPECTED})`]);
  });
});

describe('yasr similarity --shortlist', () => {
  it('refuses 0, -3, abc and 2.5 with one line naming the option and the value', () => {
    for (const args of [['--shortlist', '0'], ['--shortlist', '-3'], ['--shortlist=-3'], ['--shortlist', 'abc'], ['--shortlist', '2.5']]) {
      const r = yasr(db, ['similarity', '--method', 'dtw', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      const v = args.length === 1 ? '-3' : args[1];
      expect(lines[0]).toBe(`yasr: invalid --shortlist: "${v}" (expected an integer >= 1, or "all" for every pair)`);
    }
  });

  it('--help shows the option and an example', () => {
    const r = yasr(db, ['similarity', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--shortlist <n\|all>/);
    expect(r.stdout).toContain('yasr similarity --method dtw --shortlist 50');
  });

  it('stores a shortlisted set; status, recommend and export-matrix read it as such', () => {
    const s = yasrJson(db, ['similarity', '--method', 'dtw', '--shortlist', '5', '-k', '6', '--workers', '2']);
    expect(s.params).toEqual({ method: 'dtw', feature: 'timbre_mfcc', pool: 8, band: 0.1, shortlist: 5 });
    expect(s.tracks).toBe(24);
    expect(s.pairsComputed).toBe(s.shortlistPairs);
    // at least n * N / 2 pairs, fewer than all
    expect(s.shortlistPairs).toBeGreaterThanOrEqual(60);
    expect(s.shortlistPairs).toBeLessThan(276);
    const text = yasr(db, ['similarity', '--method', 'dtw', '--shortlist', '5', '-k', '6']);
    expect(text.stdout).toBe('dtw: nothing to do (24 tracks up to date)\n');
    // "all" is the all-pairs set (its parameters have no shortlist)
    const all = yasrJson(db, ['similarity', '--method', 'dtw', '--shortlist', 'all', '-k', '6']);
    expect(all.params).toEqual({ method: 'dtw', feature: 'timbre_mfcc', pool: 8, band: 0.1 });
    expect(all.pairsComputed).toBe(276);

    const st = yasrJson(db, ['status']);
    const set = st.similarity.find((x: { params: { shortlist?: number } }) => x.params.shortlist === 5);
    expect(set).toMatchObject({ method: 'dtw', tracks: 24, k: 6, members: 24, blocks: null, pairs: s.shortlistPairs });
    expect(yasr(db, ['status']).stdout).toMatch(new RegExp(`^similarity dtw .*"shortlist":5}: 24 tracks with neighbours, k 6, .*; 24 members, ${s.shortlistPairs} pair distances stored$`, 'm'));

    const rec = yasrJson(db, ['recommend', '1', '--method', 'dtw', '--shortlist', '5', '-k', '3', '--least', '2', '--max-popularity', '100', '--no-exclude-same-artist']);
    expect(rec.params.shortlist).toBe(5);
    expect(rec.nearest).toHaveLength(3);
    expect(rec.least).toEqual([]);

    const ex = yasr(db, ['export-matrix', '--method', 'dtw', '--shortlist', '5', '--out', path.join(dir, 'm.npy')]);
    expect(ex.status).toBe(2);
    expect(ex.stderr.trim().split('\n')).toHaveLength(1);
    expect(ex.stderr).toMatch(/--shortlist 5 stores only each track's shortlisted pairs, not a full matrix: use --shortlist all/);
  }, 120_000);

  it('nightly runs a shortlisted stage from the pipeline file', () => {
    const good = path.join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ sources: [], similarity: [{ method: 'fastdtw', pool: 8, shortlist: 4 }], k: 5 }));
    const r = yasr(db, ['nightly', '--pipeline', good, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.similarity[0]).toMatchObject({ method: 'fastdtw', params: { shortlist: 4 }, tracks: 24 });
    expect(rep.similarity[0].pairsComputed).toBe(rep.similarity[0].shortlistPairs);
    const again = JSON.parse(yasr(db, ['nightly', '--pipeline', good, '--json']).stdout);
    expect(again.similarity[0].nothingToDo).toBe(true);
  }, 120_000);
});

describe('yasr similarity --candidates', () => {
  it('refuses 0, -3, abc and 2.5 with one line naming the option and the value; not with --shortlist', () => {
    for (const args of [['--candidates', '0'], ['--candidates=-3'], ['--candidates', 'abc'], ['--candidates', '2.5']]) {
      const r = yasr(db, ['similarity', '--method', 'cosine', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      const v = args.length === 1 ? '-3' : args[1];
      expect(lines[0]).toBe(`yasr: invalid --candidates: "${v}" (expected an integer >= 1, or "all" for every pair)`);
    }
    const both = yasr(db, ['similarity', '--method', 'dtw', '--shortlist', '5', '--candidates', '5']);
    expect(both.status).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
    expect(both.stderr).toMatch(/^yasr: invalid shortlist and candidates: .*both choose which pairs dtw\/fastdtw align/);
    const env = yasr(db, ['similarity', '--method', 'cosine'], { YASR_ALL_PAIRS_MAX: 'many' });
    expect(env.status).toBe(2);
    expect(env.stderr.trim()).toBe('yasr: invalid YASR_ALL_PAIRS_MAX: "many" (expected a number of tracks (an integer >= 0))');
  });

  it('--help shows the option, the threshold and an example', () => {
    const r = yasr(db, ['similarity', '--help']);
    expect(r.stdout).toMatch(/--candidates <n\|all>/);
    expect(r.stdout).toContain('yasr similarity --method hybrid --candidates 100');
    expect(r.stdout).toContain('20,000');
  });

  it('stores a candidates set and keeps the index file beside the database', () => {
    const s = yasrJson(db, ['similarity', '--method', 'hybrid', '--candidates', '4', '-k', '3']);
    expect(s.params.candidates).toBe(4);
    expect(s.tracks).toBe(24);
    expect(s.candidatePairs).toBeGreaterThanOrEqual(48);
    expect(s.candidatePairs).toBeLessThan(276);
    expect(s.annIndexes).toMatchObject([{ vector: 'timbre_summary', action: 'built', size: 24 }, { vector: 'descriptors', action: 'built', size: 24 }]);
    expect(existsSync(`${db}.ann`)).toBe(true);
    expect(readdirSync(`${db}.ann`).sort()).toEqual([expect.stringMatching(/^descriptors-[0-9a-f]{16}-g1\.index$/), expect.stringMatching(/^timbre_summary-[0-9a-f]{16}-g1\.index$/)]);
    // another method reuses a saved index (loaded: a new process)
    const c = yasrJson(db, ['similarity', '--method', 'features', '--candidates', '4', '-k', '3']);
    expect(c.annIndexes).toMatchObject([{ vector: 'descriptors', action: 'loaded', size: 24 }]);
    const rec = yasrJson(db, ['recommend', '1', '--method', 'hybrid', '--candidates', '4', '-k', '2', '--max-popularity', '100', '--no-exclude-same-artist']);
    expect(rec.params.candidates).toBe(4);
    expect(rec.nearest).toHaveLength(2);
  }, 120_000);
});
