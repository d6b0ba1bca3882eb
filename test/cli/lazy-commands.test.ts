import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { buildProgram, commandNamed, COMMANDS } from '../../src/cli/main.js';
import { ensureBuilt, ROOT, tempDir } from '../helpers/cli.js';
import { vectorCatalogue } from '../helpers/vector-catalogue.js';

describe('lazy command loading', () => {
  it("the table's name, usage and description are each module's own (so --help lists them unloaded)", async () => {
    const all = await buildProgram('all');
    const none = await buildProgram([]);
    const term = (p: typeof all) => p.commands.map((c) => [c.name(), c.usage(), c.description()]);
    expect(term(none)).toEqual(term(all));
    expect(all.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
    expect(none.helpInformation()).toBe(all.helpInformation());
  }, 60_000);

  it('commandNamed finds the command after root options (and after help)', () => {
    const argv = (...a: string[]) => ['node', 'yasr', ...a];
    expect(commandNamed(argv('recommend', '12'))).toBe('recommend');
    expect(commandNamed(argv('--db', 'x.db', '-q', 'recommend', '--method', 'dtw'))).toBe('recommend');
    expect(commandNamed(argv('--db=x.db', '--ffmpeg', '/bin/ffmpeg', 'status'))).toBe('status');
    expect(commandNamed(argv('help', 'path'))).toBe('path');
    expect(commandNamed(argv('--help'))).toBeUndefined();
    expect(commandNamed(argv())).toBeUndefined();
  });
});

/**
 * What a run of the compiled CLI loads: the modules imported (file: and node: URLs, seen by a
 * module loader hook) and Node's built-in modules however loaded (process.moduleLoadList; the
 * hook's own thread adds worker_threads there).
 */
function modulesLoaded(args: string[]): { status: number | null; stdout: string; files: string[]; modules: string[]; builtins: string[] } {
  ensureBuilt();
  const dir = tempDir();
  const log = path.join(dir, 'loaded.txt');
  writeFileSync(
    path.join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`,
  );
  // built-in modules loaded with require (not seen by the hook) are in process.moduleLoadList
  writeFileSync(
    path.join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n` +
      `process.on('exit', () => appendFileSync(${JSON.stringify(log)}, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => 'builtin:' + m.slice(13)).join('\\n') + '\\n'));\n`,
  );
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, path.join(ROOT, 'dist', 'bin', 'yasr.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const files = lines.filter((l) => !l.startsWith('builtin:'));
  return { status: r.status, stdout: r.stdout, files, modules: files.flatMap(modulesOf), builtins: lines.filter((l) => l.startsWith('builtin:')).map((l) => l.slice(8)) };
}

/**
 * The compiled modules a loaded URL stands for: itself, or for a file of the bundled CLI
 * (dist/cli/, scripts/bundle-cli.ts) the modules bundled into it, which the bundler names in a
 * comment line each (`// dist/src/store/packs.js`), as URLs under dist/src/.
 */
function modulesOf(url: string): string[] {
  if (!url.startsWith('file:') || !url.includes('/dist/cli/')) return [url];
  const text = readFileSync(new URL(url), 'utf8');
  const inside = [...text.matchAll(/^\/\/ dist\/(src\/\S+\.js)$/gm)].map((m) => pathToFileURL(path.join(ROOT, 'dist', m[1])).href);
  expect(inside.length, `${url} names the modules bundled into it`).toBeGreaterThan(0);
  return inside;
}

describe('what a command loads', () => {
  it("no command's definition (options, help) formats a number with toLocaleString: its first call sets up ICU, 15-30 ms of every start", async () => {
    const spy = vi.spyOn(Number.prototype, 'toLocaleString');
    try {
      const program = await buildProgram('all');
      for (const c of program.commands) c.helpInformation();
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  }, 60_000);

  it('recommend for a stored track loads no decoding, DSP or similarity-run code (ffmpeg, workers, all-pairs)', () => {
    const db = path.join(tempDir(), 'r.db');
    vectorCatalogue([{ artist: 'A', title: 'one', v: [1, 0] }, { artist: 'B', title: 'two', v: [0.9, 0.1] }, { artist: 'C', title: 'three', v: [0, 1] }], db).close();
    const args = ['--db', db, 'recommend', '1', '--method', 'cosine', '--windows', 'none', '--json'];
    expect(modulesLoaded(args).status).toBe(0); // makes the packs (hashing the catalogue)
    const r = modulesLoaded(args);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).nearest[0].trackId).toBe(2);
    // after `npm run build` the bundle runs (dist/bin/yasr.js takes it when it is newer than the modules)
    const bundle = path.join(ROOT, 'dist', 'cli', 'main.js');
    const main = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
    if (existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(main).mtimeMs) expect(r.files).toContain(pathToFileURL(bundle).href);
    const ours = r.modules.filter((u) => u.includes('/dist/src/')).map((u) => u.slice(u.indexOf('/dist/src/') + '/dist/src/'.length));
    expect(ours).toContain('pipeline/recommend.js');
    // (dsp/block-layout is the block patterns' layout, which the blocks method names: no analysis)
    const unwanted = ours.filter((m) => /^(audio|ingest|plot|server|evaluate)\/|^dsp\/(?!block-layout\.js$|options\.js$)|run-similarity|sequence-stage|worker-pool|all-pairs|block-compute|features-stage|query-file|ann-index|candidates\.js/.test(m));
    expect(unwanted).toEqual([]);
    expect(r.modules.filter((u) => u.includes('pffft'))).toEqual([]);
    expect(r.modules.filter((u) => /^node:(worker_threads|http|https|zlib|crypto)$/.test(u))).toEqual([]);
    // node:crypto is not even required (hashes are made when packs are, by the first run)
    expect(r.builtins).toContain('fs');
    expect(r.builtins.filter((m) => m === 'crypto' || m.startsWith('internal/crypto/'))).toEqual([]);
  }, 60_000);
});

