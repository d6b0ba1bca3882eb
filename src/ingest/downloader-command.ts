/**
 * Run an external downloader (spotdl, yt-dlp, ...) for a manifest row that has neither a path
 * nor a URL, and pick the audio file it produced.
 *
 * The template (see command-template.ts) gets `{query}` (the row's query, else
 * "artist - title") and `{out}` (a fresh, empty temporary folder, also the working directory).
 * It is run directly (argv, no shell) in its own process group, with a timeout that kills the
 * whole group. Afterwards the largest audio file (by extension) under `{out}` is taken; symbolic
 * links are never followed, so only files inside `{out}` are read. With `storeDir` the file is
 * moved into the content-addressed store and the temporary folder removed; on failure the
 * temporary folder is always removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { YasrError } from '../errors.js';
import { AUDIO_FILE_EXTENSIONS } from './audio-extensions.js';
import { splitCommandTemplate, substitutePlaceholders } from './command-template.js';
import { moveFileIntoStore } from './content-store.js';
import { formatDuration } from './download.js';
import { cleanText, isPathTraversal } from './safe-text.js';

export interface DownloaderRow {
  /** Manifest line, used in error messages. */
  line?: number;
  query?: string;
  artist?: string;
  title?: string;
}

export interface DownloaderOptions {
  /** Kill the downloader (and its children) after this long, ms. Default 600000 (10 min). */
  timeoutMs?: number;
  /** Move the picked file into this content-addressed store and remove the temp folder. */
  storeDir?: string;
  /** Parent of the temporary `{out}` folder. Default os.tmpdir(). */
  tmpDir?: string;
  /** Environment for the downloader. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Wait between SIGTERM and SIGKILL on timeout, ms. Default 2000. */
  killGraceMs?: number;
  /** Bytes of stderr/stdout kept for error messages. Default 8192. */
  outputTailBytes?: number;
}

export interface DownloaderResult {
  /** The audio file: in the store when `storeDir` was given, else inside `outDir`. */
  path: string;
  /** SHA-256 of the file, when it was moved into the store. */
  sha256?: string;
  bytes: number;
  /** Audio files that appeared (paths relative to `{out}`), largest first. */
  files: string[];
  /** The argv that was run. */
  argv: string[];
  /** The temporary folder, while it still exists (no `storeDir`): call `cleanup()` when done. */
  outDir?: string;
  /** Remove the temporary folder (no-op when already removed). */
  cleanup(): Promise<void>;
}

/** Partial-download and side-car names never taken as the result. */
const PARTIAL = /\.(part|ytdl|tmp|temp|download|crdownload)$|\.part-Frag\d+$/i;

/**
 * Run the downloader for one row.
 * @param template e.g. `spotdl {query} --output {out}`; must contain `{query}`
 * @param row the row's `query`, or `artist` and `title`; `line` for messages
 * @param options timeoutMs (default 10 min), storeDir, tmpDir, env, killGraceMs (2000)
 * @throws YasrError: 'BAD_INPUT' for a missing / path-traversal query or when no audio file
 *   appeared; 'NETWORK' when the command fails, is killed or times out; 'BAD_PARAMETER' for a
 *   bad template or a command that cannot be started
 */
export async function runDownloaderCommand(
  template: string,
  row: DownloaderRow,
  options: DownloaderOptions = {},
): Promise<DownloaderResult> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const killGraceMs = options.killGraceMs ?? 2000;
  const tailBytes = options.outputTailBytes ?? 8192;
  const words = splitCommandTemplate(template);
  if (!words.some((w) => w.includes('{query}'))) {
    throw new YasrError('BAD_PARAMETER', `invalid downloader command: ${JSON.stringify(template)} (expected a {query} placeholder)`);
  }

  const rawQuery = row.query ?? (row.artist && row.title ? `${row.artist} - ${row.title}` : undefined);
  const query = rawQuery === undefined ? undefined : cleanText(rawQuery);
  const label = describeRow(row, query);
  if (query === undefined) {
    throw new YasrError('BAD_INPUT', `${label}: nothing to search for (no query, nor artist and title)`, { line: row.line });
  }
  if (isPathTraversal(query)) {
    throw new YasrError('BAD_INPUT', `${label}: the query would be a path outside the download folder (path traversal)`, { line: row.line, query });
  }

  const outDir = await mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'yasr-dl-'));
  let keep = false;
  try {
    let argv: string[];
    try {
      argv = substitutePlaceholders(words, { query, out: outDir });
    } catch (err) {
      throw new YasrError('BAD_INPUT', `${label}: ${(err as Error).message}`, { line: row.line, query });
    }
    const run = await runProcess(argv, { cwd: outDir, env: options.env ?? process.env, timeoutMs, killGraceMs, tailBytes });
    if (run.spawnError) {
      const code = (run.spawnError as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'not found (is it installed and on PATH?)'
        : code === 'EACCES' ? 'not executable'
        : run.spawnError.message;
      throw new YasrError('BAD_PARAMETER', `downloader command ${JSON.stringify(argv[0])}: ${why}`, { argv });
    }
    if (run.timedOut) {
      throw new YasrError('NETWORK', `${label}: downloader timed out after ${formatDuration(timeoutMs)}${tailSuffix(run)}`, {
        line: row.line, query, argv, stderrTail: run.stderr,
      });
    }
    if (run.code !== 0) {
      const how = run.signal ? `was killed by ${run.signal}` : `exited with status ${run.code}`;
      throw new YasrError('NETWORK', `${label}: downloader ${how}${tailSuffix(run)}`, {
        line: row.line, query, argv, exitCode: run.code, signal: run.signal, stderrTail: run.stderr,
      });
    }

    const found = await listFiles(outDir);
    const audio = found.filter((f) => f.audio).sort((a, b) => b.size - a.size || a.rel.localeCompare(b.rel));
    if (audio.length === 0) {
      const others = found.map((f) => f.rel);
      const seen = others.length > 0 ? ` (found only: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', ...' : ''})` : '';
      throw new YasrError('BAD_INPUT', `${label}: the downloader produced no audio file${seen}${tailSuffix(run)}`, {
        line: row.line, query, argv, stderrTail: run.stderr,
      });
    }
    const best = audio[0];
    const files = audio.map((f) => f.rel);
    if (options.storeDir) {
      let stored;
      try {
        stored = await moveFileIntoStore(path.join(outDir, best.rel), options.storeDir);
      } catch (err) {
        throw new YasrError('STORE', `${label}: cannot move the download into ${options.storeDir} (${(err as Error).message})`);
      }
      return { path: stored.path, sha256: stored.sha256, bytes: stored.bytes, files, argv, cleanup: async () => undefined };
    }
    keep = true;
    let removed = false;
    return {
      path: path.join(outDir, best.rel),
      bytes: best.size,
      files,
      argv,
      outDir,
      cleanup: async () => {
        if (removed) return;
        removed = true;
        await rm(outDir, { recursive: true, force: true });
      },
    };
  } finally {
    if (!keep) await rm(outDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function describeRow(row: DownloaderRow, query: string | undefined): string {
  const q = query !== undefined ? ` ${JSON.stringify(query)}` : '';
  return row.line !== undefined ? `line ${row.line}${q}` : `query${q || ' (none)'}`;
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError?: Error;
  stderr: string;
  stdout: string;
}

/** Last lines of the captured output, as one line: ': a | b | c'. Prefers stderr. */
function tailSuffix(run: RunResult): string {
  const text = run.stderr.trim() !== '' ? run.stderr : run.stdout;
  // Strip ANSI colour codes and progress-bar carriage returns.
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').split(/\r\n|\n|\r/).map((s) => s.trim()).filter(Boolean);
  if (clean.length === 0) return '';
  let s = clean.slice(-3).join(' | ');
  if (s.length > 400) s = `...${s.slice(-400)}`;
  return `: ${s}`;
}

/** Children still running, killed (with their process groups) if yasr itself exits. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Kill every downloader still running (with its children), e.g. from the CLI's SIGINT handler:
 * downloaders run in their own process group, so a terminal Ctrl-C does not reach them.
 * @returns how many were signalled
 */
export function killRunningDownloaders(signal: NodeJS.Signals = 'SIGTERM'): number {
  for (const c of live) killGroup(c, signal);
  return live.size;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function runProcess(
  argv: string[],
  o: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; killGraceMs: number; tailBytes: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const result: RunResult = { code: null, signal: null, timedOut: false, stderr: '', stdout: '' };
    let child: ChildProcess;
    try {
      // detached: own process group, so a timeout can kill the downloader's children (ffmpeg) too.
      child = spawn(argv[0], argv.slice(1), { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      result.spawnError = err as Error;
      resolve(result);
      return;
    }
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const c of live) killGroup(c, 'SIGKILL');
      });
    }
    live.add(child);
    const keepTail = (prev: string, chunk: Buffer): string => {
      const s = prev + chunk.toString('utf8');
      return s.length > o.tailBytes ? s.slice(-o.tailBytes) : s;
    };
    child.stdout?.on('data', (c: Buffer) => (result.stdout = keepTail(result.stdout, c)));
    child.stderr?.on('data', (c: Buffer) => (result.stderr = keepTail(result.stderr, c)));

    let done = false;
    let killTimer: NodeJS.Timeout | undefined;
    let forceTimer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(forceTimer);
      live.delete(child);
      resolve(result);
    };
    const timer = setTimeout(() => {
      result.timedOut = true;
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => {
        killGroup(child, 'SIGKILL');
        // If a grandchild escaped the group and holds the pipes open, stop waiting for them.
        forceTimer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish();
        }, 2000);
      }, o.killGraceMs);
    }, o.timeoutMs);

    child.on('error', (err) => {
      result.spawnError = err;
      finish();
    });
    child.on('exit', (code, signal) => {
      result.code = code;
      result.signal = signal;
    });
    child.on('close', (code, signal) => {
      result.code ??= code;
      result.signal ??= signal;
      finish();
    });
  });
}

interface FoundFile {
  rel: string;
  size: number;
  audio: boolean;
}

/** Regular files under `dir` (symlinks not followed, at most 4 levels deep). */
async function listFiles(dir: string, rel = '', depth = 0, out: FoundFile[] = []): Promise<FoundFile[]> {
  const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
  for (const e of entries) {
    const r = rel ? path.join(rel, e.name) : e.name;
    if (e.isDirectory()) {
      if (depth < 4) await listFiles(dir, r, depth + 1, out);
    } else if (e.isFile()) {
      const st = await lstat(path.join(dir, r));
      if (!st.isFile()) continue;
      const ext = path.extname(e.name).slice(1).toLowerCase();
      const audio = AUDIO_FILE_EXTENSIONS.has(ext) && !PARTIAL.test(e.name) && st.size > 0;
      out.push({ rel: r, size: st.size, audio });
    }
  }
  return out;
}
