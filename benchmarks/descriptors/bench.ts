/**
 * Descriptor benchmark: ms per 30 s clip (22050 Hz, mono) for computeDescriptors given the
 * precomputed stages, as the pipeline's features stage passes them (|STFT|, mel power, chroma from
 * analyzeSignal), given |STFT|, mel dB and chroma, and computing everything itself; plus a
 * per-stage breakdown. Each line is measured twice in the same run, interleaved: "before" is the
 * implementation of commit d1c5d85 (kept in benchmarks/descriptors/legacy/ for this comparison
 * only), "after" the current one. The descriptor values of both are compared too.
 *
 * A second table (issue 10) compares the features stage's two routes with the current code, also
 * interleaved: before, analyzeSignal keeps |STFT| and the descriptors take their spectral means
 * from it (a second pass over the matrix); now, analyzeSignal computes the per-frame spectral
 * statistics while it has each frame's |X| (`spectralFrames`) and no |STFT| is kept. The values
 * of the two routes must be identical.
 *
 * Run: npx tsc -p . && node dist/benchmarks/descriptors/bench.js [--runs 10] [--md FILE]
 * Prints a JSON object, then a markdown table (also written to FILE with --md).
 */
import os from 'node:os';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readWav } from '../../src/interop/wav.js';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import { powerToDb } from '../../src/dsp/mel.js';
import { computeDescriptors, type Descriptors } from '../../src/dsp/descriptors/compute.js';
import { integratedLoudness, loudnessRange, loudnessMeasures } from '../../src/dsp/descriptors/loudness.js';
import { onsetStrength, onsetDetect } from '../../src/dsp/descriptors/onset.js';
import { estimateTempo } from '../../src/dsp/descriptors/tempo.js';
import { estimateKey, meanChroma } from '../../src/dsp/descriptors/key.js';
import { spectralMeans, spectralMeansOfFrames } from '../../src/dsp/descriptors/spectral.js';
import { computeDescriptors as legacyCompute } from './legacy/compute.js';
import { estimateTempo as legacyTempo } from './legacy/tempo.js';
import { spectralMeans as legacySpectral } from './legacy/spectral.js';

const SR = 22050;
const SECONDS = 30;

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
function argString(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
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

/** Median ms of `runs` calls of each of `before` and `after`, alternated call by call (same load). */
function pair(runs: number, before: (() => unknown) | null, after: () => unknown): { before: number | null; after: number } {
  before?.(); after(); // warm-up
  const tb: number[] = [], ta: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (before) { const t0 = performance.now(); before(); tb.push(performance.now() - t0); }
    const t1 = performance.now(); after(); ta.push(performance.now() - t1);
  }
  const med = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  return { before: before ? med(tb) : null, after: med(ta) };
}

const runs = argNumber('--runs', 10);
const t0 = performance.now();
const { y, source } = clip();
const a = analyzeSignal(y, { keepStft: true, keepMel: true });
const pipelineStages = { stftMag: a.stft_mag!, melPower: a.mel!, chroma: a.chroma };
const dbStages = { stftMag: a.stft_mag!, melDb: a.mel_db, chroma: a.chroma };
const env = onsetStrength(a.mel_db);
const melDbFromPower = powerToDb(a.mel!);
let melDbDiff = 0;
for (let i = 0; i < melDbFromPower.data.length; i++) melDbDiff = Math.max(melDbDiff, Math.abs(melDbFromPower.data[i] - a.mel_db.data[i]));

// Warm-up: every path a few times first, so that the first measured line is not the one that
// pays for V8's compilation.
for (let i = 0; i < 3; i++) {
  for (const s of [pipelineStages, dbStages, undefined]) { legacyCompute(y, s); computeDescriptors(y, s); }
}
const msPerClip = {
  'computeDescriptors(y, {stftMag, melPower, chroma}) (the features stage before)': pair(runs, () => legacyCompute(y, pipelineStages), () => computeDescriptors(y, pipelineStages)),
  'computeDescriptors(y, {stftMag, melDb, chroma}) (the features stage now)': pair(runs, () => legacyCompute(y, dbStages), () => computeDescriptors(y, dbStages)),
  'computeDescriptors(y) (computes its own analysis)': pair(runs, () => legacyCompute(y), () => computeDescriptors(y)),
  'analyzeSignal (STFT, mel, MFCC, chroma; for reference)': pair(runs, null, () => analyzeSignal(y, { keepStft: true, keepMel: true })),
};
const breakdownMs = {
  'powerToDb(melPower)': pair(runs, null, () => powerToDb(a.mel!)),
  'loudnessMeasures (integrated + range, one filter pass)': pair(runs, null, () => loudnessMeasures(y)),
  'integratedLoudness alone': pair(runs, null, () => integratedLoudness(y)),
  'loudnessRange alone': pair(runs, null, () => loudnessRange(y)),
  onsetStrength: pair(runs, null, () => onsetStrength(a.mel_db)),
  'tempo (tempogram + pulse clarity)': pair(runs, () => legacyTempo(env), () => estimateTempo(env)),
  onsetDetect: pair(runs, null, () => onsetDetect(env)),
  key: pair(runs, null, () => estimateKey(meanChroma(a.chroma))),
  spectralMeans: pair(runs, () => legacySpectral(a.stft_mag!), () => spectralMeans(a.stft_mag!)),
};

// The features stage's route before issue 10 (|STFT| kept, spectral means from it) and now
// (per-frame spectral statistics from the one pass), with the current code.
const af = analyzeSignal(y, { spectralFrames: true });
const frameStages = { spectralFrames: af.spectral_frames!, melDb: af.mel_db, chroma: af.chroma };
const routeMs = {
  'analyzeSignal + computeDescriptors (the features stage: excerpt analysis and descriptors)': pair(
    runs,
    () => { const s = analyzeSignal(y, { keepStft: true }); return computeDescriptors(y, { stftMag: s.stft_mag, melDb: s.mel_db, chroma: s.chroma }); },
    () => { const s = analyzeSignal(y, { spectralFrames: true }); return computeDescriptors(y, { spectralFrames: s.spectral_frames, melDb: s.mel_db, chroma: s.chroma }); },
  ),
  'computeDescriptors alone, stages given': pair(runs, () => computeDescriptors(y, dbStages), () => computeDescriptors(y, frameStages)),
  'analyzeSignal (before: keepStft; now: spectralFrames)': pair(runs, () => analyzeSignal(y, { keepStft: true }), () => analyzeSignal(y, { spectralFrames: true })),
  'analyzeSignal with neither (the pass alone)': pair(runs, null, () => analyzeSignal(y)),
  'spectral means (before: spectralMeans(|STFT|); now: of the frames)': pair(runs, () => spectralMeans(a.stft_mag!), () => spectralMeansOfFrames(af.spectral_frames!)),
};
const routeValuesIdentical = JSON.stringify(computeDescriptors(y, dbStages)) === JSON.stringify(computeDescriptors(y, frameStages));

// Values: before vs after, for each way of calling.
const valueDiff: Record<string, number> = {};
for (const [name, s] of [['pipeline', pipelineStages], ['melDb', dbStages], ['signal', undefined]] as const) {
  const b = legacyCompute(y, s) as unknown as Record<string, number | string>;
  const n = computeDescriptors(y, s) as Descriptors as unknown as Record<string, number | string>;
  for (const k of Object.keys(b)) {
    const d = typeof b[k] === 'number' ? Math.abs((b[k] as number) - (n[k] as number)) : b[k] === n[k] ? 0 : Infinity;
    valueDiff[k] = Math.max(valueDiff[k] ?? 0, d);
  }
  void name;
}

const result = {
  date: new Date().toISOString(),
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  clip: { seconds: SECONDS, sr: SR, source },
  runs,
  msPerClip,
  breakdownMs,
  maxAbsValueDifferenceBeforeAfter: valueDiff,
  featuresStageRouteMs: routeMs,
  featuresStageRouteValuesIdentical: routeValuesIdentical,
  maxAbsDiffMelDbAnalyzeVsPowerToDb: melDbDiff,
  seconds: (performance.now() - t0) / 1000,
};
console.log(JSON.stringify(result, null, 2));
const r2 = (v: number | null) => (v === null ? '' : v.toFixed(1));
const lines: string[] = [];
lines.push(`_${result.date.slice(0, 10)}, ${result.cpuModel}, ${result.cpus} cpus, Node ${result.node}; clip ${source} (${SECONDS} s, ${SR} Hz); median of ${runs} runs, before and after alternated call by call; \`node dist/benchmarks/descriptors/bench.js --runs ${runs}\` took ${result.seconds.toFixed(0)} s. "before" = commit d1c5d85 (benchmarks/descriptors/legacy/), shown where the stage changed._`);
lines.push('', '| measure | before, ms per 30 s clip | after, ms per 30 s clip |', '| --- | ---: | ---: |');
for (const [k, v] of Object.entries(msPerClip)) lines.push(`| ${k} | ${r2(v.before)} | ${r2(v.after)} |`);
for (const [k, v] of Object.entries(breakdownMs)) lines.push(`| stage: ${k} | ${r2(v.before)} | ${r2(v.after)} |`);
lines.push('', '| descriptor | max abs difference, before vs after (3 ways of calling) |', '| --- | ---: |');
for (const [k, v] of Object.entries(valueDiff)) lines.push(`| ${k} | ${v === 0 ? '0' : v.toExponential(2)} |`);
lines.push('', `mel dB from analyzeSignal vs powerToDb(melPower): max abs difference ${melDbDiff.toExponential(2)} dB.`);
lines.push('', 'The features stage\'s route (issue 10), both with the current code, alternated call by call: before, the magnitude spectrogram is kept and the spectral means are taken from it; now, the one pass computes the per-frame spectral statistics (`spectralFrames`) and keeps no spectrogram.');
lines.push('', '| measure | before, ms per 30 s clip | now, ms per 30 s clip |', '| --- | ---: | ---: |');
for (const [k, v] of Object.entries(routeMs)) lines.push(`| ${k.replace(/\|/g, '\\|')} | ${r2(v.before)} | ${r2(v.after)} |`);
lines.push('', `Descriptor values of the two routes identical: ${routeValuesIdentical ? 'yes' : 'NO'}.`);
const md = lines.join('\n') + '\n';
console.log('\n' + md);
const mdPath = argString('--md');
if (mdPath) writeFileSync(mdPath, md);
