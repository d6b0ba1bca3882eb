import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { YasrError } from '../../src/errors.js';
import { splitCommandTemplate, substitutePlaceholders } from '../../src/ingest/command-template.js';
import { killRunningDownloaders, runDownloaderCommand, type DownloaderOptions } from '../../src/ingest/downloader-command.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'yasr-downloader-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A fake downloader: `fake.mjs MODE QUERY OUT`. It logs its argv and cwd to $FAKE_LOG, then
 * behaves according to MODE.
 */
const FAKE = path.join(root, 'fake.mjs');
writeFileSync(
  FAKE,
  `import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
const [mode, query, outArg] = process.argv.slice(2);
const out = outArg ?? process.cwd();
fs.writeFileSync(process.env.FAKE_LOG, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd() }));
const put = (rel, n) => { fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true }); fs.writeFileSync(path.join(out, rel), Buffer.alloc(n, 7)); };
switch (mode) {
  case 'write':
    put(query.replace(/[\\\\/]/g, '_') + '.mp3', 5000);
    put('small.opus', 100);
    put('cover.jpg', 90000);
    put('big.webm.part', 900000);
    console.log('[download] 100%');
    break;
  case 'nested':
    put('Artist/Album/01 track.flac', 3000);
    break;
  case 'cwd':
    fs.writeFileSync(path.join(process.cwd(), 'here.m4a'), Buffer.alloc(1234, 1));
    break;
  case 'fail':
    process.stdout.write('[youtube] searching\\n');
    process.stderr.write('\\u001b[0;31mERROR:\\u001b[0m [youtube] abc: Video unavailable\\nsecond line\\n');
    process.exit(3);
  case 'fail-stdout':
    console.log('An error occurred: no results for this song');
    process.exit(1);
  case 'nothing':
    console.log('nothing found');
    break;
  case 'junk':
    put('thumb.jpg', 500);
    put('song.mp3.part', 500);
    put('empty.mp3', 0);
    break;
  case 'symlink':
    fs.symlinkSync(process.env.OUTSIDE, path.join(out, 'escape.mp3'));
    fs.symlinkSync(path.dirname(process.env.OUTSIDE), path.join(out, 'dirlink'));
    break;
  case 'sleep': {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    fs.writeFileSync(process.env.FAKE_PIDS, JSON.stringify([process.pid, child.pid]));
    if (query === 'ignore-term') process.on('SIGTERM', () => {});
    setInterval(() => {}, 1000);
    break;
  }
}
`,
);

const LOG = path.join(root, 'log.json');
const PIDS = path.join(root, 'pids.json');
const OUTSIDE = path.join(root, 'outside', 'secret.mp3');
mkdirSync(path.dirname(OUTSIDE), { recursive: true });
writeFileSync(OUTSIDE, Buffer.alloc(99999, 3));

const node = `'${process.execPath}' '${FAKE}'`;
const tpl = (mode: string): string => `${node} ${mode} {query} {out}`;

let tmpDir = '';
let storeDir = '';
beforeEach(() => {
  tmpDir = mkdtempSync(path.join(root, 'tmp-'));
  storeDir = path.join(mkdtempSync(path.join(root, 'store-')), 'store');
  rmSync(LOG, { force: true });
});

function opts(extra: Partial<DownloaderOptions> = {}): DownloaderOptions {
  return {
    tmpDir,
    timeoutMs: 20_000,
    env: { ...process.env, FAKE_LOG: LOG, FAKE_PIDS: PIDS, OUTSIDE },
    ...extra,
  };
}

const log = (): { argv: string[]; cwd: string } => JSON.parse(readFileSync(LOG, 'utf8'));

async function failure(p: Promise<unknown>): Promise<YasrError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(YasrError);
    return err as YasrError;
  }
  throw new Error('expected a failure');
}

/** Running (a zombie waiting to be reaped by init counts as dead). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

describe('runDownloaderCommand', () => {
  it('runs the template with {query} and {out} as single argv entries and picks the largest audio file', async () => {
    const r = await runDownloaderCommand(tpl('write'), { line: 7, query: 'Daft Punk - Veridis Quo' }, opts());
    const l = log();
    expect(l.argv[0]).toBe('write');
    expect(l.argv[1]).toBe('Daft Punk - Veridis Quo');
    expect(r.outDir).toBeDefined();
    expect(l.argv[2]).toBe(r.outDir);
    expect(l.cwd).toBe(r.outDir);
    expect(path.basename(r.path)).toBe('Daft Punk - Veridis Quo.mp3');
    expect(r.bytes).toBe(5000);
    expect(r.files).toEqual(['Daft Punk - Veridis Quo.mp3', 'small.opus']);
    expect(r.sha256).toBeUndefined();
    await r.cleanup();
    expect(existsSync(r.outDir!)).toBe(false);
  });

  it('with storeDir: moves the file into the content store and removes the temp folder', async () => {
    const r = await runDownloaderCommand(tpl('write'), { query: 'x' }, opts({ storeDir }));
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.path).toBe(path.join(storeDir, r.sha256!.slice(0, 2), `${r.sha256}.mp3`));
    expect(readFileSync(r.path).length).toBe(5000);
    expect(r.outDir).toBeUndefined();
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('uses "artist - title" when the row has no query', async () => {
    await runDownloaderCommand(tpl('write'), { artist: 'Кино', title: 'Группа крови 🎸' }, opts({ storeDir }));
    expect(log().argv[1]).toBe('Кино - Группа крови 🎸');
  });

  it('passes shell metacharacters and quotes literally, never through a shell', async () => {
    const q = `Robert'); DROP TABLE tracks;-- $(touch pwned) \`id\` "x" | cat > y & *`;
    const r = await runDownloaderCommand(tpl('write'), { query: q }, opts({ storeDir }));
    expect(log().argv[1]).toBe(q);
    expect(existsSync(path.join(process.cwd(), 'pwned'))).toBe(false);
    expect(existsSync(path.join(root, 'pwned'))).toBe(false);
    expect(r.bytes).toBe(5000);
  });

  it('finds files in sub-folders, and runs in {out} when the template has no {out}', async () => {
    const a = await runDownloaderCommand(tpl('nested'), { query: 'q' }, opts());
    expect(a.files).toEqual([path.join('Artist', 'Album', '01 track.flac')]);
    await a.cleanup();
    const b = await runDownloaderCommand(`${node} cwd {query}`, { query: 'q' }, opts());
    expect(path.basename(b.path)).toBe('here.m4a');
    await b.cleanup();
  });

  it('non-zero exit: NETWORK error naming the row, with the stderr tail (colour codes removed)', async () => {
    const e = await failure(runDownloaderCommand(tpl('fail'), { line: 12, query: 'Some Song' }, opts()));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toBe('line 12 "Some Song": downloader exited with status 3: ERROR: [youtube] abc: Video unavailable | second line');
    expect(e.details?.exitCode).toBe(3);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('uses the stdout tail when stderr is empty', async () => {
    const e = await failure(runDownloaderCommand(tpl('fail-stdout'), { query: 'q' }, opts()));
    expect(e.message).toMatch(/exited with status 1: An error occurred: no results for this song$/);
  });

  it('no file produced: BAD_INPUT, temp folder removed', async () => {
    const e = await failure(runDownloaderCommand(tpl('nothing'), { line: 3, query: 'Unfindable' }, opts()));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toBe('line 3 "Unfindable": the downloader produced no audio file: nothing found');
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('ignores thumbnails, partial and empty files', async () => {
    const e = await failure(runDownloaderCommand(tpl('junk'), { query: 'q' }, opts()));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/no audio file \(found only: /);
    expect(e.message).toMatch(/thumb\.jpg/);
  });

  it('never follows symbolic links out of {out}', async () => {
    const e = await failure(runDownloaderCommand(tpl('symlink'), { query: 'q' }, opts({ storeDir })));
    expect(e.code).toBe('BAD_INPUT');
    expect(existsSync(OUTSIDE)).toBe(true);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('timeout: kills the downloader and its children, NETWORK error, temp folder removed', async () => {
    rmSync(PIDS, { force: true });
    const e = await failure(runDownloaderCommand(tpl('sleep'), { line: 9, query: 'slow' }, opts({ timeoutMs: 1500, killGraceMs: 200 })));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toBe('line 9 "slow": downloader timed out after 1.5 s');
    const pids = JSON.parse(readFileSync(PIDS, 'utf8')) as number[];
    for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('timeout: a downloader that ignores SIGTERM gets SIGKILL', async () => {
    rmSync(PIDS, { force: true });
    const e = await failure(
      runDownloaderCommand(tpl('sleep'), { query: 'ignore-term' }, opts({ timeoutMs: 1500, killGraceMs: 300 })),
    );
    expect(e.message).toMatch(/timed out after 1.5 s/);
    const pids = JSON.parse(readFileSync(PIDS, 'utf8')) as number[];
    for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('killRunningDownloaders stops a running downloader (what a SIGINT handler calls)', async () => {
    rmSync(PIDS, { force: true });
    const p = runDownloaderCommand(tpl('sleep'), { line: 2, query: 'q' }, opts());
    for (let i = 0; i < 100 && !existsSync(PIDS); i++) await new Promise((r) => setTimeout(r, 50));
    expect(killRunningDownloaders()).toBe(1);
    const e = await failure(p);
    expect(e.code).toBe('NETWORK');
    expect(e.message).toBe('line 2 "q": downloader was killed by SIGTERM');
    expect(killRunningDownloaders()).toBe(0);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('rejects path-traversal queries before running anything', async () => {
    for (const query of ['../../etc/passwd', '/etc/passwd', '..\\..\\x']) {
      const e = await failure(runDownloaderCommand(tpl('write'), { line: 4, query }, opts()));
      expect(e.code).toBe('BAD_INPUT');
      expect(e.message).toMatch(/^line 4 ".*": the query would be a path outside the download folder \(path traversal\)$/);
    }
    expect(existsSync(LOG)).toBe(false);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('rejects a query that would become an option', async () => {
    const e = await failure(runDownloaderCommand(tpl('write'), { query: '--exec=rm -rf ~' }, opts()));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/would be read as an option/);
    expect(existsSync(LOG)).toBe(false);
    // ... but a prefixed word is fine (yt-dlp style).
    await runDownloaderCommand(`${node} write ytsearch1:{query} {out}`, { query: '-ism' }, opts({ storeDir }));
    expect(log().argv[1]).toBe('ytsearch1:-ism');
  });

  it('rejects a row with nothing to search for', async () => {
    const e = await failure(runDownloaderCommand(tpl('write'), { line: 5, artist: 'Only Artist' }, opts()));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/^line 5: nothing to search for/);
  });

  it('a missing program is BAD_PARAMETER', async () => {
    const e = await failure(runDownloaderCommand('yasr-no-such-downloader-xyz {query} {out}', { query: 'q' }, opts()));
    expect(e.code).toBe('BAD_PARAMETER');
    expect(e.message).toMatch(/"yasr-no-such-downloader-xyz": not found/);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it('a template without {query} is BAD_PARAMETER', async () => {
    await expect(runDownloaderCommand('spotdl --output {out}', { query: 'q' }, opts())).rejects.toMatchObject({
      code: 'BAD_PARAMETER',
    });
  });
});

describe('command templates', () => {
  it('splits with shell-like quoting', () => {
    expect(splitCommandTemplate('spotdl {query} --output {out}')).toEqual(['spotdl', '{query}', '--output', '{out}']);
    expect(splitCommandTemplate(`yt-dlp -x -o {out}/%(title)s.%(ext)s ytsearch1:{query}`)).toEqual([
      'yt-dlp', '-x', '-o', '{out}/%(title)s.%(ext)s', 'ytsearch1:{query}',
    ]);
    expect(splitCommandTemplate(`a 'b c' "d \\"e\\" \\$f \\n" g\\ h '' "" \\
 i`)).toEqual(['a', 'b c', 'd "e" $f \\n', 'g h', '', '', 'i']);
    expect(splitCommandTemplate(`--name='x y'z`)).toEqual(['--name=x yz']);
  });

  it('refuses unbalanced quotes and shell operators', () => {
    for (const bad of [`a 'b`, `a "b`, 'a | b', 'a; b', 'a && b', 'a > out', 'a `id`', 'a $(id)', 'a $HOME', '', '   ', 'a \\']) {
      expect(() => splitCommandTemplate(bad), bad).toThrow(YasrError);
    }
    expect(splitCommandTemplate(`a '|' "&&" 'x;y' 'costs $5'`)).toEqual(['a', '|', '&&', 'x;y', 'costs $5']);
  });

  it('substitutes values inside words without splitting them, in one pass', () => {
    const words = splitCommandTemplate(`dl -o '{out}/%(title)s' "ytsearch1:{query}" {query} {unknown}`);
    expect(substitutePlaceholders(words, { out: '/tmp/o', query: 'a b {out}' })).toEqual([
      'dl', '-o', '/tmp/o/%(title)s', 'ytsearch1:a b {out}', 'a b {out}', '{unknown}',
    ]);
  });
});
