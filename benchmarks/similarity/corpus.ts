/**
 * Realistic MFCC sequences for the similarity benchmarks, built from the 8 real reference clips
 * (../shared/reference/expected/real_*.mfcc.npy: 20 x 431 frames, 10 s each).
 *
 * A "family" is one synthetic song; its members are related tracks (other takes, edits, covers):
 * - the song: segments of 86..344 frames (2..8 s) at random offsets, 70 % from the family's
 *   primary clip and 30 % from any clip, concatenated to 1.3 x the target length;
 * - each member: the song time-stretched by a factor in [0.92, 1.08] (linear interpolation
 *   between frames), started at a random offset in [0, 10 %) of the target length, cut to the
 *   target length (1292 frames = 30 s at 22050 Hz / hop 512), plus Gaussian noise of 0.15 x the
 *   per-coefficient std of the real clips on every value, plus a per-member offset on
 *   coefficient 0 (loudness) of N(0, 0.3 x its std).
 * Tracks are stored family by family: track t belongs to family floor(t / familySize).
 * Deterministic for a given seed.
 */
import { seededRandom } from '../../src/util/random.js';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../src/interop/npy.js';
import { toFrameMajor } from '../../src/similarity/pool.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The reference `expected` directory: $YASR_REFERENCE/expected, else ../shared/reference/expected
 * from the repo root (found by walking up from this file).
 */
export function referenceDir(): string {
  if (process.env.YASR_REFERENCE) return path.join(process.env.YASR_REFERENCE, 'expected');
  let d = here;
  for (let up = 0; up < 6; up++) {
    const cand = path.resolve(d, '..', 'shared/reference/expected');
    try {
      readdirSync(cand);
      return cand;
    } catch {
      d = path.dirname(d);
    }
  }
  throw new Error('reference data (../shared/reference/expected) not found');
}

/** The real clips' MFCCs, frame-major, with their names. */
export function loadRealClips(): { names: string[]; seqs: Float32Array[] } {
  const dir = referenceDir();
  const names = readdirSync(dir)
    .filter((f) => /^real_.*\.mfcc\.npy$/.test(f))
    .sort();
  const seqs = names.map((f) => {
    const a = readNpy(path.join(dir, f));
    return toFrameMajor(a.data, a.shape[0], a.shape[1]);
  });
  return { names: names.map((f) => f.replace('.mfcc.npy', '')), seqs };
}

/** Deterministic PRNG (mulberry32) with a Gaussian helper. */
export function makeRng(seed: number): { u: () => number; g: () => number } {
  const u = seededRandom(seed);
  const g = (): number => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { u, g };
}

/** Resample a frame-major sequence by linear interpolation to `frames` frames, starting at `start` (fractional). */
function stretch(src: Float32Array, dim: number, factor: number, start: number, frames: number): Float32Array {
  const n = src.length / dim;
  const out = new Float32Array(frames * dim);
  for (let t = 0; t < frames; t++) {
    let pos = start + t * factor;
    pos = pos % (n - 1); // loop if the song is too short
    const i = Math.floor(pos);
    const f = pos - i;
    for (let k = 0; k < dim; k++) out[t * dim + k] = src[i * dim + k] * (1 - f) + src[(i + 1) * dim + k] * f;
  }
  return out;
}

export interface Corpus {
  seqs: Float32Array[];
  family: Int32Array;
  dim: number;
  description: string;
}

/** `n` tracks of `frames` frames in families of `familySize` (see module doc). */
export function makeCorpus(n: number, options: { frames?: number; familySize?: number; seed?: number } = {}): Corpus {
  const frames = options.frames ?? 1292;
  const familySize = options.familySize ?? 10;
  const { u, g } = makeRng(options.seed ?? 12345);
  const clips = loadRealClips().seqs;
  const dim = 20;
  // per-coefficient std over all clips
  const std = new Float64Array(dim);
  const mean = new Float64Array(dim);
  let count = 0;
  for (const c of clips) {
    const m = c.length / dim;
    for (let t = 0; t < m; t++) for (let k = 0; k < dim; k++) mean[k] += c[t * dim + k];
    count += m;
  }
  for (let k = 0; k < dim; k++) mean[k] /= count;
  for (const c of clips) {
    const m = c.length / dim;
    for (let t = 0; t < m; t++) for (let k = 0; k < dim; k++) std[k] += (c[t * dim + k] - mean[k]) ** 2;
  }
  for (let k = 0; k < dim; k++) std[k] = Math.sqrt(std[k] / count);

  const seqs: Float32Array[] = [];
  const family = new Int32Array(n);
  let song: Float32Array = new Float32Array(0);
  for (let t = 0; t < n; t++) {
    const f = Math.floor(t / familySize);
    family[t] = f;
    if (t % familySize === 0) {
      const primary = Math.floor(u() * clips.length);
      const parts: Float32Array[] = [];
      let total = 0;
      while (total < frames * 1.3) {
        const c = clips[u() < 0.7 ? primary : Math.floor(u() * clips.length)];
        const m = c.length / dim;
        const len = Math.min(m, 86 + Math.floor(u() * 259));
        const start = Math.floor(u() * (m - len + 1));
        parts.push(c.subarray(start * dim, (start + len) * dim));
        total += len;
      }
      song = new Float32Array(total * dim);
      let o = 0;
      for (const p of parts) {
        song.set(p, o);
        o += p.length;
      }
    }
    const factor = 0.92 + u() * 0.16;
    const start = u() * frames * 0.1;
    const s = stretch(song, dim, factor, start, frames);
    const gain = g() * 0.3 * std[0];
    for (let q = 0; q < frames; q++) {
      for (let k = 0; k < dim; k++) s[q * dim + k] += g() * 0.15 * std[k] + (k === 0 ? gain : 0);
    }
    seqs.push(s);
  }
  return {
    seqs,
    family,
    dim,
    description:
      `${n} tracks x ${frames} frames x ${dim} MFCCs in families of ${familySize}, built from the 8 real ` +
      'reference clips (see benchmarks/similarity/corpus.ts)',
  };
}

/** Tile/crop a frame-major sequence to `frames` frames (repeating it). */
export function tileTo(seq: Float32Array, dim: number, frames: number): Float32Array {
  const n = seq.length / dim;
  const out = new Float32Array(frames * dim);
  for (let t = 0; t < frames; t++) out.set(seq.subarray((t % n) * dim, (t % n) * dim + dim), t * dim);
  return out;
}

/** Median and minimum of a list of numbers. */
export function stats(xs: number[]): { min: number; median: number } {
  const s = xs.slice().sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
}

/** Machine facts for the results. */
export function machine(): Record<string, string | number> {
  return { node: process.version, date: new Date().toISOString() };
}
