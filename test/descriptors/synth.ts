/**
 * Test signals synthesised in TypeScript: click and drum tracks at a given tempo, chord
 * progressions in a given key, sines at a given level. All mono float32 at `sr`.
 */
import { seededRandom } from '../../src/util/random.js';

/** Deterministic uniform noise in [-1, 1) (mulberry32). */
export function noiseSource(seed = 1): () => number {
  const u = seededRandom(seed);
  return () => 2 * u() - 1;
}

/** A sine of `freq` Hz, peak amplitude 10^(dbfs/20), `seconds` long. */
export function sine(freq: number, dbfs: number, seconds: number, sr = 22050): Float32Array {
  const a = Math.pow(10, dbfs / 20);
  const n = Math.round(seconds * sr);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = a * Math.sin((2 * Math.PI * freq * i) / sr);
  return y;
}

/** Add `src` into `dst` starting at sample `at` (clipped at the end). */
function mixAt(dst: Float32Array, src: ArrayLike<number>, at: number, gain = 1): void {
  for (let i = 0; i < src.length && at + i < dst.length; i++) if (at + i >= 0) dst[at + i] += gain * src[i];
}

/** A 20 ms click: a decaying 1.5 kHz burst plus noise. */
function click(sr: number, rnd: () => number): Float32Array {
  const n = Math.round(0.02 * sr);
  const c = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const env = Math.exp(-i / (0.003 * sr));
    c[i] = env * (0.6 * Math.sin((2 * Math.PI * 1500 * i) / sr) + 0.4 * rnd());
  }
  return c;
}

/** Clicks every 60/bpm s (first at 0.1 s), `seconds` long, peak ~0.5. */
export function clickTrack(bpm: number, seconds: number, sr = 22050): Float32Array {
  const y = new Float32Array(Math.round(seconds * sr));
  const rnd = noiseSource(7);
  const c = click(sr, rnd);
  const period = (60 / bpm) * sr;
  for (let k = 0; ; k++) {
    const at = Math.round(0.1 * sr + k * period);
    if (at >= y.length) break;
    mixAt(y, c, at, 0.5);
  }
  return y;
}

/**
 * A 4/4 drum pattern at `bpm`: kick (decaying 55 Hz sine with a pitch drop) on beats 1 and 3,
 * snare (noise + 180 Hz) on 2 and 4, closed hi-hat (high-passed noise, quieter) on every 8th note.
 */
export function drumTrack(bpm: number, seconds: number, sr = 22050): Float32Array {
  const y = new Float32Array(Math.round(seconds * sr));
  const rnd = noiseSource(11);
  const kick = new Float32Array(Math.round(0.25 * sr));
  let ph = 0;
  for (let i = 0; i < kick.length; i++) {
    const f = 50 + 100 * Math.exp(-i / (0.02 * sr));
    ph += (2 * Math.PI * f) / sr;
    kick[i] = Math.exp(-i / (0.08 * sr)) * Math.sin(ph);
  }
  const snare = new Float32Array(Math.round(0.2 * sr));
  for (let i = 0; i < snare.length; i++) {
    snare[i] = Math.exp(-i / (0.04 * sr)) * (0.7 * rnd() + 0.3 * Math.sin((2 * Math.PI * 180 * i) / sr));
  }
  const hat = new Float32Array(Math.round(0.05 * sr));
  let prev = 0;
  for (let i = 0; i < hat.length; i++) {
    const w = rnd();
    hat[i] = Math.exp(-i / (0.01 * sr)) * (w - prev); // first difference: a crude high-pass
    prev = w;
  }
  const beat = (60 / bpm) * sr;
  for (let k = 0; ; k++) {
    const at = Math.round(0.05 * sr + (k * beat) / 2); // 8th notes
    if (at >= y.length) break;
    mixAt(y, hat, at, 0.15);
    if (k % 2 === 0) {
      const b = (k / 2) % 4;
      if (b === 0 || b === 2) mixAt(y, kick, at, 0.6);
      else mixAt(y, snare, at, 0.4);
    }
  }
  return y;
}

/** Frequency of MIDI note m. */
export const midiHz = (m: number) => 440 * Math.pow(2, (m - 69) / 12);

/** Add a note with 6 harmonics (amplitude 1/h), a 10 ms attack and exponential decay. */
function addNote(y: Float32Array, midi: number, start: number, seconds: number, gain: number, sr: number): void {
  const n = Math.round(seconds * sr);
  const f0 = midiHz(midi);
  const at = Math.round(start * sr);
  for (let i = 0; i < n && at + i < y.length; i++) {
    const t = i / sr;
    const env = Math.min(1, t / 0.01) * Math.exp(-t / 1.5);
    let s = 0;
    for (let h = 1; h <= 6; h++) if (f0 * h < sr / 2) s += Math.sin(2 * Math.PI * f0 * h * t) / h;
    y[at + i] += gain * env * s;
  }
}

/**
 * A cadence in the key with tonic pitch class `tonic` (0 = C): major I-IV-V-I, or harmonic minor
 * i-iv-V-i (the raised leading tone in V and the minor third in i and iv make the mode
 * unambiguous). Each chord lasts 1 s, with the root doubled an octave below; the cadence repeats
 * to fill `seconds`. Peak about 0.5.
 */
export function cadence(tonic: number, mode: 'major' | 'minor', seconds = 8, sr = 22050): Float32Array {
  const y = new Float32Array(Math.round(seconds * sr));
  const third = mode === 'major' ? 4 : 3;
  // chords as semitone offsets from the tonic
  const chords: number[][] =
    mode === 'major'
      ? [[0, 4, 7], [5, 9, 12], [7, 11, 14], [0, 4, 7]]
      : [[0, third, 7], [5, 8, 12], [7, 11, 14], [0, third, 7]];
  const base = 60 + tonic - (tonic > 5 ? 12 : 0); // keep the register around C4
  for (let c = 0; c * 1 < seconds; c++) {
    const ch = chords[c % chords.length];
    for (const o of ch) addNote(y, base + o, c, 1, 0.1, sr);
    addNote(y, base + ch[0] - 12, c, 1, 0.12, sr);
  }
  return y;
}
