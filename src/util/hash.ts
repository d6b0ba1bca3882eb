import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';

// node:crypto is loaded on the first hash, not with this module: start-up of a command that never
// hashes (a stored-track recommend) does not pay for it
const require = createRequire(import.meta.url);
const sha256 = (): Hash => (require('node:crypto') as typeof import('node:crypto')).createHash('sha256');

/** sha256 of a file's bytes, streamed (hex). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = sha256();
    createReadStream(file)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** A short stable hash of parameters (key order independent). */
export function paramsHash(params: unknown): string {
  return sha256().update(stableJson(params)).digest('hex').slice(0, 16);
}

export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
