/**
 * Synthesised "tracks" for the demo and the tests: a chord progression in a key, played by an
 * instrument with a given timbre, over a drum pattern at a given tempo. Deterministic per seed.
 */
export type Timbre = 'sine' | 'organ' | 'brass' | 'pluck' | 'pad' | 'square';

export interface SynthSpec {
  sr?: number;
  seconds: number;
  bpm: number;
  /** Pitch class of the tonic, 0 = C ... 11 = B. */
  key: number;
  mode: 'major' | 'minor';
  timbre: Timbre;
  /** 0..1: how loud the drums are. */
  drums?: number;
  seed?: number;
  /** Overall peak gain (default 0.5). */
  gain?: number;
}

export const PITCH_CLASSES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** A small deterministic xorshift generator in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const HARMONICS: Record<Timbre, number[]> = {
  sine: [1],
  organ: [1, 0.6, 0, 0.4, 0, 0, 0, 0.25],
  brass: [1, 0.8, 0.65, 0.5, 0.4, 0.3, 0.22, 0.15, 0.1],
  pluck: [1, 0.5, 0.33, 0.25, 0.2, 0.16],
  pad: [1, 0.3, 0.15],
  square: [1, 0, 0.33, 0, 0.2, 0, 0.14, 0, 0.11],
};

/** Triads (scale degrees, semitones from tonic) of a I-vi-IV-V (major) or i-VI-iv-v (minor) loop. */
function progression(mode: 'major' | 'minor'): number[][] {
  return mode === 'major'
    ? [[0, 4, 7], [9, 12, 16], [5, 9, 12], [7, 11, 14]]
    : [[0, 3, 7], [8, 12, 15], [5, 8, 12], [7, 11, 14]];
}

export function synthTrack(spec: SynthSpec): Float32Array {
  const sr = spec.sr ?? 22050;
  const n = Math.round(spec.seconds * sr);
  const y = new Float32Array(n);
  const rand = rng(spec.seed ?? 1);
  const beat = 60 / spec.bpm;
  const bar = beat * 4;
  const chords = progression(spec.mode);
  const harm = HARMONICS[spec.timbre];
  const base = 130.81 * Math.pow(2, spec.key / 12); // C3 .. B3
  const attack = spec.timbre === 'pluck' ? 0.005 : spec.timbre === 'pad' ? 0.3 : 0.03;
  const decay = spec.timbre === 'pluck' ? 3 : 0.3;
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const barIdx = Math.floor(t / bar);
    const tb = t - barIdx * bar;
    const chord = chords[barIdx % chords.length];
    const env = Math.min(1, tb / attack) * Math.exp(-decay * tb);
    let v = 0;
    for (const semi of [...chord, chord[0] - 12]) {
      const f0 = base * Math.pow(2, semi / 12);
      for (let h = 0; h < harm.length; h++) {
        const f = f0 * (h + 1);
        if (harm[h] === 0 || f > sr / 2.2) continue;
        v += harm[h] * Math.sin(2 * Math.PI * f * t);
      }
    }
    y[i] = 0.12 * env * v;
  }
  const drums = spec.drums ?? 0.6;
  if (drums > 0) {
    const beats = Math.floor(spec.seconds / beat);
    for (let b = 0; b < beats; b++) {
      const start = Math.round(b * beat * sr);
      const kick = b % 2 === 0;
      const len = Math.round((kick ? 0.15 : 0.06) * sr);
      for (let k = 0; k < len && start + k < n; k++) {
        const tt = k / sr;
        const s = kick
          ? Math.sin(2 * Math.PI * (50 + 100 * Math.exp(-tt * 30)) * tt) * Math.exp(-tt * 25)
          : (rand() * 2 - 1) * Math.exp(-tt * 60);
        y[start + k] += drums * (kick ? 0.8 : 0.35) * s;
      }
    }
  }
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(y[i]));
  const g = (spec.gain ?? 0.5) / (peak || 1);
  for (let i = 0; i < n; i++) y[i] *= g;
  return y;
}
