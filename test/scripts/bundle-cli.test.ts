import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleCli, moduleUrlExpression } from '../../scripts/bundle-cli.js';
import { tempDir } from '../helpers/cli.js';

describe('bundle-cli', () => {
  it("rewrites import.meta.url to the module's own file, relative to the bundle", () => {
    expect(moduleUrlExpression('/r/dist/src/a/b.js', '/r/dist/cli')).toBe('new URL("../src/a/b.js", import.meta.url).href');
  });

  it('a bundled module still sees its own URL (workers, createRequire and root lookups stay right), and dynamic imports become chunks', async () => {
    const dir = tempDir();
    const src = path.join(dir, 'dist', 'src');
    mkdirSync(path.join(src, 'sub'), { recursive: true });
    writeFileSync(path.join(src, 'main.js'), "import { where } from './sub/where.js';\nexport async function main() { const later = await import('./sub/later.js'); return { main: import.meta.url, where: where(), later: later.url }; }\n");
    writeFileSync(path.join(src, 'sub', 'where.js'), 'export const where = () => import.meta.url;\n');
    writeFileSync(path.join(src, 'sub', 'later.js'), 'export const url = import.meta.url;\n');
    const out = path.join(dir, 'dist', 'cli');
    const r = await bundleCli(path.join(src, 'main.js'), out);
    expect(r.files).toBe(readdirSync(out).length);
    expect(readdirSync(out).length).toBeGreaterThan(1);
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(path.join(out, 'main.js')).href)}); process.stdout.write(JSON.stringify(await m.main()));`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      main: pathToFileURL(path.join(src, 'main.js')).href,
      where: pathToFileURL(path.join(src, 'sub', 'where.js')).href,
      later: pathToFileURL(path.join(src, 'sub', 'later.js')).href,
    });
  });
});
