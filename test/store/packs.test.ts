/**
 * Packs are never read stale: any insert, update or delete of a features or checkpoints row
 * (a deleted track's go by cascade) moves the generation on and drops them, and a pack made at
 * an older generation is not stored. Storing never waits for another writer.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { nativeBinding, openDb, schemaVersion, type Db } from '../../src/store/db.js';
import { putFeature } from '../../src/store/features.js';
import { markStage } from '../../src/store/checkpoints.js';
import { packGeneration, readPack, writePack } from '../../src/store/packs.js';
import { tempDir } from '../helpers/cli.js';
import { ENGINES, PG_SKIP, freshPgUrl, stopPg, warnSkip } from '../helpers/postgres.js';

const opened: Db[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});
afterAll(stopPg);
warnSkip();

function catalogueIn(file: string): Db {
  const db = openDb(file);
  opened.push(db);
  for (let i = 1; i <= 3; i++) {
    db.prepare('INSERT INTO tracks (id, sha256, local_path) VALUES (?, ?, ?)').run(i, `sha${i}`, `/x/${i}.wav`);
    putFeature(db, i, 'mfcc_summary', { rows: 1, cols: 2, data: Float32Array.from([i, -i]) }, 1, 'h');
    markStage(db, { trackId: i, stage: 'features', paramsHash: 'h', inputSha: `sha${i}`, status: 'done' });
  }
  return db;
}

const blob = (...bytes: number[]) => Buffer.from(bytes);

describe.each(ENGINES)('packs on $engine: stored for the generation they were made at', ({ engine, skip, fresh }) => {
  const catalogue = (file = fresh()) => catalogueIn(file);
  it.skipIf(skip)('a pack made at the current generation is read back; one made at an older generation is not stored', () => {
    const db = catalogue();
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(10);
    const g = packGeneration(db);
    expect(writePack(db, 'a', g, blob(1, 2, 3))).toBe(true);
    expect([...readPack(db, 'a')!]).toEqual([1, 2, 3]);
    expect(writePack(db, 'a', g, blob(4))).toBe(true); // replaced
    expect([...readPack(db, 'a')!]).toEqual([4]);
    expect(writePack(db, 'b', g - 1, blob(5))).toBe(false);
    expect(readPack(db, 'b')).toBeUndefined();
    expect(readPack(db, 'missing')).toBeUndefined();
  });

  const changes: [string, (db: Db) => void][] = [
    ['a feature added', (db) => putFeature(db, 1, 'descriptors', { rows: 1, cols: 1, data: Float32Array.from([0]) }, 1, 'h')],
    ['a feature replaced', (db) => putFeature(db, 2, 'mfcc_summary', { rows: 1, cols: 2, data: Float32Array.from([7, 7]) }, 1, 'h')],
    ['a feature deleted', (db) => db.prepare("DELETE FROM features WHERE track_id = 3 AND name = 'mfcc_summary'").run()],
    ['a checkpoint added', (db) => markStage(db, { trackId: 1, stage: 'other', paramsHash: 'h', inputSha: 'sha1', status: 'done' })],
    ['a checkpoint changed', (db) => markStage(db, { trackId: 2, stage: 'features', paramsHash: 'h', inputSha: 'sha2', status: 'failed', error: 'x' })],
    ['a checkpoint deleted', (db) => db.prepare("DELETE FROM checkpoints WHERE track_id = 1 AND stage = 'features'").run()],
    ['a track deleted (its rows go by cascade)', (db) => db.prepare('DELETE FROM tracks WHERE id = 3').run()],
  ];
  for (const [what, change] of changes) {
    it.skipIf(skip)(`${what}: the generation moves on and the packs are gone`, () => {
      const db = catalogue();
      const g = packGeneration(db);
      writePack(db, 'a', g, blob(1));
      change(db);
      expect(packGeneration(db)).toBeGreaterThan(g);
      expect(readPack(db, 'a')).toBeUndefined();
      expect(db.prepare('SELECT COUNT(*) FROM packs').pluck().get()).toBe(0);
      // a pack made before the change, stored after it, is refused
      expect(writePack(db, 'a', g, blob(1))).toBe(false);
      expect(readPack(db, 'a')).toBeUndefined();
    });
  }

  it.skipIf(skip)("changes to other tables (a track's metadata, ratings) leave the packs", () => {
    const db = catalogue();
    const g = packGeneration(db);
    writePack(db, 'a', g, blob(1));
    db.prepare('UPDATE tracks SET popularity = 5 WHERE id = 1').run();
    expect(packGeneration(db)).toBe(g);
    expect([...readPack(db, 'a')!]).toEqual([1]);
  });

  it.skipIf(engine !== 'sqlite')('another connection holding the write lock: nothing is stored, at once, and the lock still works after', () => {
    const file = path.join(tempDir(), 'p.db');
    const db = catalogueIn(file);
    const other = openDb(file);
    opened.push(other);
    const g = packGeneration(db);
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      expect(writePack(db, 'a', g, blob(1))).toBe(false);
    } finally {
      other.prepare('COMMIT').run();
    }
    expect(db.pragma('busy_timeout', { simple: true })).toBe(30000);
    expect(writePack(db, 'a', g, blob(1))).toBe(true);
    expect([...readPack(other, 'a')!]).toEqual([1]);
  });
});

describe.skipIf(PG_SKIP !== null)('packs on postgres: another connection', () => {
  it('a pack key another transaction is writing: nothing is stored, at once, and it is stored after', () => {
    const url = freshPgUrl();
    const db = catalogueIn(url);
    const other = openDb(url);
    opened.push(other);
    const g = packGeneration(db);
    other.prepare('BEGIN').run();
    try {
      other.prepare('INSERT INTO packs (key, generation, data) VALUES (?, ?, ?)').run('a', g, blob(9));
      expect(writePack(db, 'a', g, blob(1))).toBe(false);
    } finally {
      other.prepare('ROLLBACK').run();
    }
    expect(writePack(db, 'a', g, blob(1))).toBe(true);
    expect([...readPack(other, 'a')!]).toEqual([1]);
  });
});

describe('opening the database', () => {
  it("finds better-sqlite3's compiled addon where its build puts it (sparing the bindings package's search)", () => {
    const addon = nativeBinding();
    expect(addon).toMatch(/better-sqlite3[/\\]build[/\\]Release[/\\]better_sqlite3\.node$/);
    expect(existsSync(addon!)).toBe(true);
    const db = catalogueIn(':memory:');
    expect(db.prepare('SELECT COUNT(*) FROM tracks').pluck().get()).toBe(3);
  });
});
