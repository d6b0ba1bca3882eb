/**
 * Uploaded audio: streamed to a temporary file under a size limit, its type checked by content
 * (magic bytes, whatever the name or Content-Type claims), then analysed on a worker with a
 * timeout. Kept in memory (features) and on disk until added to the catalogue or expired.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-util.js';

/** The audio container a file's first bytes announce, or null. */
export function sniffAudio(head: Buffer): string | null {
  const s = (a: number, b: number) => head.subarray(a, b).toString('latin1');
  if (head.length < 12) return null;
  if (s(0, 4) === 'RIFF' && s(8, 12) === 'WAVE') return 'wav';
  if (s(0, 4) === 'fLaC') return 'flac';
  if (s(0, 4) === 'OggS') return 'ogg';
  if (s(0, 3) === 'ID3') return 'mp3';
  if (head[0] === 0xff && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x06) !== 0) return 'mp3'; // MPEG audio frame sync, layer set
  if (s(4, 8) === 'ftyp') return 'm4a';
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'webm';
  if (s(0, 4) === 'FORM' && (s(8, 12) === 'AIFF' || s(8, 12) === 'AIFC')) return 'aiff';
  if (head[0] === 0xff && (head[1] & 0xf6) === 0xf0) return 'aac'; // ADTS
  return null;
}

export interface SavedUpload {
  file: string;
  sha256: string;
  bytes: number;
  type: string;
}

/** Stream the request body to `dir`, refusing more than `max` bytes and non-audio content. */
export function saveUpload(req: IncomingMessage, dir: string, max: number): Promise<SavedUpload> {
  mkdirSync(dir, { recursive: true });
  const len = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(len) && len > max) {
    req.resume();
    return Promise.reject(new HttpError(413, `the file is larger than the ${Math.round(max / 1048576)} MiB limit`));
  }
  const tmp = path.join(dir, `upload-${randomBytes(8).toString('hex')}.part`);
  return new Promise((resolve, reject) => {
    const out = createWriteStream(tmp, { flags: 'wx' });
    const hash = createHash('sha256');
    let n = 0;
    let head = Buffer.alloc(0);
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe(out);
      req.resume();
      out.destroy();
      try {
        unlinkSync(tmp);
      } catch {
        /* not created */
      }
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (head.length < 64) head = Buffer.concat([head, c.subarray(0, 64 - head.length)]);
      if (n > max) return fail(new HttpError(413, `the file is larger than the ${Math.round(max / 1048576)} MiB limit`));
      hash.update(c);
    });
    req.on('error', (e) => fail(e));
    req.on('aborted', () => fail(new HttpError(400, 'upload aborted')));
    out.on('error', (e) => fail(e));
    out.on('finish', () => {
      if (failed) return;
      if (n === 0) return fail(new HttpError(400, 'empty upload'));
      const type = sniffAudio(head);
      if (!type) return fail(new HttpError(415, 'not an audio file (its content is none of WAV, FLAC, Ogg, MP3, MP4/M4A, WebM, AIFF, AAC)'));
      resolve({ file: tmp, sha256: hash.digest('hex'), bytes: n, type });
    });
    req.pipe(out);
  });
}

/** Remove uploads older than `maxAgeMs` that were never added. */
export function sweepUploads(dir: string, maxAgeMs: number): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const n of names) {
    if (!n.startsWith('upload-')) continue;
    const f = path.join(dir, n);
    try {
      if (now - statSync(f).mtimeMs > maxAgeMs) unlinkSync(f);
    } catch {
      /* gone */
    }
  }
}
