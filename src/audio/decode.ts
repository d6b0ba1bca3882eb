import { YasrError } from '../errors.js';
import { readPcmWavFrames, readPcmWavLayout } from '../interop/wav.js';
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
 * Whether plain PCM WAV files are read in-process (the default) instead of by an ffmpeg process
 * per file. `YASR_DECODER=ffmpeg` sends every file to ffmpeg and ffprobe, as before.
 */
export function inProcessPcm(): boolean {
  return (process.env.YASR_DECODER ?? '').trim().toLowerCase() !== 'ffmpeg';
}

/** Whole microseconds of `seconds` as the `toFixed(6)` argument handed to ffmpeg states them. */
function micros(seconds: number): number {
  return Math.round(Number(seconds.toFixed(6)) * 1e6);
}

/** av_rescale(us, sr, 1e6) with ffmpeg's default rounding (to nearest, halves away from zero). */
function usToSamples(us: number, sr: number): number {
  return Math.floor((2 * us * sr + 1e6) / 2e6);
}

/**
 * Decode a plain PCM WAV file already at `sr` Hz without ffmpeg, giving exactly the samples
 * `ffmpeg -ss OFFSET -i FILE -t DURATION -ac 1 -f f32le` gives (the window is sample-exact:
 * start = round(offset * sr), length = round(duration * sr), both from the microseconds that
 * ffmpeg is given). Null when ffmpeg must do it: not a plain PCM WAV (readPcmWavLayout), another
 * sample rate (ffmpeg's resampler is not replicated), stereo on a machine other than x86-64 (the
 * float rounding of ffmpeg's mix may differ there), a duration under half a sample or negative
 * (ffmpeg then emits a whole packet or fails), or more samples than the ffmpeg path accepts.
 */
export async function decodePcmWav(file: string, sr: number, opts: DecodeOptions, limitSamples: number): Promise<Float32Array | null> {
  let w;
  try {
    w = await readPcmWavLayout(file);
  } catch {
    return null; // unreadable: ffmpeg reports it in its words
  }
  if (!w || w.sampleRate !== sr) return null;
  if (w.channels === 2 && process.arch !== 'x64') return null;
  const first = opts.offset && opts.offset > 0 ? usToSamples(micros(opts.offset), sr) : 0;
  let count = w.frames - first;
  if (opts.duration !== undefined) {
    const us = micros(opts.duration);
    if (us < 0) return null;
    const n = usToSamples(us, sr);
    if (n === 0 && us > 0) return null;
    count = Math.min(count, n);
  }
  if (count <= 0) throw new YasrError('DECODE_FAILED', `${file}: no audio samples decoded`);
  if (count > limitSamples) return null;
  return readPcmWavFrames(file, w, first, count);
}

/**
 * Decode any audio file ffmpeg understands to mono float32 at `sr` Hz through a pipe; a plain
 * PCM WAV file at `sr` Hz is read in-process instead, with the same samples (decodePcmWav).
 * Returns the samples, shape [n]. Errors name the file and quote ffmpeg's last stderr line.
 */
export async function decodeAudio(ffmpeg: string, file: string, opts: DecodeOptions = {}): Promise<Float32Array> {
  const sr = opts.sr ?? 22050;
  const maxSeconds = opts.maxSeconds ?? 3 * 3600;
  if (inProcessPcm()) {
    const limitSamples = Math.ceil(Math.min(opts.duration ?? maxSeconds, maxSeconds) * sr + sr);
    const y = await decodePcmWav(file, sr, opts, limitSamples);
    if (y) return y;
  }
  return decodeWithFfmpeg(ffmpeg, file, opts);
}

/** decodeAudio through an ffmpeg process, whatever the file. */
export async function decodeWithFfmpeg(ffmpeg: string, file: string, opts: DecodeOptions = {}): Promise<Float32Array> {
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
  return float32Samples(r.stdout, n);
}

/**
 * The first n float32 samples of `b` (ffmpeg's f32le bytes, read in the host's byte order as
 * before: little-endian) as a Float32Array that owns its memory: a view on b's own memory when b
 * alone holds it (a large Buffer.concat does) and is aligned, else a copy. (Saves a copy of up to
 * 160 MB for a 30-minute file.) A Buffer cut from Node's shared pool is always copied: its memory
 * belongs to other Buffers too, and a Float32Array on it could not be transferred to a thread.
 */
export function float32Samples(b: Buffer, n: number): Float32Array {
  if (b.byteOffset === 0 && b.buffer.byteLength === b.length && b.buffer instanceof ArrayBuffer) {
    return new Float32Array(b.buffer, 0, n);
  }
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(b.subarray(0, n * 4));
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
