import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { decodeAudio, decodePcmWav, decodeWithFfmpeg, float32Samples, inProcessPcm } from '../../src/audio/decode.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { readPcmWavLayout } from '../../src/interop/wav.js';
import { referenceIt } from '../helpers/reference.js';
import { REFERENCE, tempDir } from '../helpers/cli.js';

/**
 * Plain PCM WAV files at the target rate are read in-process; the samples must be exactly
 * ffmpeg's (`-ac 1 -f f32le`), windows included (`-ss` / `-t`), and anything unusual goes to
 * ffmpeg.
 */
const SR = 22050;
const dir = tempDir('yasr-decode-');
let ffmpeg = '';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

type Kind = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64';
const KINDS: Record<Kind, [number, number]> = { u8: [1, 8], s16: [1, 16], s24: [1, 24], s32: [1, 32], f32: [3, 32], f64: [3, 64] };

/** A WAV of random samples (with full-scale extremes) in the given layout. */
function makeWav(name: string, kind: Kind, channels: number, frames: number, o: { rate?: number; extensible?: number; list?: Buffer; seed?: number } = {}): string {
  const [tag, bits] = KINDS[kind];
  const rate = o.rate ?? SR;
  const block = (channels * bits) / 8;
  const rand = rng(o.seed ?? 1);
  const data = Buffer.alloc(frames * block);
  const ext = (): number => {
    const r = rand();
    return r < 0.03 ? -1 : r > 0.97 ? 1 : 2 * rand() - 1;
  };
  for (let i = 0, p = 0; i < frames * channels; i++, p += bits / 8) {
    const v = ext();
    if (kind === 'u8') data[p] = Math.min(255, Math.floor((v + 1) * 128));
    else if (kind === 's16') data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.floor(v * 32768))), p);
    else if (kind === 's24') data.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.floor(v * 8388608))), p, 3);
    else if (kind === 's32') data.writeInt32LE(Math.max(-2147483648, Math.min(2147483647, Math.floor(v * 2147483648))), p);
    else if (kind === 'f32') data.writeFloatLE(v * (rand() < 0.05 ? 2.5 : 1), p);
    else data.writeDoubleLE(v * (rand() < 0.05 ? 2.5 : 1), p);
  }
  const fmt = Buffer.alloc(o.extensible !== undefined ? 40 : 16);
  fmt.writeUInt16LE(o.extensible !== undefined ? 0xfffe : tag, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE(rate * block, 8);
  fmt.writeUInt16LE(block, 12);
  fmt.writeUInt16LE(bits, 14);
  if (o.extensible !== undefined) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(bits, 18);
    fmt.writeUInt32LE(o.extensible, 20);
    fmt.writeUInt16LE(tag, 24);
    Buffer.from('000000001000800000aa00389b71', 'hex').copy(fmt, 26);
  }
  const chunk = (id: string, body: Buffer): Buffer => {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32LE(body.length, 4);
    return Buffer.concat([h, body, Buffer.alloc(body.length & 1)]);
  };
  const body = Buffer.concat([Buffer.from('WAVE', 'latin1'), chunk('fmt ', fmt), ...(o.list ? [chunk('LIST', o.list)] : []), chunk('data', data)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  const f = path.join(dir, name);
  writeFileSync(f, Buffer.concat([riff, body]));
  return f;
}

function bits(y: Float32Array): Uint32Array {
  return new Uint32Array(y.buffer, y.byteOffset, y.length);
}

/** In-process result (asserting that the in-process path was taken) and ffmpeg's. */
async function both(file: string, opts: { offset?: number; duration?: number } = {}): Promise<[Float32Array, Float32Array]> {
  const mine = await decodePcmWav(file, SR, opts, Infinity);
  expect(mine, `${file} was not read in-process`).not.toBeNull();
  return [mine!, await decodeWithFfmpeg(ffmpeg, file, opts)];
}

beforeAll(() => {
  ffmpeg = findFfmpeg().ffmpeg;
});

afterEach(() => {
  delete process.env.YASR_DECODER;
});

describe('in-process PCM WAV decoding is ffmpeg bit for bit', () => {
  const stereoHere = process.arch === 'x64';
  for (const kind of Object.keys(KINDS) as Kind[]) {
    for (const ch of [1, 2]) {
      it.skipIf(ch === 2 && !stereoHere)(`${kind}, ${ch === 1 ? 'mono' : 'stereo'}`, async () => {
        const f = makeWav(`${kind}-${ch}.wav`, kind, ch, 30_011, { seed: ch * 10 + kind.length });
        const [a, b] = await both(f);
        expect(a.length).toBe(30_011);
        expect(bits(a)).toEqual(bits(b));
        // and through decodeAudio itself
        expect(bits(await decodeAudio(ffmpeg, f))).toEqual(bits(b));
      });
    }
  }

  it('WAVE_FORMAT_EXTENSIBLE and a LIST/INFO chunk before the data', async () => {
    const info = Buffer.concat([Buffer.from('INFOINAM', 'latin1'), Buffer.from([5, 0, 0, 0]), Buffer.from('Song\0\0', 'latin1')]);
    const f = makeWav('ext.wav', 's24', 1, 12_345, { extensible: 0x4, list: info });
    const [a, b] = await both(f);
    expect(bits(a)).toEqual(bits(b));
  });

  it('windows (offset, duration) are the samples ffmpeg -ss / -t gives', async () => {
    const files = [makeWav('win-s16.wav', 's16', 1, SR * 8, { seed: 3 })];
    if (stereoHere) files.push(makeWav('win-s24s.wav', 's24', 2, SR * 8, { seed: 4 }));
    const rand = rng(42);
    const cases: [number | undefined, number | undefined][] = [
      [undefined, 2.5],
      [1.0000226757, 1.0000226757],
      [(1000.5 + 1e-9) / SR, 0.5],
      [4.53741, 0.04535], // 4.53741 s * 22050 = 100049.8905; 0.04535 * 22050 = 999.97
      [7.99, 3], // runs past the end
      [0, 0.0001], // two samples
      [0.000_000_1, undefined], // rounds to -ss 0.000000
    ];
    // offsets whose microseconds sit exactly on half a sample (us * 22050 / 1e6 = k + 0.5)
    for (let us = 1; cases.length < 10 && us < 10_000_000; us += 1) if ((us * 441) % 20000 === 10000) cases.push([us / 1e6, 0.25]);
    for (let k = 0; k < 8; k++) cases.push([rand() * 7, rand() < 0.3 ? undefined : rand() * 2]);
    for (const f of files) {
      for (const [offset, duration] of cases) {
        const [a, b] = await both(f, { offset, duration });
        expect(a.length, `${path.basename(f)} ${offset} ${duration}`).toBe(b.length);
        expect(bits(a)).toEqual(bits(b));
      }
    }
  });

  it('a window past the end fails as ffmpeg does', async () => {
    const f = makeWav('short.wav', 's16', 1, SR, { seed: 5 });
    const viaFfmpeg = await decodeWithFfmpeg(ffmpeg, f, { offset: 2, duration: 1 }).catch((e: Error) => e.message);
    const inProcess = await decodeAudio(ffmpeg, f, { offset: 2, duration: 1 }).catch((e: Error) => e.message);
    expect(inProcess).toBe(viaFfmpeg);
    expect(inProcess).toMatch(/no audio samples decoded/);
  });

  referenceIt('the reference clips (../shared/reference/clips) decode identically', async () => {
    const clips = path.join(REFERENCE, 'clips');
    for (const name of readdirSync(clips).filter((n) => n.endsWith('.wav'))) {
      const [a, b] = await both(path.join(clips, name));
      expect(bits(a), name).toEqual(bits(b));
    }
  });
});

describe('anything unusual goes to ffmpeg', () => {
  it('another sample rate, 3 channels, odd extensible masks, tiny durations', async () => {
    const f44 = makeWav('r44.wav', 's16', 1, 4410, { rate: 44100 });
    expect(await decodePcmWav(f44, SR, {}, Infinity)).toBeNull();
    expect((await decodeAudio(ffmpeg, f44)).length).toBe(2205); // resampled by ffmpeg
    expect(await readPcmWavLayout(makeWav('c3.wav', 's16', 3, 1000))).toBeNull();
    expect(await readPcmWavLayout(makeWav('mask.wav', 's16', 2, 1000, { extensible: 0x30 }))).toBeNull();
    const ok = makeWav('ok.wav', 's16', 1, 4000);
    expect(await decodePcmWav(ok, SR, { duration: 0.00001 }, Infinity)).toBeNull(); // ffmpeg emits a whole packet
    expect(await decodePcmWav(ok, SR, { duration: -1 }, Infinity)).toBeNull();
    expect(await decodePcmWav(ok, SR, {}, 100)).toBeNull(); // over the limit: ffmpeg's path reports it
  });

  it('lying or truncated headers, S/PDIF-looking data', async () => {
    const good = makeWav('good.wav', 's16', 1, 4000);
    const { readFileSync } = await import('node:fs');
    const g = readFileSync(good);
    const variants: Record<string, Buffer> = {
      truncated: g.subarray(0, 3000),
      riffSize: Buffer.from(g),
      dataSize: Buffer.from(g),
      blockAlign: Buffer.from(g),
      spdif: Buffer.from(g),
      notWave: Buffer.from(g),
    };
    variants.riffSize.writeUInt32LE(0xffffffff, 4);
    variants.dataSize.writeUInt32LE(0xffffffff, 40);
    variants.blockAlign.writeUInt16LE(4, 32);
    Buffer.from([0x72, 0xf8, 0x1f, 0x4e]).copy(variants.spdif, 100);
    variants.notWave.write('AVI ', 8, 'latin1');
    for (const [k, b] of Object.entries(variants)) {
      const f = path.join(dir, `bad-${k}.wav`);
      writeFileSync(f, b);
      expect(await readPcmWavLayout(f), k).toBeNull();
    }
    expect(await readPcmWavLayout(good)).not.toBeNull();
  });

  it('YASR_DECODER=ffmpeg turns the in-process path off', async () => {
    expect(inProcessPcm()).toBe(true);
    process.env.YASR_DECODER = 'ffmpeg';
    expect(inProcessPcm()).toBe(false);
  });

  it('a missing file still fails with ffmpeg\'s reason', async () => {
    const missing = path.join(dir, 'nope.wav');
    expect(existsSync(missing)).toBe(false);
    await expect(decodeAudio(ffmpeg, missing)).rejects.toThrow(/nope\.wav.*No such file/);
  });
});

describe('samples from ffmpeg\'s pipe', () => {
  it('a Buffer that owns its memory becomes the samples without a copy; a pooled one is copied', () => {
    const want = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i) * 0.5);
    const bytes = Buffer.from(want.buffer);
    // as runProcess collects stdout: Buffer.concat of chunks, plus a trailing partial sample
    const owned = Buffer.concat([bytes.subarray(0, 5000), bytes.subarray(5000), Buffer.from([1, 2])]);
    expect(owned.byteOffset === 0 && owned.buffer.byteLength === owned.length).toBe(true);
    const a = float32Samples(owned, 3000);
    expect(a.buffer).toBe(owned.buffer);
    expect(Array.from(a)).toEqual(Array.from(want));
    const pooled = Buffer.from(bytes.subarray(0, 400)); // small Buffers are cut from a shared pool
    const b = float32Samples(pooled, 100);
    expect(b.buffer).not.toBe(pooled.buffer);
    expect(b.buffer.byteLength).toBe(400);
    expect(Array.from(b)).toEqual(Array.from(want.subarray(0, 100)));
    const odd = Buffer.concat([Buffer.alloc(4097), bytes]).subarray(1); // owning its memory, not at offset 0
    expect(Array.from(float32Samples(odd, 3000).subarray(0, 1000))).toEqual(Array.from(new Float32Array(1000)));
  });

  it('ffmpeg\'s samples are unchanged by the zero-copy path (same as the in-process reader)', async () => {
    delete process.env.YASR_DECODER;
    const f = makeWav('pipe-check.wav', 'f32', 1, 40000, { seed: 9 });
    const viaFfmpeg = await decodeWithFfmpeg(ffmpeg, f, { sr: SR });
    const inProcess = await decodeAudio(ffmpeg, f, { sr: SR });
    expect(viaFfmpeg.length).toBe(40000);
    expect(Buffer.from(viaFfmpeg.buffer, viaFfmpeg.byteOffset, viaFfmpeg.byteLength).equals(Buffer.from(inProcess.buffer, inProcess.byteOffset, inProcess.byteLength))).toBe(true);
  });
});
