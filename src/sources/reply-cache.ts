/**
 * Replies of catalogue APIs kept on disk with their validators (ETag, Last-Modified), one JSON
 * file per URL under `dir/<ab>/<sha256(url)>.json`. An entry younger than the caller's TTL is
 * used without asking; an older one is revalidated with If-None-Match / If-Modified-Since, so a
 * nightly re-run mostly gets 304s. Files are written to a temporary name and renamed, so a
 * killed run leaves whole entries or none. A damaged entry is ignored (and replaced).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CachedReply {
  url: string;
  body: string;
  etag: string | null;
  lastModified: string | null;
  /** When the body was last fetched or revalidated (ms since epoch). */
  storedAt: number;
}

export class ReplyCache {
  constructor(readonly dir: string) {}

  private file(url: string): string {
    const h = createHash('sha256').update(url).digest('hex');
    return path.join(this.dir, h.slice(0, 2), `${h}.json`);
  }

  get(url: string): CachedReply | undefined {
    try {
      const e = JSON.parse(readFileSync(this.file(url), 'utf8')) as CachedReply;
      if (e.url !== url || typeof e.body !== 'string' || typeof e.storedAt !== 'number') return undefined;
      return e;
    } catch {
      return undefined;
    }
  }

  put(e: CachedReply): void {
    const f = this.file(e.url);
    const tmp = `${f}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(tmp, JSON.stringify(e));
      renameSync(tmp, f);
    } catch {
      // a cache that cannot be written only costs requests next time
      try {
        unlinkSync(tmp);
      } catch {
        /* nothing to remove */
      }
    }
  }
}
