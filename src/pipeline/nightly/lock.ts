import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { YasrError } from '../../errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  started: string;
  command: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/**
 * An exclusive run lock (a file beside the database, linked into place atomically). A lock whose process
 * is gone (same host) is stale: it is taken over. Otherwise wait up to `waitMs`, then refuse
 * with a message naming the holder.
 */
export async function acquireLock(file: string, command: string, waitMs = 0): Promise<{ release(): void; tookOver: LockInfo | null }> {
  const deadline = Date.now() + waitMs;
  let tookOver: LockInfo | null = null;
  for (;;) {
    // The lock appears complete or not at all: written to a private file, then hard-linked
    // into place (link fails if the name exists), so no one ever reads a half-written lock.
    const info: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command };
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    let linked = false;
    try {
      writeFileSync(tmp, JSON.stringify(info));
      linkSync(tmp, file);
      linked = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new YasrError('STORE', `cannot create lock ${file}: ${(err as Error).message}`);
      }
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        /* never created */
      }
    }
    if (linked) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const cur = readLock(file);
        if (cur?.pid === process.pid && cur.started === info.started) {
          try {
            unlinkSync(file);
          } catch {
            /* already gone */
          }
        }
      };
      process.once('exit', release);
      return { release, tookOver };
    }
    const holder = readLock(file);
    if (!holder || (holder.host === os.hostname() && !alive(holder.pid))) {
      // Stale (its process is gone) or unreadable: take it over. Rename it aside first, and
      // only if it is still the very file we judged, so that two processes taking over the
      // same stale lock cannot remove each other's fresh one.
      const aside = `${file}.stale.${process.pid}`;
      try {
        renameSync(file, aside);
        const moved = readLock(aside);
        if (moved && holder && (moved.pid !== holder.pid || moved.started !== holder.started)) {
          // a fresh lock was put in place meanwhile: give it back
          try {
            linkSync(aside, file);
          } catch {
            /* someone holds the name again */
          }
        } else tookOver = holder ?? { pid: 0, host: '?', started: '?', command: 'unreadable lock' };
        unlinkSync(aside);
      } catch {
        /* someone else took it over first */
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new YasrError(
        'LOCKED',
        `another yasr run holds ${file} (pid ${holder.pid} on ${holder.host}, "${holder.command}", since ${holder.started}); ` +
          'try again later or pass --wait SECONDS',
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
