/**
 * Descriptor benchmark: ms per 30 s clip (22050 Hz, mono) for computeDescriptors given the
 * precomputed stages (|STFT|, mel dB, chroma from analyzeSignal) and computing everything itself,
 * plus a per-stage breakdown.
 *
 * Run: npx tsc -p . && node dist/benchmarks/descriptors/bench.js [--runs 10]
 * Prints a JSON object, then a markdown table.
 */
import os from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readWav } from '../../src/interop/wav.js';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import { computeDescriptors } from '../../src/dsp/descriptors/compute.js';
import { integratedLoudness, loudnessRange } from '../../src/dsp/descriptors/loudness.js';
import { onsetStrength, onsetDetect } from '../../src/dsp/descriptors/onset.js';
import { estimateTempo } from '../../src/dsp/descriptors/tempo.js';
import { estimateKey, meanChroma } from '../../src/dsp/descriptors/key.js';
import { spectralMeans } from '../../src/dsp/descriptors/spectral.js';

const SR = 22050;
const SECONDS = 30;

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** 30 s of audio: three 10 s reference music clips when present, else a synthetic beat + chords. */
function clip(): { y: Float32Array; source: string } {
  const dir = path.resolve(process.cwd(), '../shared/reference/clips');
  const names = ['real_stk', 'real_naev', 'real_wesnoth'];
  if (names.every((n) => existsSync(path.join(dir, `${n}.wav`)))) {
    const parts = names.map((n) => readWav(path.join(dir, `${n}.wav`)).samples);
    const y = new Float32Array(SECONDS * SR);
    let o = 0;
    for (const p of parts) { y.set(p.subarray(0, Math.min(p.length, y.length - o)), o); o += p.length; if (o >= y.length) break; }
    return { y, source: names.join('+') };
  }
  const y = new Float32Array(SECONDS * SR);
  for (let i = 0; i < y.length; i++) {
    const t = i / SR, tb = t % 0.5;
    y[i] = 0.5 * Math.exp(-tb * 30) * Math.sin(2 * Math.PI * 60 * tb)
      + 0.05 * (Math.sin(2 * Math.PI * 261.63 * t) + Math.sin(2 * Math.PI * 329.63 * t) + Math.sin(2 * Math.PI * 392 * t));
  }
  return { y, source: 'synthetic' };
}

function time(runs: number, f: () => unknown): number {
  f(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) f();
  return (performance.now() - t0) / runs;
}

const runs = argNumber('--runs', 10);
const { y, source } = clip();
const a = analyzeSignal(y, { keepStft: true });
const stages = { stftMag: a.stft_mag!, melDb: a.mel_db, chroma: a.chroma };
const env = onsetStrength(a.mel_db);
const result = {
  date: new Date().toISOString(),
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  clip: { seconds: SECONDS, sr: SR, source },
  runs,
  msPerClip: {
    withPrecomputedStages: time(runs, () => computeDescriptors(y, stages)),
    fromSignalOnly: time(runs, () => computeDescriptors(y)),
    analyzeSignalForReference: time(runs, () => analyzeSignal(y, { keepStft: true })),
  },
  breakdownMs: {
    integratedLoudness: time(runs, () => integratedLoudness(y)),
    loudnessRange: time(runs, () => loudnessRange(y)),
    onsetStrength: time(runs, () => onsetStrength(a.mel_db)),
    tempo: time(runs, () => estimateTempo(env)),
    onsetDetect: time(runs, () => onsetDetect(env)),
    key: time(runs, () => estimateKey(meanChroma(a.chroma))),
    spectralMeans: time(runs, () => spectralMeans(a.stft_mag!)),
  },
};
console.log(JSON.stringify(result, null, 2));
const r2 = (v: number) => v.toFixed(1);
console.log('\n| measure | ms per 30 s clip |\n| --- | ---: |');
for (const [k, v] of Object.entries(result.msPerClip)) console.log(`| ${k} | ${r2(v)} |`);
for (const [k, v] of Object.entries(result.breakdownMs)) console.log(`| stage: ${k} | ${r2(v)} |`);
