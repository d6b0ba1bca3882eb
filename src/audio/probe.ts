import { YasrError } from '../errors.js';
import { runProcess } from './run-process.js';
import { ffmpegReason, inProcessPcm } from './decode.js';
import { readPcmWavLayout, type PcmWavLayout } from '../interop/wav.js';
import type { FfmpegTools } from './ffmpeg.js';
import { probeCompressed } from './probe-compressed.js';

export interface ProbeResult {
  /** Seconds, when the container states it. */
  duration: number | null;
  hasAudio: boolean;
  sampleRate: number | null;
  channels: number | null;
  codec: string | null;
  /** Tags, keys lower-cased (artist, title, album, date, ...). */
  tags: Record<string, string>;
}

/**
 * What ffprobe says about a plain PCM WAV file, from its header (readPcmWavLayout): format
 * duration = frames / rate rounded to the microsecond (halves up), the INFO tags under ffmpeg's
 * names. Null when the header is unusual or holds metadata chunks other than LIST/INFO.
 */
export function probeFromWavLayout(w: PcmWavLayout, banner = false): ProbeResult | null {
  if (!w.tags) return null;
  const us = Math.floor((2 * w.frames * 1e6 + w.sampleRate) / (2 * w.sampleRate));
  let duration = us / 1e6;
  if (banner) {
    // what parseBanner reads from ffmpeg's "Duration: HH:MM:SS.cc" (rounded to the centisecond)
    const cs = Math.floor((us + 5000) / 10000);
    duration = Math.floor(cs / 360000) * 3600 + (Math.floor(cs / 6000) % 60) * 60 + Number(((cs % 6000) / 100).toFixed(2));
  }
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.tags)) tags[k.toLowerCase()] = banner ? v.trim() : v;
  return { duration, hasAudio: true, sampleRate: w.sampleRate, channels: w.channels, codec: w.codec, tags };
}

/**
 * Read duration, the first audio stream and tags: in-process from the header of a plain PCM WAV
 * file, or of an Ogg Vorbis/Opus, FLAC, MP3 or MP4 AAC file (probeCompressed), unless
 * YASR_DECODER=ffmpeg; the same values as the ffprobe or banner route below would give. Any
 * other file, or one those readers are unsure of, goes to ffprobe, or else to ffmpeg's banner.
 */
export async function probeAudio(tools: FfmpegTools, file: string): Promise<ProbeResult> {
  if (inProcessPcm()) {
    const w = await readPcmWavLayout(file).catch(() => null);
    const p = w ? probeFromWavLayout(w, !tools.ffprobe) : await probeCompressed(file, !tools.ffprobe).catch(() => null);
    if (p) return p;
  }
  return probeWithFfmpeg(tools, file);
}

/** probeAudio through ffprobe (or ffmpeg's banner), whatever the file. */
export async function probeWithFfmpeg(tools: FfmpegTools, file: string): Promise<ProbeResult> {
  if (tools.ffprobe) {
    const r = await runProcess(
      tools.ffprobe,
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
      { timeoutMs: 60_000 },
    );
    if (r.status !== 0) throw new YasrError('DECODE_FAILED', `${file}: ${ffmpegReason(r.stderr, r.status, r.signal)}`);
    const j = JSON.parse(r.stdout.toString('utf8') || '{}') as {
      format?: { duration?: string; tags?: Record<string, string> };
      streams?: { codec_type?: string; sample_rate?: string; channels?: number; codec_name?: string; tags?: Record<string, string>; duration?: string }[];
    };
    const audio = j.streams?.find((s) => s.codec_type === 'audio');
    const tags: Record<string, string> = {};
    for (const src of [audio?.tags, j.format?.tags]) {
      for (const [k, v] of Object.entries(src ?? {})) tags[k.toLowerCase()] = v;
    }
    const d = Number(j.format?.duration ?? audio?.duration);
    return {
      duration: Number.isFinite(d) ? d : null,
      hasAudio: !!audio,
      sampleRate: audio?.sample_rate ? Number(audio.sample_rate) : null,
      channels: audio?.channels ?? null,
      codec: audio?.codec_name ?? null,
      tags,
    };
  }
  const r = await runProcess(tools.ffmpeg, ['-nostdin', '-hide_banner', '-i', file], { timeoutMs: 60_000 });
  return parseBanner(r.stderr, file);
}

/** Parse `ffmpeg -i FILE` stderr (used when no ffprobe is available). */
export function parseBanner(stderr: string, file: string): ProbeResult {
  if (!/^Input #0/m.test(stderr)) {
    throw new YasrError('DECODE_FAILED', `${file}: ${ffmpegReason(stderr.replace(/At least one output file must be specified/, ''), 1, null)}`);
  }
  const tags: Record<string, string> = {};
  let inMeta = false;
  for (const line of stderr.split('\n')) {
    if (/^\s+Metadata:/.test(line)) {
      inMeta = true;
      continue;
    }
    const m = /^\s{4,}([^:]+?)\s*:\s(.*)$/.exec(line);
    if (inMeta && m && !/^(Duration|Stream)/.test(m[1].trim())) {
      const k = m[1].trim().toLowerCase();
      if (!(k in tags)) tags[k] = m[2].trim();
    } else inMeta = false;
  }
  const dm = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  const am = /Stream #\d+:\d+.*?: Audio: (\w+)[^,]*, (\d+) Hz, ([^,]+)/.exec(stderr);
  const chText = am?.[3] ?? '';
  const channels = /mono/.test(chText) ? 1 : /stereo/.test(chText) ? 2 : Number(/(\d+) channels/.exec(chText)?.[1] ?? NaN);
  return {
    duration: dm ? Number(dm[1]) * 3600 + Number(dm[2]) * 60 + Number(dm[3]) : null,
    hasAudio: !!am,
    sampleRate: am ? Number(am[2]) : null,
    channels: Number.isFinite(channels) ? channels : null,
    codec: am?.[1] ?? null,
    tags,
  };
}
