import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { YasrError } from '../errors.js';

/** A decoded WAV file: interleaved channels mixed to mono float32. */
export interface WavAudio {
  sampleRate: number;
  channels: number;
  samples: Float32Array; // mono, length = frames
}

/** The PCM sample layouts read in-process, named as ffmpeg names their decoders. */
export type PcmCodec = 'pcm_u8' | 'pcm_s16le' | 'pcm_s24le' | 'pcm_s32le' | 'pcm_f32le' | 'pcm_f64le';

const F32_SQRT1_2 = Math.fround(Math.SQRT1_2);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One channel's sample at byte `o` as ffmpeg's sample-format conversion gives it (a float32 value). */
function sampleAt(buf: Buffer, o: number, codec: PcmCodec): number {
  switch (codec) {
    case 'pcm_s16le':
      return buf.readInt16LE(o) / 32768;
    case 'pcm_s24le':
      return buf.readIntLE(o, 3) / 8388608;
    case 'pcm_s32le':
      return Math.fround(buf.readInt32LE(o) / 2147483648);
    case 'pcm_f32le':
      return buf.readFloatLE(o);
    case 'pcm_f64le':
      return buf.readDoubleLE(o); // rounded to float32 after mixing, as ffmpeg's double path does
    default:
      return (buf[o] - 128) / 128;
  }
}

/** `count` little-endian int16 values of `buf` from byte `start` (a view when aligned, else a copy), on a little-endian machine. */
function int16View(buf: Buffer, start: number, count: number): Int16Array {
  const at = buf.byteOffset + start;
  if (at % 2 === 0) return new Int16Array(buf.buffer, at, count);
  const copy = new Uint8Array(count * 2);
  copy.set(buf.subarray(start, start + count * 2));
  return new Int16Array(copy.buffer);
}

/**
 * Interleaved PCM (1 or 2 channels) from `buf` to mono float32, bit-identical to
 * `ffmpeg -ac 1 -f f32le` (ffmpeg 5.1, x86-64): integer samples become x / 2^(bits-1)
 * (unsigned 8-bit: (x - 128) / 128); stereo is NOT averaged: libswresample's stereo-to-mono
 * matrix is sqrt(1/2) * (L + R), computed in float32 (products rounded, then the sum), or in
 * double for 64-bit float input.
 */
export function pcmToMono(buf: Buffer, start: number, frames: number, codec: PcmCodec, channels: 1 | 2, out: Float32Array = new Float32Array(frames)): Float32Array {
  const bytes = codec === 'pcm_u8' ? 1 : codec === 'pcm_s16le' ? 2 : codec === 'pcm_s24le' ? 3 : codec === 'pcm_f64le' ? 8 : 4;
  if (codec === 'pcm_s16le' && LITTLE_ENDIAN) {
    // the common case through a typed view (Buffer.readInt16LE's checks cost ~10 ms per 30 s clip)
    const s = int16View(buf, start, frames * channels);
    if (channels === 1) for (let i = 0; i < frames; i++) out[i] = s[i] / 32768;
    else {
      const f = Math.fround;
      for (let i = 0, j = 0; i < frames; i++, j += 2) out[i] = f(F32_SQRT1_2 * (s[j] / 32768)) + f(F32_SQRT1_2 * (s[j + 1] / 32768));
    }
    return out;
  }
  if (channels === 1) {
    if (codec === 'pcm_s16le') for (let i = 0, o = start; i < frames; i++, o += 2) out[i] = buf.readInt16LE(o) / 32768;
    else for (let i = 0, o = start; i < frames; i++, o += bytes) out[i] = sampleAt(buf, o, codec);
    return out;
  }
  const block = 2 * bytes;
  if (codec === 'pcm_f64le') {
    for (let i = 0, o = start; i < frames; i++, o += block) {
      out[i] = Math.SQRT1_2 * buf.readDoubleLE(o) + Math.SQRT1_2 * buf.readDoubleLE(o + 8);
    }
    return out;
  }
  const f = Math.fround;
  for (let i = 0, o = start; i < frames; i++, o += block) {
    out[i] = f(F32_SQRT1_2 * sampleAt(buf, o, codec)) + f(F32_SQRT1_2 * sampleAt(buf, o + bytes, codec));
  }
  return out;
}

/**
 * Read a PCM (8/16/24/32-bit int) or IEEE float WAV file. Samples map to float32 as ffmpeg's
 * f32le output does (16-bit: s / 32768); stereo is mixed to mono as `ffmpeg -ac 1` does
 * (pcmToMono); more channels are averaged.
 */
export function readWav(path: string): WavAudio {
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new YasrError('BAD_INPUT', `${path}: not a RIFF/WAVE file`);
  }
  let pos = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('latin1', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
      if (fmt.format === 0xfffe) fmt.format = buf.readUInt16LE(body + 24);
    } else if (id === 'data') {
      if (!fmt) throw new YasrError('BAD_INPUT', `${path}: data chunk before fmt chunk`);
      const end = Math.min(buf.length, body + size);
      const bytes = fmt.bits / 8;
      const frames = Math.floor((end - body) / (bytes * fmt.channels));
      const codec = codecOf(fmt.format, fmt.bits);
      if (codec && (fmt.channels === 1 || fmt.channels === 2)) {
        return { sampleRate: fmt.rate, channels: fmt.channels, samples: pcmToMono(buf, body, frames, codec, fmt.channels) };
      }
      const out = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let acc = 0;
        for (let c = 0; c < fmt.channels; c++) {
          const o = body + (i * fmt.channels + c) * bytes;
          let v: number;
          if (fmt.format === 3) v = bytes === 4 ? buf.readFloatLE(o) : buf.readDoubleLE(o);
          else if (bytes === 2) v = buf.readInt16LE(o) / 32768;
          else if (bytes === 3) v = buf.readIntLE(o, 3) / 8388608;
          else if (bytes === 4) v = buf.readInt32LE(o) / 2147483648;
          else v = (buf[o] - 128) / 128;
          acc += v;
        }
        out[i] = acc / fmt.channels;
      }
      return { sampleRate: fmt.rate, channels: fmt.channels, samples: out };
    }
    pos = body + size + (size & 1);
  }
  throw new YasrError('BAD_INPUT', `${path}: no data chunk`);
}

function codecOf(format: number, bits: number): PcmCodec | null {
  if (format === 1) return bits === 8 ? 'pcm_u8' : bits === 16 ? 'pcm_s16le' : bits === 24 ? 'pcm_s24le' : bits === 32 ? 'pcm_s32le' : null;
  if (format === 3) return bits === 32 ? 'pcm_f32le' : bits === 64 ? 'pcm_f64le' : null;
  return null;
}

/** Where a plain PCM WAV file keeps its samples, and what ffprobe would say about it. */
export interface PcmWavLayout {
  codec: PcmCodec;
  sampleRate: number;
  channels: 1 | 2;
  blockAlign: number;
  /** Byte offset of the first sample, and the data chunk's size (whole frames). */
  dataOffset: number;
  dataBytes: number;
  frames: number;
  /**
   * LIST/INFO tags under the names ffmpeg gives them (INAM -> title, IART -> artist, ...);
   * null when a chunk that ffmpeg may read metadata from (bext, id3, ...) or an odd INFO list is
   * present: ask ffprobe then.
   */
  tags: Record<string, string> | null;
}

/** Chunks that carry no metadata for ffmpeg (besides fmt, data, LIST). */
const PLAIN_CHUNKS = new Set(['fact', 'JUNK', 'junk', 'PAD ', 'FLLR', 'PEAK', 'cue ', 'smpl', 'inst', 'acid']);
/** ffmpeg's ff_riff_info_conv. */
const INFO_NAMES: Record<string, string> = {
  IART: 'artist', ICMT: 'comment', ICOP: 'copyright', ICRD: 'date', IGNR: 'genre', ILNG: 'language',
  INAM: 'title', IPRD: 'album', IPRT: 'track', ITRK: 'track', ISFT: 'encoder', ISMP: 'timecode', ITCH: 'encoded_by',
};
const EXTENSIBLE_TAIL = Buffer.from('000000001000800000aa00389b71', 'hex');
const SPDIF_SYNC = Buffer.from([0x72, 0xf8, 0x1f, 0x4e]);

/**
 * The layout of a plain PCM WAV file, read from its header, or null when anything is unusual
 * (not RIFF/WAVE, a RIFF size that is not the file's, a chunk past the end, no or two fmt/data
 * chunks, data before fmt, a format other than 8/16/24/32-bit int or 32/64-bit float PCM with
 * 1 or 2 channels and a consistent block size, a data size that is zero, not whole frames or past
 * the end, 16-bit data that looks like S/PDIF, which ffmpeg would decode as AC-3/DTS): the
 * caller then uses ffmpeg, whose behaviour on such files is its own. Never throws for bad content
 * (I/O errors, e.g. a missing file, are thrown).
 */
export async function readPcmWavLayout(file: string): Promise<PcmWavLayout | null> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size < 44) return null;
    const read = async (pos: number, len: number): Promise<Buffer> => {
      const b = Buffer.alloc(len);
      const { bytesRead } = await fh.read(b, 0, len, pos);
      return bytesRead === len ? b : b.subarray(0, bytesRead);
    };
    const head = await read(0, 12);
    if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return null;
    if (head.readUInt32LE(4) + 8 !== size) return null;
    let pos = 12;
    let fmt: { codec: PcmCodec; channels: 1 | 2; rate: number; blockAlign: number } | undefined;
    let data: { offset: number; bytes: number } | undefined;
    let tags: Record<string, string> | null = {};
    for (let n = 0; pos + 8 <= size; n++) {
      if (n > 256) return null;
      const h = await read(pos, 8);
      const id = h.toString('latin1', 0, 4);
      const len = h.readUInt32LE(4);
      const body = pos + 8;
      if (body + len > size) return null;
      if (id === 'fmt ') {
        if (fmt || data || len < 16 || len > 4096) return null;
        const f = parseFmt(await read(body, len));
        if (!f) return null;
        fmt = f;
      } else if (id === 'data') {
        if (!fmt || data || len === 0 || len % fmt.blockAlign !== 0) return null;
        data = { offset: body, bytes: len };
      } else if (id === 'LIST') {
        if (len < 4 || len > 1 << 20) return null;
        const b = await read(body, len);
        const type = b.toString('latin1', 0, 4);
        if (type === 'INFO') {
          const t = parseInfo(b.subarray(4));
          if (!t) tags = null;
          else if (tags) Object.assign(tags, t);
        } else if (type !== 'adtl') tags = null;
      } else if (id === 'ds64') return null;
      else if (!PLAIN_CHUNKS.has(id)) tags = null;
      pos = body + len + (len & 1);
    }
    if (!fmt || !data) return null;
    if (fmt.codec === 'pcm_s16le') {
      const probe = await read(data.offset, Math.min(data.bytes, 1 << 16));
      if (probe.indexOf(SPDIF_SYNC) >= 0) return null;
    }
    return {
      codec: fmt.codec,
      sampleRate: fmt.rate,
      channels: fmt.channels,
      blockAlign: fmt.blockAlign,
      dataOffset: data.offset,
      dataBytes: data.bytes,
      frames: data.bytes / fmt.blockAlign,
      tags,
    };
  } finally {
    await fh.close();
  }
}

function parseFmt(b: Buffer): { codec: PcmCodec; channels: 1 | 2; rate: number; blockAlign: number } | null {
  let format = b.readUInt16LE(0);
  const channels = b.readUInt16LE(2);
  const rate = b.readUInt32LE(4);
  const byteRate = b.readUInt32LE(8);
  const blockAlign = b.readUInt16LE(12);
  const bits = b.readUInt16LE(14);
  if (format === 0xfffe) {
    if (b.length < 40 || b.readUInt16LE(16) < 22 || b.readUInt16LE(18) !== bits) return null;
    const mask = b.readUInt32LE(20);
    if (mask !== 0 && mask !== (channels === 1 ? 0x4 : 0x3)) return null;
    if (!b.subarray(26, 40).equals(EXTENSIBLE_TAIL)) return null;
    format = b.readUInt16LE(24);
  }
  const codec = codecOf(format, bits);
  if (!codec || (channels !== 1 && channels !== 2)) return null;
  if (blockAlign !== (channels * bits) / 8 || rate < 1 || byteRate !== rate * blockAlign) return null;
  return { codec, channels, rate, blockAlign };
}

/** The INFO list as ffmpeg's ff_read_riff_info reads it, or null for anything it might read differently. */
function parseInfo(b: Buffer): Record<string, string> | null {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos + 8 <= b.length) {
    const key = b.toString('latin1', pos, pos + 4);
    const len = b.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (!/^[A-Z0-9]{4}$/.test(key) || body + len > b.length) return null;
    const raw = b.subarray(body, body + len);
    const nul = raw.indexOf(0);
    const value = raw.subarray(0, nul < 0 ? raw.length : nul);
    if (value.some((c) => c >= 0x80 || c < 0x20)) return null;
    const name = INFO_NAMES[key] ?? key;
    if (name in out) return null;
    out[name] = value.toString('latin1');
    pos = body + len + (len & 1);
  }
  return pos === b.length ? out : null;
}

/** Read whole frames [first, first + count) of a plain PCM WAV as ffmpeg's mono float32. */
export async function readPcmWavFrames(file: string, w: PcmWavLayout, first: number, count: number): Promise<Float32Array> {
  const fh = await open(file, 'r');
  try {
    const len = count * w.blockAlign;
    const b = Buffer.allocUnsafe(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await fh.read(b, got, len - got, w.dataOffset + first * w.blockAlign + got);
      if (bytesRead === 0) throw new YasrError('DECODE_FAILED', `${file}: file shrank while it was read`);
      got += bytesRead;
    }
    return pcmToMono(b, 0, count, w.codec, w.channels);
  } finally {
    await fh.close();
  }
}
