/**
 * DSP benchmark: ms per 30 s clip (22050 Hz) for the full one-pass analysis and for
 * STFT + mel + MFCC alone, FFT throughput of each FFT implementation, and peak RSS.
 *
 * Run: npx tsc -p . && node dist/benchmarks/dsp/bench.js [--runs 30]
 * Prints a JSON object, then a markdown table.
 */
import os from 'node:os';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import { createRealFft, pffftAvailable, type FftImplementation } from '../../src/dsp/fft.js';
import { getStftFramer } from '../../src/dsp/stft.js';
import { hannWindow } from '../../src/dsp/window.js';
import { applyFilterBank, melFilterBank, powerToDbArray } from '../../src/dsp/mel.js';
import { dctMatrix, mfccFromDb } from '../../src/dsp/mfcc.js';
import { dspKernels, dspKernelError, kernelArena } from '../../src/dsp/wasm-kernels.js';

const SR = 22050;
const SECONDS = 30;

function argNumber(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Deterministic "music-like" signal: chords with harmonics and envelopes, a kick/hat pattern, noise. */
export function syntheticMusic(seconds: number, sr: number, seed = 1): Float32Array {
  const n = Math.round(seconds * sr);
  const y = new Float32Array(n);
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const chords = [
    [261.63, 329.63, 392.0],
    [220.0, 261.63, 329.63],
    [174.61, 220.0, 261.63],
    [196.0, 246.94, 293.66],
  ];
  const beat = 0.5; // 120 BPM
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const chord = chords[Math.floor(t / 2) % chords.length];
    const env = 0.6 + 0.4 * Math.exp(-3 * (t % 2));
    let v = 0;
    for (const f of chord) for (let h = 1; h <= 4; h++) v += (0.08 / h) * Math.sin(2 * Math.PI * f * h * t);
    v *= env;
    const tb = t % beat;
    v += 0.5 * Math.exp(-tb * 30) * Math.sin(2 * Math.PI * 60 * tb); // kick
    v += 0.05 * (rand() * 2 - 1) * Math.exp(-((t + beat / 2) % beat) * 60); // hi-hat
    v += 0.01 * (rand() * 2 - 1);
    y[i] = v * 0.8;
  }
  return y;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

interface Timing {
  /** Wall-clock ms, median and minimum over the runs. */
  medianMs: number;
  minMs: number;
  /** CPU ms (user + system) of this process, median over the runs: less disturbed by other load. */
  cpuMedianMs: number;
  runs: number;
}

/**
 * Time several functions round-robin (one run of each per round), so that they share whatever
 * load the machine has; `warmup` rounds are discarded.
 */
function timeInterleaved(runs: number, warmup: number, fns: Record<string, () => void>): Record<string, Timing> {
  const names = Object.keys(fns);
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  for (const k of names) {
    wall[k] = [];
    cpu[k] = [];
  }
  for (let r = 0; r < warmup + runs; r++) {
    for (const k of names) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      fns[k]();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const c = process.cpuUsage(c0);
      if (r >= warmup) {
        wall[k].push(ms);
        cpu[k].push((c.user + c.system) / 1000);
      }
    }
  }
  const out: Record<string, Timing> = {};
  for (const k of names) {
    out[k] = { medianMs: median(wall[k]), minMs: Math.min(...wall[k]), cpuMedianMs: median(cpu[k]), runs };
  }
  return out;
}

/** STFT power -> mel -> dB -> MFCC only (what librosa.feature.mfcc(y) does), float64 JS blocks. */
function melMfccOnlyJs(y: Float32Array): void {
  const framer = getStftFramer({ nFft: 2048, hopLength: 512 });
  const T = framer.frameCount(y.length);
  const bank = melFilterBank({ sr: SR, nFft: 2048, nMels: 128 });
  const mel = new Float32Array(128 * T);
  const power = new Float64Array(framer.nBins);
  for (let t = 0; t < T; t++) {
    framer.power(y, t, power);
    applyFilterBank(bank, power, mel, t, T);
  }
  const db = new Float32Array(mel.length);
  powerToDbArray(mel, db);
  mfccFromDb({ rows: 128, cols: T, data: db }, { nMfcc: 20 });
}

/** FFTs per second: wall-clock and CPU-time based. */
/** The same with the WebAssembly SIMD kernels for |X|^2, the mel projection and the DCT. */
function melMfccOnlyWasm(y: Float32Array): void {
  const k = dspKernels();
  if (!k) throw new Error(`wasm kernels unavailable: ${dspKernelError()}`);
  const framer = getStftFramer({ nFft: 2048, hopLength: 512 });
  const T = framer.frameCount(y.length);
  const plan = (wasmPlanCache ??= makePlan(y.length));
  const f = new Float32Array(k.memory.buffer);
  // centred, zero-padded copy of y in kernel memory; frames are windowed there
  f.fill(0, plan.ypad >> 2, (plan.ypad >> 2) + y.length + 2048);
  f.set(y, (plan.ypad >> 2) + 1024);
  const fft = framer.fft;
  const frameI = plan.frame >> 2;
  const mel = new Float32Array(128 * T);
  for (let t = 0; t < T; t++) {
    k.window(plan.ypad + t * 512 * 4, plan.win, plan.frame, 512);
    fft.input.set(f.subarray(frameI, frameI + 2048));
    fft.transform();
    const spec = fft.output;
    const dc = spec[0];
    const ny = spec[1];
    f.set(spec, plan.spec >> 2);
    f[plan.spec >> 2] = 0;
    f[(plan.spec >> 2) + 1] = 0;
    k.power(plan.spec, plan.pow, 256, plan.sums);
    f[plan.pow >> 2] = dc * dc;
    f[(plan.pow >> 2) + 1024] = ny * ny;
    k.matvec(plan.melTable, 128, plan.pow, plan.melOut);
    for (let b = 0; b < 128; b++) mel[b * T + t] = f[(plan.melOut >> 2) + b];
  }
  const db = new Float32Array(mel.length);
  powerToDbArray(mel, db);
  const col = plan.dbCol >> 2;
  const mf = new Float32Array(20 * T);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < 128; b++) f[col + b] = db[b * T + t];
    k.matvec(plan.dctTable, 20, plan.dbCol, plan.mfccOut);
    for (let c = 0; c < 20; c++) mf[c * T + t] = f[(plan.mfccOut >> 2) + c];
  }
}

interface BenchPlan { ypad: number; win: number; frame: number; spec: number; pow: number; sums: number; melOut: number; dbCol: number; mfccOut: number; melTable: number; dctTable: number }
let wasmPlanCache: BenchPlan | undefined;
function makePlan(nSamples: number): BenchPlan {
  const a = kernelArena()!; // the shared allocator: analyzeSignal's data lives in the same memory
  const mel = melFilterBank({ sr: SR, nFft: 2048, nMels: 128 });
  const win = a.alloc(2048);
  a.f32().set(hannWindow(2048), win >> 2);
  return {
    ypad: a.alloc(nSamples + 2048), win, frame: a.alloc(2048),
    spec: a.alloc(2048), pow: a.alloc(1025 + 4), sums: a.alloc(12), melOut: a.alloc(128), dbCol: a.alloc(132), mfccOut: a.alloc(20),
    melTable: a.storeRows({ nRows: 128, rowSeg: Int32Array.from({ length: 129 }, (_, i) => i), segStart: mel.start, segLength: mel.length, segOffset: mel.offset, weights: mel.weights }),
    dctTable: a.storeRows({
      nRows: 20, rowSeg: Int32Array.from({ length: 21 }, (_, i) => i), segStart: new Int32Array(20),
      segLength: new Int32Array(20).fill(128), segOffset: Int32Array.from({ length: 20 }, (_, i) => i * 128), weights: dctMatrix(20, 128),
    }),
  };
}

function fftThroughput(impl: FftImplementation, count: number): { wall: number; cpu: number } {
  const fft = createRealFft(2048, impl);
  const input = fft.input;
  for (let i = 0; i < 2048; i++) input[i] = Math.sin(i * 0.1) + 0.01 * i;
  for (let i = 0; i < 2000; i++) fft.transform();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) fft.transform();
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  fft.dispose();
  return { wall: count / sec, cpu: count / ((c.user + c.system) / 1e6) };
}

function main(): void {
  const runs = argNumber('--runs', 30);
  const y = syntheticMusic(SECONDS, SR);
  const timings = timeInterleaved(runs, 5, {
    full: () => analyzeSignal(y),
    fullJs: () => analyzeSignal(y, { kernel: 'js' }),
    melMfcc: () => melMfccOnlyWasm(y),
    melMfccJs: () => melMfccOnlyJs(y),
  });
  const { full, fullJs, melMfcc, melMfccJs } = timings;
  const fftCount = argNumber('--ffts', 100_000);
  const ffts: Record<string, { wall: number; cpu: number }> = {};
  const impls: FftImplementation[] = pffftAvailable() ? ['pffft', 'js'] : ['js'];
  for (const impl of impls) ffts[impl] = fftThroughput(impl, fftCount);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    clipSeconds: SECONDS,
    sampleRate: SR,
    frames: 1 + Math.floor(y.length / 512),
    loadAverage1m: round(os.loadavg()[0]),
    analyzeSignalMsPerClip: summary(full),
    analyzeSignalJsKernelMsPerClip: summary(fullJs),
    stftMelMfccMsPerClip: summary(melMfcc),
    stftMelMfccJsMsPerClip: summary(melMfccJs),
    fft2048PerSecond: Object.fromEntries(Object.entries(ffts).map(([k, v]) => [k, { wall: Math.round(v.wall), cpu: Math.round(v.cpu) }])),
    fft2048SecondsPer100k: Object.fromEntries(Object.entries(ffts).map(([k, v]) => [k, { wall: round(100_000 / v.wall, 3), cpu: round(100_000 / v.cpu, 3) }])),
    peakRssMiB: round(peakRssMiB, 1),
    librosaReferenceMs: { analysis: 51, stftMelMfcc: 19 },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log('');
  console.log(`load average (1 min) during the run: ${round(os.loadavg()[0])} on ${os.cpus().length} cores`);
  console.log('');
  console.log('| measure | wall median | wall min | CPU median | librosa |');
  console.log('|---|---|---|---|---|');
  const row = (label: string, t: Timing, librosa: string) =>
    console.log(`| ${label} (${t.runs} runs) | ${round(t.medianMs)} ms | ${round(t.minMs)} ms | ${round(t.cpuMedianMs)} ms | ${librosa} |`);
  row('analyzeSignal, 30 s clip, wasm SIMD kernels', full, '51 ms');
  row('analyzeSignal, 30 s clip, float64 JS kernels', fullJs, '51 ms');
  row('STFT + mel + MFCC, 30 s clip, wasm SIMD kernels', melMfcc, '19 ms');
  row('STFT + mel + MFCC, 30 s clip, float64 JS', melMfccJs, '19 ms');
  for (const [k, v] of Object.entries(ffts)) {
    console.log(`| real FFT 2048, ${k}: s per 100k | ${round(100_000 / v.wall, 3)} s | | ${round(100_000 / v.cpu, 3)} s | |`);
  }
  console.log(`| peak RSS | ${round(peakRssMiB, 1)} MiB | | | |`);
}

function summary(t: Timing): Record<string, number> {
  return { median: round(t.medianMs), min: round(t.minMs), cpuMedian: round(t.cpuMedianMs), runs: t.runs };
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main();
