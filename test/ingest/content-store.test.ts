import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contentPath,
  hashFile,
  moveFileIntoStore,
  removeStaleTempFiles,
  sanitizeExtension,
  tempPathIn,
} from '../../src/ingest/content-store.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-store-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const H = 'ab'.repeat(32);

describe('content store', () => {
  it('sanitises extensions', () => {
    expect(sanitizeExtension('.MP3')).toBe('mp3');
    expect(sanitizeExtension('flac')).toBe('flac');
    for (const bad of ['', '.', '../x', 'a/b', 'toolongext', 'mp3 ', 'm.p3', undefined, null]) expect(sanitizeExtension(bad)).toBeUndefined();
  });

  it('builds storeDir/ab/<sha256>.<ext> paths and refuses anything but a hash', () => {
    expect(contentPath('/s', H, 'mp3')).toBe(`/s/ab/${H}.mp3`);
    expect(contentPath('/s', H, '../../x')).toBe(`/s/ab/${H}.bin`);
    expect(() => contentPath('/s', '../../etc/passwd', 'mp3')).toThrow(/sha256/);
    expect(() => contentPath('/s', H.toUpperCase(), 'mp3')).toThrow(/sha256/);
  });

  it('moves a file in under its hash and removes the source', async () => {
    const src = path.join(dir, 'Song.OPUS');
    const data = Buffer.from('some audio bytes');
    writeFileSync(src, data);
    const store = path.join(dir, 'store');
    const r = await moveFileIntoStore(src, store);
    const sha = createHash('sha256').update(data).digest('hex');
    expect(r).toEqual({ path: path.join(store, sha.slice(0, 2), `${sha}.opus`), sha256: sha, bytes: data.length });
    expect(existsSync(src)).toBe(false);
    expect(await hashFile(r.path)).toEqual({ sha256: sha, bytes: data.length });
  });

  it('sweeps only stale temporary files', async () => {
    const old = tempPathIn(dir);
    const fresh = tempPathIn(dir);
    writeFileSync(old, 'x');
    writeFileSync(fresh, 'y');
    writeFileSync(path.join(dir, 'keep.part'), 'z');
    const past = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(old, past, past);
    expect(await removeStaleTempFiles(dir)).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([path.basename(fresh), 'keep.part'].sort());
    expect(await removeStaleTempFiles(path.join(dir, 'missing'))).toBe(0);
  });
});
