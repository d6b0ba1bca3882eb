/**
 * The catalogue's ANN index (src/pipeline/similarity/ann-index.ts): built over the analysed tracks'
 * timbre_summary z-scored with a frozen fit, saved beside the database, loaded by another
 * connection, updated in place when tracks arrive, leave or are re-analysed, rebuilt when its
 * definition changes, when the catalogue moved by more than the refit fraction, or when its file
 * is damaged; a :memory: database keeps it in memory. Each backend that loads is checked.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../../src/store/db.js';
import { putFeature } from '../../../src/store/features.js';
import { markStage } from '../../../src/store/checkpoints.js';
import { annMembers, getAnnIndex } from '../../../src/store/ann.js';
import { FEATURES_STAGE } from '../../../src/pipeline/features-stage.js';
import { FEATURES_VERSION } from '../../../src/pipeline/feature-options.js';
import { annFolder, catalogueIndex, ANN_REFIT_FRACTION } from '../../../src/pipeline/similarity/ann-index.js';
import { annBackendStatus } from '../../../src/similarity/ann/index.js';
import { seededRandom } from '../../../src/util/random.js';

const dir = mkdtempSync(path.join(tmpdir(), 'yasr-ann-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BACKENDS = annBackendStatus().filter((s) => s.loaded).map((s) => s.name);
const DIM = 6;

/** Add analysed tracks with seeded random timbre_summary vectors; returns their ids. */
function addTracks(db: Db, n: number, seed: number): number[] {
  const r = seededRandom(seed);
  const ins = db.prepare('INSERT INTO tracks (sha256, artist, title) VALUES (?, ?, ?)');
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = Number(ins.run(`s${seed}-${i}`, `A${i % 5}`, `T${i}`).lastInsertRowid);
    setVector(db, id, Array.from({ length: DIM }, () => r() * 10 - 5), `sha-${id}`);
    ids.push(id);
  }
  return ids;
}

function setVector(db: Db, id: number, v: number[], inputSha: string): void {
  putFeature(db, id, 'timbre_summary', { rows: 1, cols: v.length, data: Float32Array.from(v) }, FEATURES_VERSION, 'h');
  markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: 'h', inputSha, status: 'done' });
}

function setAnalysed(db: Db, ids: number[], on: boolean): void {
  const st = db.prepare(`UPDATE checkpoints SET status = ? WHERE track_id = ? AND stage = '${FEATURES_STAGE}'`);
  for (const id of ids) st.run(on ? 'done' : 'failed', id);
}

function vectorOf(db: Db, id: number): number[] {
  const r = db.prepare("SELECT data FROM features WHERE track_id = ? AND name = 'timbre_summary'").get(id) as { data: Buffer };
  return Array.from(new Float32Array(r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength)));
}

/** Mean and population std of the listed tracks' vectors, worked out here. */
function fitOf(db: Db, ids: number[]): { mean: number[]; std: number[] } {
  const rows = ids.map((id) => vectorOf(db, id));
  const mean = Array.from({ length: DIM }, (_, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length);
  const std = Array.from({ length: DIM }, (_, k) => Math.sqrt(rows.reduce((s, r) => s + (r[k] - mean[k]) ** 2, 0) / rows.length));
  return { mean, std };
}

function files(db: Db): string[] {
  const f = annFolder(db)!;
  return existsSync(f) ? readdirSync(f).sort() : [];
}

describe.each(BACKENDS)('catalogueIndex on %s', (backend) => {
  it('builds over the analysed tracks with the fit frozen, saves beside the database, and another connection loads it', () => {
    const file = path.join(dir, `${backend}-a.db`);
    const db = openDb(file);
    const ids = addTracks(db, 40, 1);
    setAnalysed(db, [ids[3]], false);
    const live = ids.filter((id) => id !== ids[3]);
    const ci = catalogueIndex(db, { backend });
    expect(ci.report).toMatchObject({ action: 'built', reason: 'no index yet', added: 39, size: 39, backend });
    expect(ci.report.file).toBe(path.join(`${file}.ann`, path.basename(ci.report.file!)));
    expect(path.basename(ci.report.file!)).toMatch(/^timbre_summary-[0-9a-f]{16}-g1\.index$/);
    expect(files(db)).toEqual([path.basename(ci.report.file!)]);
    const row = getAnnIndex(db, 'timbre_summary')!;
    expect([...annMembers(db, row.id).keys()].sort((a, b) => a - b)).toEqual(live);
    const fit = fitOf(db, live);
    for (let k = 0; k < DIM; k++) {
      expect(row.fitMean[k]).toBeCloseTo(fit.mean[k], 10);
      expect(row.fitStd[k]).toBeCloseTo(fit.std[k], 10);
    }
    // each indexed row is the track's z-scored vector at unit length, and finds itself first
    const z = vectorOf(db, live[5]).map((x, k) => (x - fit.mean[k]) / fit.std[k]);
    const norm = Math.hypot(...z);
    const p = ci.pos.get(live[5])!;
    for (let k = 0; k < DIM; k++) expect(ci.rows[p * DIM + k]).toBeCloseTo(z[k] / norm, 6);
    expect(ci.index.search(ci.rows.subarray(p * DIM, (p + 1) * DIM), 1).keys[0]).toBe(live[5]);
    // unchanged: the same process reuses it, another connection loads the file
    expect(catalogueIndex(db, { backend }).report.action).toBe('reused');
    const other = openDb(file);
    const again = catalogueIndex(other, { backend });
    expect(again.report).toMatchObject({ action: 'loaded', added: 0, removed: 0, size: 39 });
    const q = ci.rows.subarray(0, 5 * DIM);
    expect(Array.from(again.index.search(q, 4).keys)).toEqual(Array.from(ci.index.search(q, 4).keys));
    other.close();
    db.close();
  });

  it('adds new tracks, removes those that left and replaces re-analysed ones, keeping the fit; the file moves to the next generation', () => {
    const file = path.join(dir, `${backend}-b.db`);
    const db = openDb(file);
    const ids = addTracks(db, 40, 2);
    catalogueIndex(db, { backend });
    const fit0 = getAnnIndex(db, 'timbre_summary')!;
    const more = addTracks(db, 3, 3);
    setAnalysed(db, [ids[0], ids[1]], false);
    setVector(db, ids[2], [9, 9, 9, 9, 9, 9], 'changed');
    const ci = catalogueIndex(db, { backend });
    // 3 new + 1 re-analysed added; 2 left + 1 re-analysed removed: churn 7 of 40, under 25 %
    expect(ci.report).toMatchObject({ action: 'updated', added: 4, removed: 3, size: 41 });
    const row = getAnnIndex(db, 'timbre_summary')!;
    expect(row.churn).toBe(7);
    expect(row.generation).toBe(2);
    expect(Array.from(row.fitMean)).toEqual(Array.from(fit0.fitMean));
    expect(files(db)).toEqual([path.basename(ci.report.file!)]);
    expect(path.basename(ci.report.file!)).toMatch(/-g2\.index$/);
    const members = annMembers(db, row.id);
    expect(members.has(ids[0]) || members.has(ids[1])).toBe(false);
    expect(members.get(ids[2])).toBe('h:changed');
    for (const id of more) expect(members.has(id)).toBe(true);
    expect(ci.index.has(ids[0])).toBe(false);
    // the re-analysed track is indexed with its new vector (frozen fit): it is its own nearest
    const z = [9, 9, 9, 9, 9, 9].map((x, k) => (x - fit0.fitMean[k]) / fit0.fitStd[k]);
    const norm = Math.hypot(...z);
    const p = ci.pos.get(ids[2])!;
    for (let k = 0; k < DIM; k++) expect(ci.rows[p * DIM + k]).toBeCloseTo(z[k] / norm, 6);
    expect(ci.index.search(Float32Array.from(z, (x) => x / norm), 1).keys[0]).toBe(ids[2]);
    // a fresh connection loads generation 2 with the same members
    const other = openDb(file);
    expect(catalogueIndex(other, { backend }).report).toMatchObject({ action: 'loaded', size: 41 });
    other.close();
    db.close();
  });

  it(`rebuilds with a new fit when more than ${ANN_REFIT_FRACTION * 100} % of the catalogue changed since the build, and when the definition changes`, () => {
    const file = path.join(dir, `${backend}-c.db`);
    const db = openDb(file);
    addTracks(db, 40, 4);
    catalogueIndex(db, { backend });
    addTracks(db, 10, 5); // churn 10 of 40: exactly 25 %, not over
    expect(catalogueIndex(db, { backend }).report.action).toBe('updated');
    const ids = addTracks(db, 1, 6); // 11 of 40
    const ci = catalogueIndex(db, { backend });
    expect(ci.report).toMatchObject({ action: 'built', reason: '11 tracks added or removed since it was built over 40 (over 25 %)', size: 51 });
    const row = getAnnIndex(db, 'timbre_summary')!;
    expect(row).toMatchObject({ fitted: 51, churn: 0, generation: 3 });
    const all = [...annMembers(db, row.id).keys()];
    expect(all).toContain(ids[0]);
    const fit = fitOf(db, all);
    for (let k = 0; k < DIM; k++) expect(row.fitMean[k]).toBeCloseTo(fit.mean[k], 10);
    // another features version: another definition, a new file, the old one deleted
    const v = catalogueIndex(db, { backend, featuresVersion: FEATURES_VERSION + 1 });
    expect(v.report).toMatchObject({ action: 'built', reason: 'its definition changed (vector, features version, backend or options)' });
    expect(getAnnIndex(db, 'timbre_summary')!.definition).not.toBe(row.definition);
    expect(files(db)).toEqual([path.basename(v.report.file!)]);
    db.close();
  });

  it('rebuilds when the file is damaged or missing (never reads a half file)', () => {
    const file = path.join(dir, `${backend}-d.db`);
    const db = openDb(file);
    addTracks(db, 30, 7);
    const ci = catalogueIndex(db, { backend });
    writeFileSync(ci.report.file!, Buffer.from('damaged'));
    const a = openDb(file);
    const r = catalogueIndex(a, { backend });
    expect(r.report.action).toBe('built');
    expect(r.report.reason).toMatch(/^its file does not load/);
    a.close();
    rmSync(r.report.file!);
    const b = openDb(file);
    expect(catalogueIndex(b, { backend }).report.reason).toMatch(/^its file does not load/);
    b.close();
    db.close();
  });

  it('a :memory: database keeps its index in memory only', () => {
    const db = openDb(':memory:');
    addTracks(db, 20, 8);
    expect(annFolder(db)).toBeNull();
    const ci = catalogueIndex(db, { backend });
    expect(ci.report).toMatchObject({ action: 'built', file: null, size: 20 });
    addTracks(db, 2, 9);
    expect(catalogueIndex(db, { backend }).report).toMatchObject({ action: 'updated', added: 2, file: null, size: 22 });
    expect(catalogueIndex(db, { backend }).report.action).toBe('reused');
    db.close();
  });
});
