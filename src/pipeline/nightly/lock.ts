import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';
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
 * An exclusive run lock (a file created with O_EXCL beside the database). A lock whose process
 * is gone (same host) is stale: it is taken over. Otherwise wait up to `waitMs`, then refuse
 * with a message naming the holder.
 */
export async function acquireLock(file: string, command: string, waitMs = 0): Promise<{ release(): void; tookOver: LockInfo | null }> {
  const deadline = Date.now() + waitMs;
  let tookOver: LockInfo | null = null;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      const info: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), command };
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const cur = readLock(file);
        if (cur?.pid === process.pid) {
          try {
            unlinkSync(file);
          } catch {
            /* already gone */
          }
        }
      };
      process.once('exit', release);
      return { release, tookOver };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new YasrError('STORE', `cannot create lock ${file}: ${(err as Error).message}`);
      }
    }
    const holder = readLock(file);
    if (!holder || (holder.host === os.hostname() && !alive(holder.pid))) {
      // stale (killed run) or unreadable half-written lock: take it over
      tookOver = holder;
      try {
        unlinkSync(file);
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
