import type { Command } from 'commander';
import { findFfmpeg, type FfmpegTools } from '../audio/ffmpeg.js';
import { globals } from './context.js';

/*
 * The ffmpeg a command decodes with, apart from ./context.ts: a command that does not always
 * decode (recommend for a stored track) imports this only when it does, and so does not load
 * src/audio/ffmpeg.ts (and node:child_process) at start-up.
 */
let warnedFfmpeg = false;

/** A fallback to the bundled ffmpeg is warned about, once per process. */
export function warnAboutFfmpeg(tools: FfmpegTools | null): void {
  if (tools?.warning && !warnedFfmpeg) {
    warnedFfmpeg = true;
    process.stderr.write(`yasr: warning: ${tools.warning}\n`);
  }
}

/** The ffmpeg the command uses (see warnAboutFfmpeg). */
export function ffmpegFromCli(cmd: Command): FfmpegTools {
  const tools = findFfmpeg(globals(cmd).ffmpeg);
  warnAboutFfmpeg(tools);
  return tools;
}

