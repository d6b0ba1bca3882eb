import { YasrError } from '../errors.js';
import { runProcess } from './run-process.js';

export interface DecodeOptions {
  /** Target sample rate in Hz (default 22050). */
  sr?: number;
  /** Start offset in seconds (input seeking: only what is needed is decoded). */
  offset?: number;
  /** Seconds to decode from the offset; undefined = to the end. */
  duration?: number;
  /** Refuse to decode more than this many seconds (memory bound; default 3 hours). */
  maxSeconds?: number;
  timeoutMs?: number;
}

/**
 * Decode any audio file ffmpeg understands to mono float32 at `sr` Hz through a pipe.
 * Returns the samples, shape [n]. Errors name the file and quote ffmpeg's last stderr line.
 */
export async function decodeAudio(ffmpeg: string, file: string, opts: DecodeOptions = {}): Promise<Float32Array> {
  const sr = opts.sr ?? 22050;
  const maxSeconds = opts.maxSeconds ?? 3 * 3600;
  const args = ['-nostdin', '-hide_banner', '-loglevel', 'error'];
  if (opts.offset && opts.offset > 0) args.push('-ss', opts.offset.toFixed(6));
  args.push('-i', file);
  if (opts.duration !== undefined) args.push('-t', opts.duration.toFixed(6));
  args.push('-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(sr), '-f', 'f32le', '-acodec', 'pcm_f32le', 'pipe:1');
  const limit = Math.ceil(Math.min(opts.duration ?? maxSeconds, maxSeconds) * sr + sr) * 4;
  let r;
  try {
    r = await runProcess(ffmpeg, args, { timeoutMs: opts.timeoutMs ?? 10 * 60_000, maxStdout: limit });
  } catch (err) {
    throw new YasrError('NO_FFMPEG', `cannot run ffmpeg (${ffmpeg}): ${(err as Error).message}`);
  }
  if (r.timedOut) throw new YasrError('DECODE_FAILED', `${file}: decoding timed out`);
  if (r.status !== 0) {
    throw new YasrError('DECODE_FAILED', `${file}: ${ffmpegReason(r.stderr, r.status, r.signal)}`, {
      stderr: r.stderr.slice(-4000),
      status: r.status,
    });
  }
  const n = Math.floor(r.stdout.length / 4);
  if (n === 0) throw new YasrError('DECODE_FAILED', `${file}: no audio samples decoded`);
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(r.stdout.subarray(0, n * 4));
  return out;
}

/** The most telling line of ffmpeg's stderr, shortened. */
export function ffmpegReason(stderr: string, status: number | null, signal: NodeJS.Signals | null): string {
  const lines = stderr
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const telling =
    lines.find((l) => /matches no streams|does not contain any stream|Invalid data found|No such file|Permission denied|moov atom not found|could not find codec|Output file #0 does not contain/i.test(l)) ??
    lines[lines.length - 1];
  const reason = telling
    ? telling.replace(/^\[[^\]]+\]\s*/, '').slice(0, 300)
    : signal
      ? `killed by ${signal}`
      : `exit status ${status}`;
  if (/matches no streams|does not contain any stream/i.test(reason)) return `no audio stream (${reason})`;
  return `ffmpeg failed: ${reason}`;
}
