import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { YasrError } from '../errors.js';

export interface FfmpegTools {
  ffmpeg: string;
  /** ffprobe beside the chosen ffmpeg or on the PATH; null when there is none (tags then come from ffmpeg). */
  ffprobe: string | null;
  origin: 'option' | 'env' | 'system' | 'bundled';
  /**
   * What `ffmpeg -version` says, e.g. "5.1.6-0+deb12u1" ("unknown" when it does not say or does
   * not run). Asked for on first read only: a process start costs ~145 ms, and a command whose
   * files are all read in-process never needs ffmpeg at all.
   */
  readonly version: string;
  /** Set when yasr fell back to the bundled binary: a one-line warning with what to do instead. */
  warning?: string;
}

let cached: { key: string; tools: FfmpegTools } | undefined;

/** The version `bin -version` prints, or null when it does not run. */
function versionOf(bin: string): string | null {
  try {
    const r = spawnSync(bin, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 15000 });
    const out = String(r.stdout);
    if (r.status !== 0 || !/version/i.test(out)) return null;
    const v = /version\s+(\S+)/i.exec(out)?.[1] ?? 'unknown';
    const year = /Copyright \(c\) \d{4}-(\d{4})/.exec(out)?.[1];
    return year ? `${v} (${year})` : v;
  } catch {
    return null;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (executable(p)) return p;
  }
  return null;
}

function bundled(): string | null {
  if (process.env.YASR_NO_BUNDLED_FFMPEG) return null;
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@ffmpeg-installer/ffmpeg') as { path?: string };
    return mod.path && executable(mod.path) ? mod.path : null;
  } catch {
    return null;
  }
}

export const INSTALL_HINT =
  'install ffmpeg (Debian/Ubuntu: "sudo apt-get install -y ffmpeg"; macOS: "brew install ffmpeg"), ' +
  'reinstall yasr\'s npm dependencies to get the bundled @ffmpeg-installer/ffmpeg binary, ' +
  'or point yasr at a binary with --ffmpeg PATH or YASR_FFMPEG=PATH';

export const BUNDLED_WARNING =
  'no ffmpeg on the PATH: using the one bundled in @ffmpeg-installer/ffmpeg, a 2018 build that lacks ' +
  'years of security fixes and decodes every downloaded file; install a current one ' +
  '("sudo apt-get install -y ffmpeg", "brew install ffmpeg") or give one with --ffmpeg PATH';

/**
 * Find ffmpeg: --ffmpeg PATH, then $YASR_FFMPEG, then `ffmpeg` on the PATH, then the binary
 * shipped in the @ffmpeg-installer/ffmpeg npm package; the first that is an executable file.
 * Throws NO_FFMPEG with install instructions when there is none. Runs nothing (see toolsOf).
 */
export function findFfmpeg(option?: string): FfmpegTools {
  const key = `${option ?? ''}|${process.env.YASR_FFMPEG ?? ''}|${process.env.PATH ?? ''}|${process.env.YASR_NO_BUNDLED_FFMPEG ?? ''}`;
  if (cached?.key === key) return cached.tools;
  const explicit = option ?? process.env.YASR_FFMPEG;
  let tools: FfmpegTools | undefined;
  if (explicit) {
    if (!executable(explicit)) {
      throw new YasrError(
        'NO_FFMPEG',
        `ffmpeg given by ${option ? '--ffmpeg' : 'YASR_FFMPEG'} (${JSON.stringify(explicit)}) does not run; ${INSTALL_HINT}`,
      );
    }
    tools = toolsOf(explicit, probeBeside(explicit), option ? 'option' : 'env');
  } else {
    const sys = onPath('ffmpeg');
    if (sys) tools = toolsOf(sys, probeBeside(sys) ?? onPath('ffprobe'), 'system');
    else {
      const b = bundled();
      if (b) tools = toolsOf(b, probeBeside(b), 'bundled', BUNDLED_WARNING);
    }
  }
  if (!tools) throw new YasrError('NO_FFMPEG', `no usable ffmpeg found on the PATH nor bundled; ${INSTALL_HINT}`);
  cached = { key, tools };
  return tools;
}

/**
 * The tools of an ffmpeg binary, its version asked for when first read. The binaries are not
 * run here (an executable file is taken to be a working one): a binary that fails when it decodes
 * or probes says so then, naming the file.
 */
function toolsOf(ffmpeg: string, ffprobe: string | null, origin: FfmpegTools['origin'], warning?: string): FfmpegTools {
  let version: string | undefined;
  return {
    ffmpeg,
    ffprobe,
    origin,
    ...(warning ? { warning } : {}),
    get version() {
      return (version ??= versionOf(ffmpeg) ?? 'unknown');
    },
  };
}

/** A regular file this process may execute. */
function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function probeBeside(ffmpeg: string): string | null {
  const p = path.join(path.dirname(ffmpeg), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
  return executable(p) ? p : null;
}

/** The ffmpeg in use, in words: "ffmpeg 5.1.6-0+deb12u1 (2024) at /usr/bin/ffmpeg (system)". */
export function describeFfmpeg(tools: FfmpegTools): string {
  const from = { option: '--ffmpeg', env: 'YASR_FFMPEG', system: 'system', bundled: 'bundled fallback, outdated' }[tools.origin];
  return `ffmpeg ${tools.version} at ${tools.ffmpeg} (${from})`;
}

/** The ffmpeg findFfmpeg(option) picks, or why there is none, with its line for `--version` and `status`. */
export function ffmpegInUse(option?: string): { tools: FfmpegTools | null; error: string | null; line: string } {
  try {
    const tools = findFfmpeg(option);
    return { tools, error: null, line: describeFfmpeg(tools) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { tools: null, error, line: `ffmpeg: none usable (${error})` };
  }
}
