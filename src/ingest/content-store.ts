/**
 * Content-addressed file store for fetched audio: a file with SHA-256 `abcdef…` and extension
 * `mp3` lives at `storeDir/ab/abcdef….mp3`. Files arrive by an atomic rename from a temporary
 * file in `storeDir` itself (same file system), so a reader never sees half a file; temporary
 * files are named `.yasr-tmp-*.part` and can be swept with {@link removeStaleTempFiles}.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { badParameter } from '../errors.js';

const TEMP_PREFIX = '.yasr-tmp-';
const TEMP_SUFFIX = '.part';

/**
 * Lower-case an extension and keep it only if it is 1..8 letters/digits (no dots, slashes or
 * anything else a name could smuggle in).
 * @param ext with or without the leading dot
 * @returns the clean extension (no dot), or undefined
 */
export function sanitizeExtension(ext: string | undefined | null): string | undefined {
  if (!ext) return undefined;
  const e = ext.replace(/^\./, '').toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(e) ? e : undefined;
}

/**
 * Where a file with this hash and extension is stored.
 * @param sha256 64 lower-case hex digits
 * @param ext extension without dot (sanitised; 'bin' when unusable)
 */
export function contentPath(storeDir: string, sha256: string, ext: string | undefined): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw badParameter('sha256', sha256, '64 lower-case hex digits');
  const e = sanitizeExtension(ext) ?? 'bin';
  return path.join(storeDir, sha256.slice(0, 2), `${sha256}.${e}`);
}

/** A fresh temporary file name inside `storeDir` (the file is not created). */
export function tempPathIn(storeDir: string): string {
  return path.join(storeDir, `${TEMP_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
}

/**
 * Atomically move a finished temporary file (in `storeDir`) to its content path. Same content
 * already present is simply replaced by identical bytes.
 * @returns the stored path
 */
export async function commitToStore(tmpPath: string, storeDir: string, sha256: string, ext: string | undefined): Promise<string> {
  const dest = contentPath(storeDir, sha256, ext);
  await mkdir(path.dirname(dest), { recursive: true });
  await rename(tmpPath, dest);
  return dest;
}

/** SHA-256 (hex) and size of a file, read as a stream. */
export async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Move a local file (e.g. one an external downloader wrote into a temp folder) into the store.
 * Renames when `src` is on the same file system, else copies through a temp file and removes
 * `src`. On failure nothing is left in the store.
 * @param options.ext extension to store under (default: `src`'s own, sanitised)
 * @returns stored path, SHA-256 and size
 */
export async function moveFileIntoStore(
  src: string,
  storeDir: string,
  options: { ext?: string } = {},
): Promise<{ path: string; sha256: string; bytes: number }> {
  const { sha256, bytes } = await hashFile(src);
  const ext = sanitizeExtension(options.ext) ?? sanitizeExtension(path.extname(src));
  const dest = contentPath(storeDir, sha256, ext);
  await mkdir(path.dirname(dest), { recursive: true });
  try {
    await rename(src, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    const tmp = tempPathIn(storeDir);
    try {
      await copyFile(src, tmp);
      await rename(tmp, dest);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    await unlink(src).catch(() => undefined);
  }
  return { path: dest, sha256, bytes };
}

/**
 * Delete temporary files left in `storeDir` by a process that was killed mid-download.
 * @param maxAgeMs only files not modified for this long (default 24 h) are removed
 * @returns how many were removed
 */
export async function removeStaleTempFiles(storeDir: string, maxAgeMs = 24 * 3600 * 1000): Promise<number> {
  let names: string[];
  try {
    names = await readdir(storeDir);
  } catch {
    return 0;
  }
  let removed = 0;
  const now = Date.now();
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX) || !name.endsWith(TEMP_SUFFIX)) continue;
    const p = path.join(storeDir, name);
    try {
      const st = await stat(p);
      if (st.isFile() && now - st.mtimeMs >= maxAgeMs) {
        await unlink(p);
        removed++;
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return removed;
}
