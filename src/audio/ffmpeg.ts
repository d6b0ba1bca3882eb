import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { YasrError } from '../errors.js';

export interface FfmpegTools {
  ffmpeg: string;
  /** ffprobe beside the chosen ffmpeg or on the PATH; null when there is none (tags then come from ffmpeg). */
  ffprobe: string | null;
  origin: 'option' | 'env' | 'system' | 'bundled';
}

let cached: { key: string; tools: FfmpegTools } | undefined;

function runs(bin: string): boolean {
  try {
    const r = spawnSync(bin, ['-version'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 15000 });
    return r.status === 0 && /version/i.test(String(r.stdout));
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

function bundled(): string | null {
  if (process.env.YASR_NO_BUNDLED_FFMPEG) return null;
  try {
    const require = createRequire(import.meta.url);
    const mod = require('@ffmpeg-installer/ffmpeg') as { path?: string };
    return mod.path && existsSync(mod.path) ? mod.path : null;
  } catch {
    return null;
  }
}

export const INSTALL_HINT =
  'install ffmpeg (Debian/Ubuntu: "sudo apt-get install -y ffmpeg"; macOS: "brew install ffmpeg"), ' +
  'reinstall yasr\'s npm dependencies to get the bundled @ffmpeg-installer/ffmpeg binary, ' +
  'or point yasr at a binary with --ffmpeg PATH or YASR_FFMPEG=PATH';

/**
 * Find a working ffmpeg: --ffmpeg PATH, then $YASR_FFMPEG, then `ffmpeg` on the PATH, then the
 * binary shipped in the @ffmpeg-installer/ffmpeg npm package. Throws NO_FFMPEG with install
 * instructions when none runs.
 */
export function findFfmpeg(option?: string): FfmpegTools {
  const key = `${option ?? ''}|${process.env.YASR_FFMPEG ?? ''}|${process.env.PATH ?? ''}|${process.env.YASR_NO_BUNDLED_FFMPEG ?? ''}`;
  if (cached?.key === key) return cached.tools;
  const explicit = option ?? process.env.YASR_FFMPEG;
  let tools: FfmpegTools | undefined;
  if (explicit) {
    if (!runs(explicit)) {
      throw new YasrError(
        'NO_FFMPEG',
        `ffmpeg given by ${option ? '--ffmpeg' : 'YASR_FFMPEG'} (${JSON.stringify(explicit)}) does not run; ${INSTALL_HINT}`,
      );
    }
    tools = { ffmpeg: explicit, ffprobe: probeBeside(explicit), origin: option ? 'option' : 'env' };
  } else {
    const sys = onPath('ffmpeg');
    if (sys && runs(sys)) tools = { ffmpeg: sys, ffprobe: probeBeside(sys) ?? onPath('ffprobe'), origin: 'system' };
    else {
      const b = bundled();
      if (b && runs(b)) tools = { ffmpeg: b, ffprobe: probeBeside(b), origin: 'bundled' };
    }
  }
  if (!tools) throw new YasrError('NO_FFMPEG', `no usable ffmpeg found on the PATH nor bundled; ${INSTALL_HINT}`);
  cached = { key, tools };
  return tools;
}

function probeBeside(ffmpeg: string): string | null {
  const p = path.join(path.dirname(ffmpeg), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
  return existsSync(p) && runs(p) ? p : null;
}
