/**
 * Serving a catalogue track's audio with HTTP range requests (seeking in the browser). Only
 * files the catalogue names are served: the request names a track id, never a path, and the
 * stored path must still be a regular file.
 */
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http-util.js';

const TYPES: Record<string, string> = {
  mp3: 'audio/mpeg', m4a: 'audio/mp4', mp4: 'audio/mp4', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', ogg: 'audio/ogg',
  oga: 'audio/ogg', opus: 'audio/ogg', webm: 'audio/webm', aiff: 'audio/aiff', aif: 'audio/aiff', wma: 'audio/x-ms-wma', mka: 'audio/x-matroska',
};

export function audioType(file: string): string {
  return TYPES[path.extname(file).slice(1).toLowerCase()] ?? 'application/octet-stream';
}

/** Parse one `bytes=a-b` range (suffix and open ranges too) against `size`; null = whole file. */
export function parseRange(h: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!h) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(h.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'invalid';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || start > end || start >= size) return 'invalid';
  return { start, end };
}

export function serveAudio(req: IncomingMessage, res: ServerResponse, file: string | null): void {
  if (!file) throw new HttpError(404, 'this track has no audio file');
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new HttpError(404, 'the audio file is gone');
  }
  if (!st.isFile()) throw new HttpError(404, 'the audio file is gone');
  const range = parseRange(req.headers.range, st.size);
  const head = { 'content-type': audioType(file), 'accept-ranges': 'bytes', 'cache-control': 'private, max-age=3600', 'x-content-type-options': 'nosniff' };
  if (range === 'invalid') {
    res.writeHead(416, { ...head, 'content-range': `bytes */${st.size}` });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: st.size - 1 };
  res.writeHead(range ? 206 : 200, { ...head, 'content-length': end - start + 1, ...(range ? { 'content-range': `bytes ${start}-${end}/${st.size}` } : {}) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file, { start, end });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
