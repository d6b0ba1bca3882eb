import { open, type FileHandle } from 'node:fs/promises';
import type { IAudioMetadata, ITag } from 'music-metadata';
import type { ProbeResult } from './probe.js';

/**
 * In-process probing of compressed files (Ogg Vorbis, Ogg Opus, FLAC, MP3, MP4/M4A AAC): the
 * ProbeResult ffprobe would give, without starting a process. The container is recognised from
 * its first bytes; music-metadata reads the stream parameters and the tags; the duration is
 * worked out as ffmpeg works it out, from what it reads:
 *  - Ogg: the granule position of the last page (found in the file's last 64 KiB, as ffmpeg
 *    looks for it; for Opus the pre-skip included, as ffprobe counts it); FLAC: STREAMINFO's
 *    sample count;
 *  - MP3: the Xing/Info header's frame count x samples per frame; without one, ffmpeg's estimate
 *    from the size of the audio data and the first frame's bit rate (CBR files only);
 *  - MP4: the movie header's duration.
 * Tags are mapped to the names ffmpeg gives them. Anything this reader is not sure to read as
 * ffprobe would (another container or codec, an ID3v1 tag alone, APE tags, unusual ID3 frames,
 * chained or multiplexed Ogg, HE-AAC, a warning from the parser, a file that does not parse)
 * gives null, and the caller asks ffprobe. Only headers are read, never the whole file: Ogg, the
 * first pages and the last 64 KiB; FLAC, the metadata blocks; MP3, the ID3v2 tag, the first
 * three frames and the last bytes (ID3v1/APE); MP4, the box headers and the whole moov box.
 */

type Kind = 'ogg' | 'flac' | 'mp3' | 'mp4';

/** music-metadata, loaded on first use (commands that never probe do not pay for it). */
let mmModule: Promise<typeof import('music-metadata')> | undefined;
function musicMetadata(): Promise<typeof import('music-metadata')> {
  mmModule ??= import('music-metadata');
  return mmModule;
}

/** Thrown where this reader cannot be sure to read a file as ffmpeg does: the probe gives null. */
class Unsure extends Error {}

/** A parse that has not finished after this long is abandoned (ffprobe takes the file). */
const PARSE_TIMEOUT_MS = 10_000;

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(Math.max(0, len));
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** ID3v2 tag length at `b` (header + body + footer), or null when b holds none. */
function id3v2Length(b: Buffer): number | null {
  if (b.length < 10 || b.toString('latin1', 0, 3) !== 'ID3' || b[3] === 0xff || b[4] === 0xff) return null;
  if ((b[6] | b[7] | b[8] | b[9]) & 0x80) return null;
  const size = (b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9];
  return 10 + size + (b[5] & 0x10 ? 10 : 0);
}

/** One MPEG-1/2/2.5 Layer III frame header. */
interface MpegFrame {
  sampleRate: number;
  channels: 1 | 2;
  bitrate: number; // bits per second
  samplesPerFrame: number;
  size: number; // bytes
  lsf: boolean; // MPEG-2 or 2.5
}

const L3_KBPS = [
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];
const MPEG_RATES = [44100, 48000, 32000];

function mpegFrame(b: Buffer, at: number): MpegFrame | null {
  if (at + 4 > b.length) return null;
  const h = b.readUInt32BE(at);
  if ((h & 0xffe00000) >>> 0 !== 0xffe00000) return null;
  const version = (h >>> 19) & 3; // 0: 2.5, 2: 2, 3: 1
  const layer = (h >>> 17) & 3; // 1: Layer III
  const bri = (h >>> 12) & 15;
  const sri = (h >>> 10) & 3;
  if (version === 1 || layer !== 1 || bri === 0 || bri === 15 || sri === 3) return null;
  const lsf = version !== 3;
  const sampleRate = MPEG_RATES[sri] / (version === 3 ? 1 : version === 2 ? 2 : 4);
  const bitrate = L3_KBPS[lsf ? 1 : 0][bri] * 1000;
  const samplesPerFrame = lsf ? 576 : 1152;
  const size = Math.floor(((samplesPerFrame / 8) * bitrate) / sampleRate) + ((h >>> 9) & 1);
  return { sampleRate, channels: ((h >>> 6) & 3) === 3 ? 1 : 2, bitrate, samplesPerFrame, size, lsf };
}

/** CRC-16 with polynomial 0xA001 (reflected), initial 0: ffmpeg's ff_crcA001_update. */
function crcA001(b: Buffer, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) {
    crc ^= b[i];
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/**
 * What ffmpeg's mp3 demuxer reads from the first frames (mp3_read_header, mp3_parse_vbr_tags):
 * the duration in microseconds, the Xing/Info frame count x samples per frame; without such a
 * header, the size of the audio data x 8 / the first frame's bit rate (ffmpeg's estimate; taken
 * only where the first eight frames share one bit rate, as in a CBR file: for VBR, ffmpeg's
 * estimate depends on the frames it happens to read); and the stream's `encoder` tag, the LAME tag's
 * version string when its CRC matches. Null where unsure: a VBRI header, a Xing header without a
 * frame count, frames that do not follow one another, an ID3v1/APE tag at the end of a file
 * without Xing header (ffmpeg's estimate then depends on how it counts them).
 */
async function mp3Info(fh: FileHandle, size: number, start: number, trailingTags: boolean): Promise<{ frame: MpegFrame; us: number; encoder: string | null } | null> {
  const head = await readAt(fh, start, 8 * 1441 + 64);
  const frame = mpegFrame(head, 0);
  if (!frame || frame.size > head.length) return null;
  // the next frames must start where the one before says, alike (ffmpeg checks frames before it
  // trusts one); eight frames of one bit rate make a file CBR here
  let constant = true;
  let at = frame.size;
  for (let i = 0; i < 7 && start + at < size && at + 4 <= head.length; i++) {
    const f = mpegFrame(head, at);
    if (!f || f.sampleRate !== frame.sampleRate || f.channels !== frame.channels || f.lsf !== frame.lsf) return null;
    if (f.bitrate !== frame.bitrate) constant = false;
    at += f.size;
  }
  if (head.toString('latin1', 36, 40) === 'VBRI') return null;
  const xingAt = 4 + (frame.lsf ? (frame.channels === 1 ? 9 : 17) : frame.channels === 1 ? 17 : 32);
  const tag = head.toString('latin1', xingAt, xingAt + 4);
  if (tag === 'Xing' || tag === 'Info') {
    let p = xingAt + 4;
    const flags = head.readUInt32BE(p);
    p += 4;
    if (!(flags & 1)) return null;
    const frames = head.readUInt32BE(p);
    p += 4;
    if (frames === 0) return null;
    if (flags & 2) p += 4;
    if (flags & 4) p += 100;
    if (flags & 8) p += 4;
    // LAME tag: version (9), revision, lowpass, peak (4), 2 gains (2+2), flags, bitrate, delays (3),
    // misc, gain, preset (2), music length (4), music CRC (2), then the CRC of all before it
    const crcAt = p + 34;
    let encoder: string | null = null;
    if (crcAt + 2 <= head.length && crcA001(head, 0, crcAt) === head.readUInt16BE(crcAt)) {
      const v = head.subarray(p, p + 9);
      const nul = v.indexOf(0);
      encoder = v.subarray(0, nul < 0 ? 9 : nul).toString('latin1');
      if (!/^[\x20-\x7e]*$/.test(encoder)) return null;
    }
    return { frame, us: rescale(frames * frame.samplesPerFrame, 1e6, frame.sampleRate), encoder };
  }
  if (!constant || trailingTags) return null;
  // av_rescale(filesize - data_offset, 8 * 14112000, bit_rate) in the 1/14112000 time base, then to microseconds
  const ticks = rescale(size - start, 8 * 14112000, frame.bitrate);
  return { frame, us: rescale(ticks, 1e6, 14112000), encoder: null };
}

/** a * b / c rounded to the nearest integer, halves away from zero (av_rescale), exact for a*b < 2^53. */
function rescale(a: number, b: number, c: number): number {
  const big = (BigInt(Math.round(a)) * BigInt(Math.round(b)) * 2n + BigInt(c)) / (2n * BigInt(c));
  return Number(big);
}

// --- Ogg ---------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function oggCrc(b: Buffer, start: number, end: number, crcAt: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    const byte = i >= crcAt && i < crcAt + 4 ? 0 : b[i];
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
  }
  return crc;
}

interface OggPage {
  at: number;
  flags: number;
  granule: bigint;
  serial: number;
  length: number;
  body: number;
}

/** The page whose header starts at b[at], if it is whole and its CRC matches. */
function oggPage(b: Buffer, at: number): OggPage | null {
  if (at + 27 > b.length || b.toString('latin1', at, at + 4) !== 'OggS' || b[at + 4] !== 0) return null;
  const nseg = b[at + 26];
  if (at + 27 + nseg > b.length) return null;
  let bodyLen = 0;
  for (let i = 0; i < nseg; i++) bodyLen += b[at + 27 + i];
  const length = 27 + nseg + bodyLen;
  if (at + length > b.length) return null;
  if (oggCrc(b, at, at + length, at + 22) !== b.readUInt32LE(at + 22)) return null;
  return { at, flags: b[at + 5], granule: b.readBigInt64LE(at + 6), serial: b.readUInt32LE(at + 14), length, body: at + 27 + nseg };
}

/** Samples at 48 kHz in one Opus packet, from its TOC byte (as ffmpeg's opus_duration counts them). */
function opusDuration(b: Buffer, from: number, to: number): number {
  if (to <= from) return 0;
  const toc = b[from];
  const config = toc >> 3;
  const count = toc & 3;
  const frameSize = config < 12 ? Math.max(480, 960 * (config & 3)) : config < 16 ? 480 << (config & 1) : 120 << (config & 3);
  const frames = count === 3 ? (to - from < 2 ? -1 : b[from + 1] & 0x3f) : count ? 2 : 1;
  return frames < 0 ? -1 : frameSize * frames;
}

/**
 * Where ffmpeg's Ogg Opus reader starts the stream: the granule position of the first audio page
 * less the samples of the packets that end on it. Null when that page is not among the pages read.
 */
function opusStart(head: Buffer, firstLength: number): bigint | null {
  let at = firstLength;
  for (let page = oggPage(head, at); page; page = oggPage(head, at)) {
    at += page.length;
    const body = head.subarray(page.body, page.at + page.length);
    if (page.flags & 1 || body.toString('latin1', 0, 8) === 'OpusTags') continue; // the tags packet
    const nseg = head[page.at + 26];
    let from = page.body;
    let to = from;
    let samples = 0;
    for (let i = 0; i < nseg; i++) {
      const lace = head[page.at + 27 + i];
      to += lace;
      if (lace < 255) {
        const d = opusDuration(head, from, to);
        if (d < 0) return null;
        samples += d;
        from = to;
      }
    }
    return page.granule - BigInt(samples);
  }
  return null;
}

/**
 * Codec, rate and channels of a single-stream Ogg Vorbis or Opus file, and its duration in
 * samples as ffmpeg counts it: the granule position of the last page (ffmpeg reads the last
 * 64 KiB for it too), the Opus pre-skip included (ffprobe's duration counts it; the decoded signal
 * does not). An Opus stream must start at 0 as ffmpeg reckons it (a stream cut from a broadcast
 * may not); a Vorbis stream is taken to (the start of one would take its setup header to work
 * out). Null for several streams or chained files.
 */
async function oggInfo(fh: FileHandle, size: number): Promise<{ codec: 'vorbis' | 'opus'; sampleRate: number; channels: number; samples: bigint } | null> {
  const head = await readAt(fh, 0, Math.min(size, 65536));
  const first = oggPage(head, 0);
  if (!first || !(first.flags & 2)) return null;
  const second = oggPage(head, first.length);
  if (second && (second.flags & 2 || second.serial !== first.serial)) return null; // multiplexed streams
  const p = head.subarray(first.body, first.at + first.length);
  let codec: 'vorbis' | 'opus';
  let sampleRate: number;
  let channels: number;
  if (p.length >= 16 && p[0] === 1 && p.toString('latin1', 1, 7) === 'vorbis') {
    codec = 'vorbis';
    channels = p[11];
    sampleRate = p.readUInt32LE(12);
  } else if (p.length >= 19 && p.toString('latin1', 0, 8) === 'OpusHead') {
    codec = 'opus';
    channels = p[9];
    sampleRate = 48000;
    if (opusStart(head, first.length) !== 0n) return null;
  } else return null;
  if (!channels || !sampleRate) return null;
  const tailStart = Math.max(0, size - 65536);
  const tail = tailStart === 0 ? head : await readAt(fh, tailStart, size - tailStart);
  let last = -1n;
  for (let at = tail.indexOf('OggS', 0, 'latin1'); at >= 0; at = tail.indexOf('OggS', at + 1, 'latin1')) {
    const page = oggPage(tail, at);
    if (!page) continue;
    if (page.serial !== first.serial) return null; // a chained file: ffprobe decides
    if (page.granule !== -1n) last = page.granule;
    at += page.length - 1;
  }
  if (last <= 0n) return null;
  return { codec, sampleRate, channels, samples: last };
}

/**
 * Rate, channels and total samples from a FLAC file's STREAMINFO (the first metadata block), once
 * the chain of metadata blocks has been walked to its last one and a frame starts after it. Null
 * when the sample count is not stated (0: ffmpeg then estimates) or a block overruns the file.
 */
async function flacStreamInfo(fh: FileHandle, size: number): Promise<{ sampleRate: number; channels: number; samples: number } | null> {
  const b = await readAt(fh, 0, 42);
  if (b.length < 42 || b.toString('latin1', 0, 4) !== 'fLaC' || (b[4] & 0x7f) !== 0 || b.readUIntBE(5, 3) !== 34) return null;
  let at = 4;
  for (let n = 0, last = false; !last; n++) {
    const h = await readAt(fh, at, 4);
    if (h.length < 4 || n > 1000) return null;
    last = (h[0] & 0x80) !== 0;
    at += 4 + h.readUIntBE(1, 3);
    if (at > size) return null;
  }
  const sync = await readAt(fh, at, 2);
  if (sync.length < 2 || sync[0] !== 0xff || (sync[1] & 0xfe) !== 0xf8) return null;
  const sampleRate = (b[18] << 12) | (b[19] << 4) | (b[20] >> 4);
  const channels = ((b[20] >> 1) & 7) + 1;
  const samples = (b[21] & 0x0f) * 2 ** 32 + b.readUInt32BE(22);
  return sampleRate && samples ? { sampleRate, channels, samples } : null;
}

// --- MP4 ---------------------------------------------------------------------------------------

interface Box {
  type: string;
  start: number; // of the payload
  end: number;
}

function* boxes(b: Buffer, from: number, to: number): Generator<Box> {
  let at = from;
  while (at + 8 <= to) {
    let len = b.readUInt32BE(at);
    let hdr = 8;
    if (len === 1) {
      if (at + 16 > to) return;
      len = Number(b.readBigUInt64BE(at + 8));
      hdr = 16;
    } else if (len === 0) len = to - at;
    if (len < hdr || at + len > to) throw new Unsure(); // a box overrunning its parent
    yield { type: b.toString('latin1', at + 4, at + 8), start: at + hdr, end: at + len };
    at += len;
  }
}

function child(b: Buffer, parent: Box, type: string, skip = 0): Box | undefined {
  for (const x of boxes(b, parent.start + skip, parent.end)) if (x.type === type) return x;
  return undefined;
}

/** "YYYY-MM-DDTHH:MM:SS.000000Z" of a 1904-based MP4 time (ffmpeg's creation_time), or null for 0. */
function mp4Time(t: number): string | null {
  if (!t) return null;
  const unix = t >= 2082844800 ? t - 2082844800 : t;
  return new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, '.000000Z');
}

function printable4cc(b: Buffer, at: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = b[at + i];
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `[${c}]`;
  }
  return s;
}

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** An MPEG-4 descriptor's tag and length (up to 4 bytes of 7 bits) at b[at]. */
function descriptor(b: Buffer, at: number, end: number): { tag: number; start: number; end: number } | null {
  if (at >= end) return null;
  const tag = b[at++];
  let len = 0;
  for (let i = 0; i < 4; i++) {
    if (at >= end) return null;
    const c = b[at++];
    len = (len << 7) | (c & 0x7f);
    if (!(c & 0x80)) break;
  }
  return at + len <= end ? { tag, start: at, end: at + len } : null;
}

/**
 * Rate and channels of an AAC-LC stream from its AudioSpecificConfig (in the sample entry's esds
 * box), as ffmpeg's decoder reports them. Null for anything else: another object type (HE-AAC,
 * where ffprobe reports the doubled SBR rate), a rate of 24 kHz or less (implicit SBR would double
 * it too), a channel layout in a program config element.
 */
function aacConfig(b: Buffer, entry: Box): { sampleRate: number; channels: number } | null {
  if (entry.type !== 'mp4a' || entry.start + 28 > entry.end) return null;
  if (b.readUInt16BE(entry.start + 8) !== 0) return null; // a QuickTime sound description of version 1 or 2
  const esds = child(b, entry, 'esds', 28);
  if (!esds) return null;
  const es = descriptor(b, esds.start + 4, esds.end);
  if (!es || es.tag !== 3) return null;
  const flags = b[es.start + 2];
  let at = es.start + 3 + (flags & 0x80 ? 2 : 0);
  if (flags & 0x40) at += 1 + b[at];
  if (flags & 0x20) at += 2;
  const dc = descriptor(b, at, es.end);
  if (!dc || dc.tag !== 4 || b[dc.start] !== 0x40) return null; // MPEG-4 audio
  const dsi = descriptor(b, dc.start + 13, dc.end);
  if (!dsi || dsi.tag !== 5 || dsi.end - dsi.start < 2) return null;
  const x = b.readUInt16BE(dsi.start);
  const objectType = x >> 11;
  const rateIndex = (x >> 7) & 15;
  const config = (x >> 3) & 15;
  if (objectType !== 2 || rateIndex >= AAC_RATES.length || config === 0) return null;
  const sampleRate = AAC_RATES[rateIndex];
  if (sampleRate <= 24000) return null;
  return { sampleRate, channels: config === 7 ? 8 : config };
}

/**
 * What ffmpeg's mov demuxer reads besides the iTunes tags: the brands (format tags), the movie
 * duration, and the audio track's language, handler name and vendor (stream tags). The whole
 * moov box is read (it holds the sample tables: small for a song); the media data is skipped.
 * Null for QuickTime files, several audio tracks, fragmented files, or anything unexpected.
 */
async function mp4Info(fh: FileHandle, size: number): Promise<{ us: number; sampleRate: number; channels: number; formatTags: Record<string, string>; streamTags: Record<string, string> } | null> {
  const formatTags: Record<string, string> = {};
  let moov: Buffer | null = null;
  let at = 0;
  while (at + 8 <= size) {
    const h = await readAt(fh, at, 16);
    if (h.length < 8) return null;
    let len = h.readUInt32BE(0);
    let hdr = 8;
    if (len === 1) {
      if (h.length < 16) return null;
      len = Number(h.readBigUInt64BE(8));
      hdr = 16;
    } else if (len === 0) len = size - at;
    if (len < hdr || at + len > size) return null;
    const type = h.toString('latin1', 4, 8);
    if (type === 'ftyp') {
      const f = await readAt(fh, at + hdr, Math.min(len - hdr, 4096));
      if (f.length < 8 || (f.length - 8) % 4) return null;
      const major = f.toString('latin1', 0, 4);
      if (major === 'qt  ' || !/^[\x20-\x7e]{4}$/.test(major)) return null;
      formatTags.major_brand = major;
      formatTags.minor_version = String(f.readUInt32BE(4));
      const brands = f.toString('latin1', 8);
      if (!/^[\x20-\x7e]*$/.test(brands)) return null;
      formatTags.compatible_brands = brands;
    } else if (type === 'moov') {
      if (len > 64 * 1024 * 1024 || moov) return null;
      moov = await readAt(fh, at + hdr, len - hdr);
      if (moov.length !== len - hdr) return null;
    } else if (type === 'moof' || type === 'mvex') return null;
    at += len;
  }
  if (!moov || !formatTags.major_brand) return null;
  const root: Box = { type: 'moov', start: 0, end: moov.length };
  const mvhd = child(moov, root, 'mvhd');
  if (!mvhd || child(moov, root, 'mvex')) return null;
  const v = moov[mvhd.start];
  const created = v === 1 ? Number(moov.readBigUInt64BE(mvhd.start + 4)) : moov.readUInt32BE(mvhd.start + 4);
  const timescale = moov.readUInt32BE(mvhd.start + (v === 1 ? 20 : 12));
  const duration = v === 1 ? Number(moov.readBigUInt64BE(mvhd.start + 24)) : moov.readUInt32BE(mvhd.start + 16);
  if (!timescale || !duration || (v !== 1 && duration === 0xffffffff)) return null;
  const ct = mp4Time(created);
  if (ct) formatTags.creation_time = ct;
  const streamTags: Record<string, string> = {};
  let audioTracks = 0;
  let aac: { sampleRate: number; channels: number } | null = null;
  for (const trak of boxes(moov, 0, moov.length)) {
    if (trak.type !== 'trak') continue;
    const mdia = child(moov, trak, 'mdia');
    if (!mdia) return null;
    const hdlrs = [...boxes(moov, mdia.start, mdia.end)].filter((x) => x.type === 'hdlr');
    if (hdlrs.length !== 1) return null;
    const hdlr = hdlrs[0];
    if (moov.toString('latin1', hdlr.start + 8, hdlr.start + 12) !== 'soun') {
      return null; // video, text or chapter tracks: ffprobe decides (stream order, tags)
    }
    if (++audioTracks > 1) return null;
    const mdhd = child(moov, mdia, 'mdhd');
    const minf = child(moov, mdia, 'minf');
    const stbl = minf && child(moov, minf, 'stbl');
    const stsd = stbl && child(moov, stbl, 'stsd');
    if (!mdhd || !stsd || (minf && child(moov, minf, 'hdlr'))) return null;
    const mv = moov[mdhd.start];
    const mcreated = mv === 1 ? Number(moov.readBigUInt64BE(mdhd.start + 4)) : moov.readUInt32BE(mdhd.start + 4);
    const lang = moov.readUInt16BE(mdhd.start + (mv === 1 ? 32 : 20));
    if (lang < 0x400) return null; // a Macintosh language code: ffmpeg maps those with a table
    const mct = mp4Time(mcreated);
    if (mct) streamTags.creation_time = mct;
    streamTags.language = String.fromCharCode(((lang >> 10) & 31) + 0x60, ((lang >> 5) & 31) + 0x60, (lang & 31) + 0x60);
    // handler name: a C string after 24 bytes (version/flags, pre_defined, type, 3 reserved)
    const name = moov.subarray(hdlr.start + 24, hdlr.end);
    const nul = name.indexOf(0);
    const handler = name.subarray(0, nul < 0 ? name.length : nul).toString('utf8');
    if (handler) {
      if (handler.charCodeAt(0) === handler.length - 1) return null; // a Pascal string: QuickTime rules
      streamTags.handler_name = handler;
    }
    // the first sample entry: size(4) format(4) reserved(6) dref(2) version(2) revision(2) vendor(4)
    if (moov.readUInt32BE(stsd.start + 4) !== 1) return null;
    const entry = [...boxes(moov, stsd.start + 8, stsd.end)][0];
    if (!entry) return null;
    aac = aacConfig(moov, entry);
    if (!aac) return null;
    streamTags.vendor_id = printable4cc(moov, entry.start + 12);
  }
  if (audioTracks !== 1 || !aac) return null;
  return { us: rescale(duration, 1e6, timescale), ...aac, formatTags, streamTags };
}

// --- tags --------------------------------------------------------------------------------------

/** ffmpeg's names for Vorbis comment fields (ff_vorbiscomment_metadata_conv), lower-cased. */
const VORBIS_NAMES: Record<string, string> = { albumartist: 'album_artist', tracknumber: 'track', discnumber: 'disc', description: 'comment' };

/** ffmpeg's names for ID3v2.3/2.4 frames (ff_id3v2_34_metadata_conv, ff_id3v2_4_metadata_conv). */
const ID3_NAMES: Record<string, string> = {
  TALB: 'album', TCOM: 'composer', TCON: 'genre', TCOP: 'copyright', TENC: 'encoded_by', TIT2: 'title',
  TLAN: 'language', TPE1: 'artist', TPE2: 'album_artist', TPE3: 'performer', TPOS: 'disc', TPUB: 'publisher',
  TRCK: 'track', TSSE: 'encoder', TCMP: 'compilation', TDRC: 'date', TDRL: 'date', TDEN: 'creation_time',
  TSOA: 'album-sort', TSOP: 'artist-sort', TSOT: 'title-sort', TIT1: 'grouping',
};
/** ID3v2.3 text frames whose '/' music-metadata splits on (FrameParser.splitValue). */
const ID3_SLASH_SPLIT = new Set(['TCOM', 'TEXT', 'TOLY', 'TOPE', 'TPE1', 'TSRC', 'TCON']);
/** Frames ffmpeg reads no tag from (pictures become a stream, the rest it skips). */
const ID3_NO_TAG = new Set(['APIC', 'UFID', 'POPM', 'PCNT', 'MCDI', 'WCOM', 'WCOP', 'WOAF', 'WOAR', 'WOAS', 'WORS', 'WPAY', 'WPUB', 'WXXX']);

/** ffmpeg's names for iTunes ilst atoms (mov_read_udta_string). */
const MP4_NAMES: Record<string, string> = {
  '©nam': 'title', '©ART': 'artist', '©alb': 'album', aART: 'album_artist', '©day': 'date', '©gen': 'genre', gnre: 'genre',
  trkn: 'track', disk: 'disc', '©wrt': 'composer', '©cmt': 'comment', '©too': 'encoder', cprt: 'copyright',
  desc: 'description', '©grp': 'grouping', '©lyr': 'lyrics', cpil: 'compilation', soaa: 'sort_album_artist',
  soal: 'sort_album', soar: 'sort_artist', soco: 'sort_composer', sonm: 'sort_name', '©com': 'composer',
};


/**
 * Vorbis comments as ffmpeg reads them (ff_vorbis_comment): a field without name or value is
 * dropped, repeated fields (names compared without case) are joined with ';', pictures are not
 * tags; then ffmpeg's names replace the Vorbis ones, a later field overwriting an earlier one that
 * comes to the same name (ALBUMARTIST, then album_artist). CHAPTERnn fields are chapters to
 * ffmpeg: unsure.
 */
function vorbisTags(native: ITag[]): Map<string, string> {
  const raw = new Map<string, string>();
  for (const { id, value } of native) {
    if (id === 'METADATA_BLOCK_PICTURE') continue;
    if (typeof value !== 'string' || /^CHAPTER\d/i.test(id)) throw new Unsure();
    if (!id || !value) continue;
    const k = id.toLowerCase();
    const had = raw.get(k);
    raw.set(k, had === undefined ? value : `${had};${value}`);
  }
  const tags = new Map<string, string>();
  for (const [k, v] of raw) tags.set(VORBIS_NAMES[k] ?? k, v);
  return tags;
}

function id3Tags(native: ITag[], version: 3 | 4): Map<string, string> {
  const raw = new Map<string, string>(); // frame id (or TXXX description, "comment") -> ffmpeg's value
  const splits = new Map<string, string[]>();
  for (const { id, value } of native) {
    if (id.startsWith('TXXX:')) {
      const key = id.slice(5);
      if (typeof value !== 'string' || raw.has(key.toUpperCase())) throw new Unsure(); // several values: ffmpeg keeps the first string only
      raw.set(key.toUpperCase(), value);
      splits.set(key.toUpperCase(), [key]);
      continue;
    }
    if (id === 'COMM' || id.startsWith('COMM:')) {
      const c = value as { descriptor?: string; text?: string } | null;
      if (!c || typeof c.text !== 'string') throw new Unsure();
      const key = c.descriptor ? c.descriptor : 'comment';
      if (!raw.has(key.toUpperCase())) {
        raw.set(key.toUpperCase(), c.text);
        splits.set(key.toUpperCase(), [key]);
      }
      continue;
    }
    if (ID3_NO_TAG.has(id)) continue;
    if (!/^T[A-Z0-9]{3}$/.test(id) || typeof value !== 'string') throw new Unsure();
    const list = splits.get(id) ?? [];
    list.push(value);
    splits.set(id, list);
  }
  const tags = new Map<string, string>();
  for (const [id, values] of splits) {
    let value: string;
    if (raw.has(id)) value = raw.get(id)!;
    else if (version === 3 && ID3_SLASH_SPLIT.has(id)) {
      if (id === 'TCON' && values.length > 1) throw new Unsure();
      value = values.join('/');
    } else value = values[0];
    if (id === 'TCON' && /^\(?\d+\)?$/.test(value.trim())) throw new Unsure(); // a numeric genre: ffmpeg maps it with its table
    const key = raw.has(id) ? splits.get(id)![0] : ID3_NAMES[id] ?? id;
    if (!raw.has(id) && value === '') continue; // ffmpeg sets no empty text frame
    if (tags.has(key.toLowerCase())) throw new Unsure(); // two frames for one name: ffmpeg's order decides
    tags.set(key.toLowerCase(), value);
  }
  if (version === 3) {
    // ffmpeg merges ID3v2.3's TYER (+ TDAT + TIME) into one date
    const tyer = tags.get('tyer');
    if (tyer !== undefined || tags.has('tdat') || tags.has('time')) {
      if (tyer === undefined || !/^\d{4}$/.test(tyer) || tags.has('date')) throw new Unsure();
      let date = tyer;
      const tdat = tags.get('tdat');
      if (tdat !== undefined) {
        if (!/^\d{4}$/.test(tdat)) throw new Unsure();
        date += `-${tdat.slice(2, 4)}-${tdat.slice(0, 2)}`;
        const time = tags.get('time');
        if (time !== undefined) {
          if (!/^\d{4}$/.test(time)) throw new Unsure();
          date += ` ${time.slice(0, 2)}:${time.slice(2, 4)}`;
        }
      } else if (tags.has('time')) throw new Unsure();
      tags.delete('tyer');
      tags.delete('tdat');
      tags.delete('time');
      tags.set('date', date);
    }
  }
  return tags;
}

function mp4Tags(native: ITag[]): Map<string, string> {
  const tags = new Map<string, string>();
  for (const { id, value } of native) {
    if (id === 'covr') continue; // a picture: ffmpeg makes it a stream
    // free-form atoms (mean, name, data): ffmpeg names the tag after `name`, and keeps no `cdec`
    const custom = /^----:[^:]+:(.+)$/.exec(id);
    if (custom?.[1] === 'cdec') continue;
    const key = custom ? custom[1] : MP4_NAMES[id];
    if (!key) throw new Unsure();
    let v: string;
    if (typeof value === 'string') v = value;
    else if (typeof value === 'number' || typeof value === 'boolean') v = String(Number(value));
    else throw new Unsure();
    if (id === 'trkn' || id === 'disk') v = v.replace(/\/0$/, '');
    if (tags.has(key.toLowerCase())) throw new Unsure();
    tags.set(key.toLowerCase(), v);
  }
  return tags;
}

// --- the probe ---------------------------------------------------------------------------------

async function sniff(fh: FileHandle, size: number): Promise<{ kind: Kind; audioAt: number } | null> {
  const head = await readAt(fh, 0, 64);
  if (head.length < 12) return null;
  const magic = head.toString('latin1', 0, 4);
  if (magic === 'OggS') return { kind: 'ogg', audioAt: 0 };
  if (magic === 'fLaC') return { kind: 'flac', audioAt: 0 };
  if (head.toString('latin1', 4, 8) === 'ftyp') return { kind: 'mp4', audioAt: 0 };
  const id3 = id3v2Length(head);
  if (id3 !== null) {
    if (id3 + 4 > size) return null;
    const after = await readAt(fh, id3, 4);
    return mpegFrame(after, 0) ? { kind: 'mp3', audioAt: id3 } : null;
  }
  return mpegFrame(head, 0) ? { kind: 'mp3', audioAt: 0 } : null;
}

async function parseWithTimeout(file: string): Promise<IAudioMetadata | null> {
  const mm = await musicMetadata();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), PARSE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([mm.parseFile(file, { duration: false, skipCovers: true }).catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * ffprobe's ProbeResult for an Ogg Vorbis/Opus, FLAC, MP3 or MP4 AAC file, read in-process, or
 * null where ffprobe must say (see the top of this file). `banner`: as the ffmpeg-banner route
 * gives it instead (no ffprobe): the duration to the centisecond and trimmed tag values.
 */
export async function probeCompressed(file: string, banner = false): Promise<ProbeResult | null> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch {
    return null;
  }
  let r: { us: number; codec: string; sampleRate: number; channels: number; streamTags: Record<string, string>; formatTags: Map<string, string> };
  try {
    const size = (await fh.stat()).size;
    const s = await sniff(fh, size);
    if (!s) return null;
    const meta = await parseWithTimeout(file);
    // music-metadata reads the zero padding after ID3v2 frames as a nameless frame and warns: harmless
    if (!meta || meta.quality.warnings.some((w) => !/(frame-header-ID: |empty tag type=)\0+$/.test(w.message))) return null;
    const f = meta.format;
    const native = meta.native ?? {};
    const types = Object.keys(native);
    /** The tags of the one tag type the container has (none: []), or null for others too. */
    const only = (t: string): ITag[] | null => (types.length === 0 ? [] : types.length === 1 && types[0] === t ? native[t] : null);
    if (s.kind === 'ogg') {
      const o = await oggInfo(fh, size);
      const t = only('vorbis');
      if (!o || !t || f.container !== 'Ogg' || f.codec !== (o.codec === 'vorbis' ? 'Vorbis I' : 'Opus')) return null;
      // (ffprobe lists Ogg's comments as stream tags, FLAC's as format tags: merged alike)
      r = { us: rescale(Number(o.samples), 1e6, o.sampleRate), codec: o.codec, sampleRate: o.sampleRate, channels: o.channels, streamTags: {}, formatTags: vorbisTags(t) };
    } else if (s.kind === 'flac') {
      const t = only('vorbis');
      const si = await flacStreamInfo(fh, size);
      if (!si || !t || f.container !== 'FLAC' || f.sampleRate !== si.sampleRate || f.numberOfChannels !== si.channels) return null;
      r = { us: rescale(si.samples, 1e6, si.sampleRate), codec: 'flac', sampleRate: si.sampleRate, channels: si.channels, streamTags: {}, formatTags: vorbisTags(t) };
    } else if (s.kind === 'mp3') {
      // ffmpeg ignores an ID3v1 tag when there is an ID3v2 tag; alone, it maps it with its genre table: not here
      const id3 = types.filter((t) => t !== 'ID3v1');
      const v = id3.length === 1 ? /^ID3v2\.([34])$/.exec(id3[0]) : null;
      if ((id3.length && !v) || (!v && types.includes('ID3v1')) || f.container !== 'MPEG' || !/Layer 3$/.test(f.codec ?? '')) return null;
      const m = await mp3Info(fh, size, s.audioAt, types.includes('ID3v1'));
      if (!m) return null;
      r = {
        us: m.us, codec: 'mp3', sampleRate: m.frame.sampleRate, channels: m.frame.channels,
        streamTags: m.encoder !== null ? { encoder: m.encoder } : {},
        formatTags: v ? id3Tags(native[id3[0]], Number(v[1]) as 3 | 4) : new Map<string, string>(),
      };
    } else {
      const t = only('iTunes');
      const m = await mp4Info(fh, size);
      if (!m || !t || f.codec !== 'MPEG-4/AAC') return null;
      r = { us: m.us, codec: 'aac', sampleRate: m.sampleRate, channels: m.channels, streamTags: m.streamTags, formatTags: new Map([...Object.entries(m.formatTags), ...mp4Tags(t)]) };
    }
  } catch (err) {
    if (err instanceof Unsure) return null;
    throw err;
  } finally {
    await fh.close();
  }
  // ffprobe's stream tags, then its format tags over them (as probeWithFfmpeg merges them)
  const tags: Record<string, string> = { ...r.streamTags };
  for (const [k, v] of r.formatTags) tags[k] = v;
  let duration = r.us / 1e6;
  if (banner) {
    // what parseBanner reads from ffmpeg's "Duration: HH:MM:SS.cc" (rounded to the centisecond),
    // values trimmed; the banner prints no `language` tag (it shows a stream's in the stream line)
    const cs = Math.floor((r.us + 5000) / 10000);
    duration = Math.floor(cs / 360000) * 3600 + (Math.floor(cs / 6000) % 60) * 60 + Number(((cs % 6000) / 100).toFixed(2));
    for (const k of Object.keys(tags)) tags[k] = tags[k].trim();
    delete tags.language;
    if (Object.values(tags).some((v) => /[\r\n]/.test(v))) return null; // the banner splits such a value over lines
  }
  return { duration, hasAudio: true, sampleRate: r.sampleRate, channels: r.channels, codec: r.codec, tags };
}
