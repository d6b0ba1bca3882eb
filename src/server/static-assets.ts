/**
 * The web UI's files, from a fixed list (never a path taken from the URL): src/web/index.html and
 * app.css as shipped, dist/web/app.js as compiled by `npm run build`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRoot } from '../util/worker-url.js';

const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: path.join(ROOT, 'src', 'web', 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.css': { file: path.join(ROOT, 'src', 'web', 'app.css'), type: 'text/css; charset=utf-8' },
  '/app.js': { file: path.join(ROOT, 'dist', 'web', 'app.js'), type: 'text/javascript; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

export function staticAsset(pathname: string): { body: Buffer; type: string } | null {
  const a = ASSETS[pathname];
  if (!a) return null;
  let body = cache.get(pathname);
  if (!body) {
    body = readFileSync(a.file);
    if (!process.env.YASR_DEV) cache.set(pathname, body);
  }
  return { body, type: a.type };
}
