import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { probeAudio, probeWithFfmpeg } from '../../src/audio/probe.js';
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
