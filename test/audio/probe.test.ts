import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { probeAudio, probeWithFfmpeg } from '../../src/audio/probe.js';
import { probeCompressed } from '../../src/audio/probe-compressed.js';
import { YasrError } from '../../src/errors.js';
import { findFfmpeg, type FfmpegTools } from '../../src/audio/ffmpeg.js';
import { readPcmWavLayout } from '../../src/interop/wav.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { referenceIt } from '../helpers/reference.js';
import { ffmpeg, REFERENCE, tempDir } from '../helpers/cli.js';

/** A plain PCM WAV is probed from its header: the same ProbeResult as ffprobe's (or the banner's). */
const dir = tempDir('yasr-probe-');
let tools: FfmpegTools;
const files: string[] = [];

beforeAll(() => {
  tools = findFfmpeg();
  const base = path.join(dir, 'base.wav');
  const y = new Float32Array(22050 * 3 + 17).map((_, i) => Math.sin(i / 7) * 0.5);
  writeWav(base, y, 22050);
  files.push(base);
  const meta = ['-metadata', 'title=A Song', '-metadata', 'artist=Some Band', '-metadata', 'album=The Album', '-metadata', 'date=2021-04-05', '-metadata', 'genre=Ambient', '-metadata', 'comment=hello'];
  const variants: [string, string[]][] = [
    ['tagged.wav', [...meta, '-c:a', 'pcm_s16le']],
    ['s24-stereo-44k.wav', ['-ac', '2', '-ar', '44100', '-c:a', 'pcm_s24le', '-metadata', 'title=Odd']],
    ['u8.wav', ['-c:a', 'pcm_u8', '-ar', '11025']],
    ['f32.wav', ['-c:a', 'pcm_f32le', '-ar', '48000', '-metadata', 'artist=X']],
    ['f64-stereo.wav', ['-ac', '2', '-c:a', 'pcm_f64le']],
    ['s32.wav', ['-c:a', 'pcm_s32le', '-ar', '8000']],
    ['nolist.wav', ['-c:a', 'pcm_s16le', '-bitexact', '-fflags', '+bitexact', '-flags:a', '+bitexact']],
  ];
  for (const [name, args] of variants) {
    const f = path.join(dir, name);
    ffmpeg(['-i', base, ...args, f]);
    files.push(f);
  }
});

describe('WAV probe from the header', () => {
  it('equals ffprobe for files written by yasr and by ffmpeg', async () => {
    for (const f of files) {
      expect(await readPcmWavLayout(f), f).not.toBeNull();
      const mine = await probeAudio(tools, f);
      const theirs = await probeWithFfmpeg(tools, f);
      expect(mine, path.basename(f)).toEqual(theirs);
    }
    expect((await probeAudio(tools, files[1])).tags).toMatchObject({ title: 'A Song', artist: 'Some Band', album: 'The Album' });
  });

  it("equals the ffmpeg-banner route when there is no ffprobe", async () => {
    const noProbe: FfmpegTools = { ...tools, ffprobe: null };
    for (const f of files) expect(await probeAudio(noProbe, f), path.basename(f)).toEqual(await probeWithFfmpeg(noProbe, f));
  });

  referenceIt('equals ffprobe for the reference clips', async () => {
    const clips = path.join(REFERENCE, 'clips');
    for (const name of readdirSync(clips).filter((n) => n.endsWith('.wav'))) {
      const f = path.join(clips, name);
      expect(await probeAudio(tools, f), name).toEqual(await probeWithFfmpeg(tools, f));
    }
  });

  it('YASR_DECODER=ffmpeg probes with ffprobe', async () => {
    process.env.YASR_DECODER = 'ffmpeg';
    try {
      expect(await probeAudio(tools, files[1])).toEqual(await probeWithFfmpeg(tools, files[1]));
    } finally {
      delete process.env.YASR_DECODER;
    }
  });
});

/**
 * Compressed files probed in-process (src/audio/probe-compressed.ts): for files ffmpeg writes in
 * each container, with tags in several scripts, the same ProbeResult as ffprobe's, duration to
 * the microsecond included (both read the same header fields and round the same way: see the
 * checks of the durations against the closed forms below); and hostile files end in one line.
 */
const cdir = tempDir('yasr-probe-c-');
const TAGS: Record<string, string> = {
  artist: 'Sigur Rós', title: '東京', album: 'Ágætis byrjun', date: '1999-06-12', genre: 'Post-rock', track: '3/12',
  album_artist: 'Various', comment: 'hello', disc: '1/2', composer: 'Jónsi',
};
const meta = Object.entries(TAGS).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]);
/** name, ffmpeg arguments, sample rate, channels, codec */
const compressed: [string, string[], number, number, string][] = [
  ['vorbis.ogg', ['-c:a', 'libvorbis', '-ar', '44100', '-ac', '2'], 44100, 2, 'vorbis'],
  ['vorbis-mono.oga', ['-c:a', 'libvorbis', '-ar', '22050', '-ac', '1'], 22050, 1, 'vorbis'],
  ['opus.opus', ['-c:a', 'libopus', '-ar', '48000', '-ac', '2'], 48000, 2, 'opus'],
  ['opus-from-22k.ogg', ['-c:a', 'libopus', '-ac', '1'], 48000, 1, 'opus'],
  ['flac.flac', ['-c:a', 'flac', '-ar', '44100', '-ac', '2'], 44100, 2, 'flac'],
  ['flac-24.flac', ['-c:a', 'flac', '-ar', '96000', '-ac', '1', '-sample_fmt', 's32'], 96000, 1, 'flac'],
  ['cbr.mp3', ['-c:a', 'libmp3lame', '-b:a', '128k', '-ar', '44100', '-ac', '2'], 44100, 2, 'mp3'],
  ['vbr.mp3', ['-c:a', 'libmp3lame', '-q:a', '4', '-ar', '22050', '-ac', '1'], 22050, 1, 'mp3'],
  ['id3v23.mp3', ['-c:a', 'libmp3lame', '-b:a', '64k', '-ar', '32000', '-ac', '1', '-id3v2_version', '3'], 32000, 1, 'mp3'],
  ['mpeg25.mp3', ['-c:a', 'libmp3lame', '-b:a', '32k', '-ar', '11025', '-ac', '1'], 11025, 1, 'mp3'],
  ['noxing.mp3', ['-c:a', 'libmp3lame', '-b:a', '96k', '-ar', '44100', '-ac', '2', '-write_xing', '0'], 44100, 2, 'mp3'],
  ['aac.m4a', ['-c:a', 'aac', '-b:a', '96k', '-ar', '44100', '-ac', '2'], 44100, 2, 'aac'],
  ['aac-faststart.m4a', ['-c:a', 'aac', '-ar', '48000', '-ac', '1', '-movflags', '+faststart'], 48000, 1, 'aac'],
];
const SECONDS = 3.3;

beforeAll(() => {
  const src = ['-f', 'lavfi', '-i', `sine=f=440:d=${SECONDS}:sample_rate=22050`];
  for (const [name, args] of compressed) ffmpeg([...src, ...meta, ...args, path.join(cdir, name)]);
  ffmpeg([...src, '-c:a', 'libvorbis', path.join(cdir, 'untagged.ogg')]);
  ffmpeg([...src, '-c:a', 'libmp3lame', '-id3v2_version', '0', path.join(cdir, 'untagged.mp3')]);
  ffmpeg([...src, '-c:a', 'flac', '-metadata', 'artist=AC/DC', '-metadata', 'ARTIST=second', path.join(cdir, 'slash.flac')]);
  ffmpeg([...src, '-c:a', 'libmp3lame', '-id3v2_version', '3', '-metadata', 'artist=AC/DC', '-metadata', 'date=2001', path.join(cdir, 'slash-v23.mp3')]);
  // an ID3v1 tag after the audio: ffmpeg ignores it when there is an ID3v2 tag
  ffmpeg([...src, ...meta, '-c:a', 'libmp3lame', '-write_id3v1', '1', path.join(cdir, 'v2-and-v1.mp3')]);
});

/** `flac` with its metadata blocks' VORBIS_COMMENT replaced by one holding `fields` (its stated length `lie` if given). */
function withComments(flac: Buffer, fields: string[], lie?: number): Buffer {
  const blocks: Buffer[] = [];
  let p = 4;
  for (let last = false; !last; ) {
    last = (flac[p] & 0x80) !== 0;
    const len = flac.readUIntBE(p + 1, 3);
    if ((flac[p] & 0x7f) !== 4) blocks.push(Buffer.concat([Buffer.from([flac[p] & 0x7f]), flac.subarray(p + 1, p + 4 + len)]));
    p += 4 + len;
  }
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
  const body = Buffer.concat([u32(6), Buffer.from('vendor'), u32(fields.length), ...fields.flatMap((f) => [u32(Buffer.byteLength(f)), Buffer.from(f)])]);
  const head = Buffer.alloc(4);
  head[0] = 4;
  head.writeUIntBE(lie ?? body.length, 1, 3);
  blocks.splice(1, 0, Buffer.concat([head, body]));
  blocks[blocks.length - 1][0] |= 0x80;
  return Buffer.concat([flac.subarray(0, 4), ...blocks, flac.subarray(p)]);
}

/** The Ogg page CRC (polynomial 0x04c11db7, not reflected, over the page with its CRC field zeroed). */
function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    crc ^= (i >= 22 && i < 26 ? 0 : page[i]) << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return crc;
}

/** `ogg` (Vorbis) with the first user comment's length stated as `len`, its page CRC made right again. */
function bogusCommentLength(ogg: Buffer, len: number): Buffer {
  const b = Buffer.from(ogg);
  const pageLength = (at: number) => 27 + b[at + 26] + b.subarray(at + 27, at + 27 + b[at + 26]).reduce((a, x) => a + x, 0);
  const p = pageLength(0);
  const body = p + 27 + b[p + 26];
  const vendor = b.readUInt32LE(body + 7);
  b.writeUInt32LE(len, body + 11 + vendor + 4);
  const page = b.subarray(p, p + pageLength(p));
  page.writeUInt32LE(oggCrc(page), 22);
  return b;
}

/** `m4a` (moov last) with free-form atoms (mean, name, data) appended to moov/udta/meta/ilst. */
function withFreeForm(m4a: Buffer, items: [string, string, string][]): Buffer {
  const box = (type: string, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    const h = Buffer.alloc(8);
    h.writeUInt32BE(8 + body.length);
    h.write(type, 4, 'latin1');
    return Buffer.concat([h, body]);
  };
  const full = (type: string, payload: Buffer, flags = 0) => box(type, Buffer.from([0, 0, 0, flags]), payload);
  const added = Buffer.concat(items.map(([mean, name, value]) => box('----', full('mean', Buffer.from(mean)), full('name', Buffer.from(name)), full('data', Buffer.concat([Buffer.alloc(4), Buffer.from(value)]), 1))));
  const b = Buffer.from(m4a);
  // the path of boxes down to ilst, each box's start (moov is the file's last box)
  const path: number[] = [];
  let at = 0;
  let end = b.length;
  for (const want of ['moov', 'udta', 'meta', 'ilst']) {
    while (b.toString('latin1', at + 4, at + 8) !== want) {
      at += b.readUInt32BE(at);
      if (at >= end) throw new Error(`no ${want}`);
    }
    path.push(at);
    end = at + b.readUInt32BE(at);
    at += want === 'meta' ? 12 : 8;
  }
  for (const start of path) b.writeUInt32BE(b.readUInt32BE(start) + added.length, start);
  return Buffer.concat([b.subarray(0, end), added, b.subarray(end)]);
}

/** An ID3v2.`v` tag of `frames` ([id, body]) with 100 bytes of padding. */
function id3Tag(frames: [string, Buffer][], v: 3 | 4): Buffer {
  const syncsafe = (n: number) => Buffer.from([(n >> 21) & 127, (n >> 14) & 127, (n >> 7) & 127, n & 127]);
  const size = (n: number) => (v === 4 ? syncsafe(n) : Buffer.from([n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255]));
  const body = Buffer.concat([...frames.map(([id, data]) => Buffer.concat([Buffer.from(id, 'latin1'), size(data.length), Buffer.alloc(2), data])), Buffer.alloc(100)]);
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([v, 0, 0]), syncsafe(body.length), body]);
}
/** A text frame body: encoding byte (0 Latin-1, 1 UTF-16 with BOM, 3 UTF-8) and the text. */
function id3Text(text: string, enc: 0 | 1 | 3 = 3): Buffer {
  const t = enc === 3 ? Buffer.from(text, 'utf8') : enc === 0 ? Buffer.from(text, 'latin1') : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  return Buffer.concat([Buffer.from([enc]), t]);
}

describe('compressed files probed in-process', () => {
  it('equal ffprobe: codec, rate, channels, tags and duration', async () => {
    const names = [...compressed.map(([n]) => n), 'untagged.ogg', 'untagged.mp3', 'slash.flac', 'slash-v23.mp3', 'v2-and-v1.mp3'];
    for (const name of names) {
      const f = path.join(cdir, name);
      const mine = await probeCompressed(f);
      expect(mine, name).not.toBeNull();
      expect(mine, name).toEqual(await probeWithFfmpeg(tools, f));
    }
  });

  it('give the values the files were made with', async () => {
    for (const [name, , rate, channels, codec] of compressed) {
      const p = (await probeCompressed(path.join(cdir, name)))!;
      expect(p.sampleRate, name).toBe(rate);
      expect(p.channels, name).toBe(channels);
      expect(p.codec, name).toBe(codec);
      for (const k of ['artist', 'title', 'album', 'genre', 'composer', 'album_artist']) expect(p.tags[k], `${name} ${k}`).toBe(TAGS[k]);
      // each codec adds its encoder delay and pads the last frame (LAME at 11,025 Hz: 148 ms)
      expect(p.duration!, name).toBeGreaterThanOrEqual(SECONDS - 0.001);
      expect(p.duration!, name).toBeLessThan(SECONDS + 0.2);
    }
  });

  it("read Vorbis comments as ffmpeg does: repeats joined with ';', empty fields dropped, the later of two names for one tag wins", async () => {
    const f = path.join(cdir, 'comments.flac');
    const fields = ['ARTIST=One', 'artist=Two', 'Title=T', 'TRACKNUMBER=3', 'tracktotal=9', 'ALBUMARTIST=AA', 'album_artist=BB', 'Empty=', 'DESCRIPTION=multi\nline'];
    writeFileSync(f, withComments(readFileSync(path.join(cdir, 'slash.flac')), fields));
    const mine = await probeCompressed(f);
    expect(mine!.tags).toEqual({ artist: 'One;Two', title: 'T', track: '3', tracktotal: '9', album_artist: 'BB', comment: 'multi\nline' });
    expect(mine).toEqual(await probeWithFfmpeg(tools, f));
  });

  it('leave to ffprobe what they are unsure of: an ID3v1 tag alone, AAC at 24 kHz or less (implicit SBR would double it)', async () => {
    const v2v1 = readFileSync(path.join(cdir, 'v2-and-v1.mp3'));
    const id3 = 10 + ((v2v1[6] << 21) | (v2v1[7] << 14) | (v2v1[8] << 7) | v2v1[9]);
    const v1 = path.join(cdir, 'v1-alone.mp3');
    writeFileSync(v1, v2v1.subarray(id3));
    const aac22 = path.join(cdir, 'aac-22k.m4a');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', '-ar', '22050', aac22]);
    for (const f of [v1, aac22]) {
      expect(await probeCompressed(f), f).toBeNull();
      expect(await probeAudio(tools, f), f).toEqual(await probeWithFfmpeg(tools, f));
    }
  });

  it('MP3 durations: the frames after the Info frame x 1,152 / rate; without one, audio bytes x 8 / bit rate', async () => {
    /** MPEG-1 Layer III frames (44.1 kHz) after the ID3v2 tag of `b`, counted by walking their headers. */
    const frames = (b: Buffer): { n: number; id3: number } => {
      const id3 = 10 + ((b[6] << 21) | (b[7] << 14) | (b[8] << 7) | b[9]);
      let n = 0;
      for (let at = id3; at + 4 <= b.length && b[at] === 0xff; n++) {
        const kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320][b[at + 2] >> 4];
        at += Math.floor((144 * kbps * 1000) / 44100) + ((b[at + 2] >> 1) & 1);
      }
      return { n, id3 };
    };
    const cbr = readFileSync(path.join(cdir, 'cbr.mp3'));
    expect((await probeCompressed(path.join(cdir, 'cbr.mp3')))!.duration).toBe(Math.round(((frames(cbr).n - 1) * 1152 * 1e6) / 44100) / 1e6);
    const noxing = readFileSync(path.join(cdir, 'noxing.mp3'));
    expect(frames(noxing).n * 1152 / 44100).toBeCloseTo(((noxing.length - frames(noxing).id3) * 8) / 96000, 3);
    expect((await probeCompressed(path.join(cdir, 'noxing.mp3')))!.duration).toBe(Math.round(((noxing.length - frames(noxing).id3) * 8 * 1e6) / 96000) / 1e6);
  });

  it('read ID3v2 frames as ffmpeg does (first string of a frame, first frame, genres by number, v2.3 dates and slashes), or leave them to ffprobe', async () => {
    const untagged = readFileSync(path.join(cdir, 'untagged.mp3'));
    const comm = (desc: string, text: string) => Buffer.from(`\x03eng${desc}\x00${text}`, 'utf8');
    const cases: [string, [string, Buffer][], 3 | 4, boolean][] = [
      ['comments', [['TIT2', id3Text('T')], ['COMM', comm('', 'plain')], ['COMM', comm('foo', 'with a description')]], 4, true],
      ['genre-number', [['TIT2', id3Text('T')], ['TCON', id3Text('(17)')]], 4, true],
      ['several', [['TPE1', id3Text('A\0B')], ['TIT2', id3Text('T1')], ['TIT2', id3Text('T2')]], 4, true],
      ['unknown', [['TBPM', id3Text('120')], ['WOAR', Buffer.from('http://x')], ['TKEY', id3Text('Am')]], 4, true],
      ['encodings', [['TPE1', id3Text('東京 Sigur Rós', 1)], ['TALB', id3Text('Ágætis', 0)]], 4, true],
      ['empty', [['TPE1', id3Text('')], ['TIT2', id3Text('x')]], 4, true],
      ['v23-date', [['TYER', id3Text('1999', 0)], ['TDAT', id3Text('1206', 0)], ['TIME', id3Text('1530', 0)], ['TPE1', id3Text('AC/DC', 0)]], 3, true],
      ['v23-genres', [['TCON', id3Text('Rock/Pop', 0)]], 3, true],
      ['private', [['PRIV', Buffer.from('owner\0data')], ['TIT2', id3Text('x')]], 4, false],
      ['txxx-artist', [['TXXX', Buffer.from('\x03ARTIST\x00tx')], ['TPE1', id3Text('real')]], 4, false],
      ['v23-nul', [['TPE1', id3Text('A\0B', 0)]], 3, false],
    ];
    expect(untagged.toString('latin1', 0, 3)).not.toBe('ID3'); // made with -id3v2_version 0
    for (const [name, frames, v, inProcess] of cases) {
      const f = path.join(cdir, `id3-${name}.mp3`);
      writeFileSync(f, Buffer.concat([id3Tag(frames, v), untagged]));
      const mine = await probeCompressed(f);
      if (inProcess) expect(mine, name).toEqual(await probeWithFfmpeg(tools, f));
      else expect(mine, name).toBeNull();
    }
    expect((await probeCompressed(path.join(cdir, 'id3-genre-number.mp3')))!.tags.genre).toBe('Rock');
    expect((await probeCompressed(path.join(cdir, 'id3-v23-date.mp3')))!.tags).toMatchObject({ date: '1999-06-12 15:30', artist: 'AC/DC' });
  });

  it("read MP4 free-form tags as ffmpeg does: named after their name atom, cdec dropped", async () => {
    const f = path.join(cdir, 'freeform.m4a');
    const smpb = ' 00000000 00000840 000001C0 0000000000023D00 00000000';
    writeFileSync(f, withFreeForm(readFileSync(path.join(cdir, 'aac.m4a')), [['com.apple.iTunes', 'iTunSMPB', smpb], ['com.apple.iTunes', 'cdec', 'x'], ['org.example', 'MOOD', 'calm']]));
    const mine = await probeCompressed(f);
    expect(mine!.tags).toMatchObject({ itunsmpb: smpb, mood: 'calm', artist: 'Sigur Rós' });
    expect(mine!.tags.cdec).toBeUndefined();
    expect(mine).toEqual(await probeWithFfmpeg(tools, f));
  });

  it('FLAC and Ogg durations are the sample counts over the rate', async () => {
    // lavfi's sine of 3.3 s at 22,050 Hz is 72,765 samples; FLAC keeps them exactly
    expect((await probeCompressed(path.join(cdir, 'slash.flac')))!.duration).toBe(72765 / 22050);
    // resampled to 44.1 kHz: 145,530 samples; Vorbis keeps them exactly (the last granule position)
    expect((await probeCompressed(path.join(cdir, 'vorbis.ogg')))!.duration).toBe(Math.round((145530 / 44100) * 1e6) / 1e6);
  });

  it('equal the ffmpeg-banner route when there is no ffprobe', async () => {
    const noProbe: FfmpegTools = { ...tools, ffprobe: null };
    for (const [name] of compressed) {
      const f = path.join(cdir, name);
      const theirs = await probeWithFfmpeg(noProbe, f);
      const mine = await probeAudio({ ...noProbe, ffmpeg: '/nonexistent/ffmpeg' }, f);
      // the banner prints a multi-line value over several lines: none here
      expect(mine, name).toEqual(theirs);
    }
  });

  it('probeAudio starts no process for them (a missing ffprobe is not needed)', async () => {
    const none: FfmpegTools = { ...tools, ffmpeg: '/nonexistent/ffmpeg', ffprobe: '/nonexistent/ffprobe' };
    for (const [name] of compressed) expect((await probeAudio(none, path.join(cdir, name))).codec, name).toBeTruthy();
  });

  it('YASR_DECODER=ffmpeg sends them to ffprobe', async () => {
    process.env.YASR_DECODER = 'ffmpeg';
    try {
      const none: FfmpegTools = { ...tools, ffmpeg: '/nonexistent/ffmpeg', ffprobe: '/nonexistent/ffprobe' };
      await expect(probeAudio(none, path.join(cdir, 'vorbis.ogg'))).rejects.toThrow();
    } finally {
      delete process.env.YASR_DECODER;
    }
  });

  it('hostile files: ffprobe decides, and a failure is one line naming the file', async () => {
    const good = readFileSync(path.join(cdir, 'cbr.mp3'));
    const cases: [string, Buffer][] = [
      ['empty.mp3', Buffer.alloc(0)],
      ['text.mp3', Buffer.from('this is not audio at all, just some text\n'.repeat(20))],
      ['bogus-id3-size.mp3', Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f]), good.subarray(200)])],
      ['bogus-comment-size.flac', withComments(readFileSync(path.join(cdir, 'flac.flac')), ['ARTIST=x'], 0xffffff)],
      ['bogus-comment-size.ogg', bogusCommentLength(readFileSync(path.join(cdir, 'vorbis.ogg')), 0x7fffff00)],
    ];
    const m4a = readFileSync(path.join(cdir, 'aac-faststart.m4a'));
    const moov = m4a.indexOf('moov') - 4;
    cases.push(['bogus-moov-size.m4a', Buffer.concat([m4a.subarray(0, moov), Buffer.from([0x7f, 0xff, 0xff, 0xff]), m4a.subarray(moov + 4)])]);
    for (const name of ['vorbis.ogg', 'opus.opus', 'flac.flac', 'cbr.mp3', 'aac.m4a', 'aac-faststart.m4a']) {
      const b = readFileSync(path.join(cdir, name));
      cases.push([`cut-${name}`, b.subarray(0, Math.floor(b.length / 2))]);
      cases.push([`head-${name}`, b.subarray(0, 40)]);
    }
    for (const [name, data] of cases) {
      const f = path.join(cdir, name);
      writeFileSync(f, data);
      const mine = await probeAudio(tools, f).catch((e: Error) => e);
      const theirs = await probeWithFfmpeg(tools, f).catch((e: Error) => e);
      if (theirs instanceof Error) {
        expect(mine, name).toBeInstanceOf(YasrError);
        expect((mine as Error).message, name).toBe(theirs.message);
        expect((mine as Error).message, name).toContain(f);
        expect((mine as Error).message, name).not.toContain('\n');
      } else expect(mine, name).toEqual(theirs);
    }
    for (const name of ['empty.mp3', 'text.mp3', 'bogus-id3-size.mp3', 'bogus-comment-size.flac', 'bogus-comment-size.ogg', 'bogus-moov-size.m4a', 'head-aac.m4a']) {
      expect(await probeCompressed(path.join(cdir, name)), name).toBeNull();
    }
  });
});
