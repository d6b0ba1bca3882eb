import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * The compiled JavaScript file for a worker module that sits beside `fromUrl`.
 * Worker threads need JavaScript: when yasr runs from the TypeScript sources (vitest), the
 * worker is taken from `dist/` (run `npm run build` first); from `dist/` it is the sibling file.
 */
export function workerFile(fromUrl: string, baseName: string): string {
  const here = fileURLToPath(fromUrl);
  const dir = path.dirname(here);
  const sibling = path.join(dir, `${baseName}.js`);
  if (here.endsWith('.js')) return sibling;
  const root = findRoot(dir);
  const rel = path.relative(root, dir);
  const compiled = path.join(root, 'dist', rel, `${baseName}.js`);
  if (!existsSync(compiled)) {
    throw new Error(`worker ${compiled} is missing: run "npm run build" first`);
  }
  return compiled;
}

/** The folder of yasr's package.json at or above `dir` (`dir` itself when there is none). */
export function findRoot(dir: string): string {
  let d = dir;
  while (!existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) return dir;
    d = up;
  }
  return d;
}
