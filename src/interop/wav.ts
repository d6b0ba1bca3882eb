import { readFileSync } from 'node:fs';
import { YasrError } from '../errors.js';

/** A decoded WAV file: interleaved channels mixed to mono float32. */
export interface WavAudio {
  sampleRate: number;
  channels: number;
  samples: Float32Array; // mono, length = frames
}

/**
 * Read a PCM (8/16/24/32-bit int) or IEEE float WAV file. 16-bit samples map to s / 32768, as
 * ffmpeg's f32le output does. Multichannel audio is averaged to mono.
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
