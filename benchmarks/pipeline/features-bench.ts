/**
 * The whole path from a compressed file to stored features (issue 2, item 9; issue 10, items 1 and 3).
 * - N Vorbis files of 3 minutes (made once with ffmpeg's lavfi: tones, noise bursts, a pulse),
 * - per stage, in this thread, median per track over up to 15 files: the ffmpeg process (start
 *   alone, and the whole-file decode), trim, the excerpt's one-pass analysis, the similarity
 *   windows over the whole trimmed track, the descriptors, the summaries, the SQLite write; for
 *   the two stages issue 10 changed, the route before it (analyzeSignal over the whole track for
 *   the windows; |STFT| for the descriptors) and the route now, alternated on the same signals,
 *   the values of the route before compared with the stored ones,
 * - decoding 8 files in one ffmpeg process (8 inputs, 8 outputs) against one process per file:
 *   wall time, ffmpeg's CPU time, and whether the samples are the same,
 * - `runFeatures` with 1 and with 2 workers on fresh databases: tracks per second, peak RSS.
 * Usage: node [--expose-gc] dist/benchmarks/pipeline/features-bench.js [N=40] [--stages-only]
 * (--stages-only: the per-stage tables and the batching probe, not the whole-path runs;
 * --expose-gc: a full garbage collection before each measured part.)
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../../src/store/db.js';
import { allTracks } from '../../src/store/tracks.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { runFeatures, storeAnalysis } from '../../src/pipeline/features-stage.js';
import { DEFAULT_FEATURE_OPTIONS, featureParamsHash } from '../../src/pipeline/feature-options.js';
import {
  analyzeDecoded, decodeAnalysedSignal, MFCC_WINDOW_HOP_SECONDS, MFCC_WINDOW_SECONDS, type StageTimes,
} from '../../src/pipeline/analyze-track.js';
import { analyzeSignal, analyzeTimbre } from '../../src/dsp/analyze.js';
import { bandLimitedMfcc, levelReferencedWindowsOfMaxima, similarityBands } from '../../src/dsp/level-reference.js';
import { describeSignal } from '../../src/pipeline/describe.js';
import type { Matrix } from '../../src/dsp/matrix.js';
import { machineLine, median, today } from '../machine.js';

const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 40);
const stagesOnly = args.includes('--stages-only');
const dir = path.join(os.tmpdir(), 'yasr-bench-vorbis');
const tools = findFfmpeg();
const O = DEFAULT_FEATURE_OPTIONS;

function makeCorpus(): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < N; i++) {
    const f = path.join(dir, `track${String(i).padStart(3, '0')}.ogg`);
    files.push(f);
    if (existsSync(f)) continue;
    const f0 = 110 * Math.pow(2, (i % 24) / 12);
    const bpm = 70 + ((i * 7) % 90);
    const graph =
      `sine=f=${f0.toFixed(2)}:d=180:r=44100[a];sine=f=${(f0 * 1.5).toFixed(2)}:d=180:r=44100[b];` +
      `anoisesrc=d=180:c=pink:r=44100:a=0.3,volume='if(lt(mod(t,${(60 / bpm).toFixed(4)}),0.05),1,0.05)':eval=frame[c];` +
      `[a][b][c]amix=inputs=3,tremolo=f=${(bpm / 60).toFixed(3)}:d=0.5[out]`;
    const r = spawnSync(tools.ffmpeg, ['-nostdin', '-loglevel', 'error', '-y', '-filter_complex', graph, '-map', '[out]', '-ac', '2', '-c:a', 'libvorbis', '-q:a', '3', f]);
    if (r.status !== 0) throw new Error(`ffmpeg: ${String(r.stderr)}`);
  }
  return files;
}

async function run(workers: number, options = O): Promise<{ seconds: number; perTrackMs: number; rate: number; failed: number }> {
  const db = path.join(dir, `bench-w${workers}-${options.groups.join('-')}.db`);
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  const d = openDb(db);
  await ingest(d, [dir], { tools, storeDir: path.join(dir, 'audio') });
  const t0 = performance.now();
  const s = await runFeatures(d, { ffmpeg: tools.ffmpeg, options, workers });
  const seconds = (performance.now() - t0) / 1000;
  d.close();
  return { seconds, perTrackMs: (seconds * 1000) / N, rate: N / seconds, failed: s.failed };
}

/** A full garbage collection when node runs with --expose-gc (so that one stage does not pay for another's garbage). */
function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** CPU milliseconds of this process's finished children (Linux /proc; NaN elsewhere). */
function childCpuMs(): number {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // fields 16 and 17 of stat (cutime, cstime) are 14 and 15 after "pid (comm)"
    return ((Number(f[13]) + Number(f[14])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

function sameMatrix(a: Matrix, b: Matrix): boolean {
  const bytes = (m: Matrix) => Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  return a.rows === b.rows && a.cols === b.cols && bytes(a).equals(bytes(b));
}

interface Stages {
  files: number;
  rounds: number;
  audioSeconds: number;
  /** wall ms per track, medians */
  ms: Record<string, number>;
  /** ffmpeg's CPU ms per decode, median */
  decodeCpuMs: number;
  /** the two stages issue 10 changed: route before and now, alternated, wall ms medians */
  pairs: { windows: { before: number; now: number }; analysisAndDescriptors: { before: number; now: number } };
  identical: { windows: boolean; descriptors: boolean };
}

/** Per-stage costs in this thread (see the module comment). */
async function stages(files: string[], rounds = 3): Promise<Stages> {
  const use = files.slice(0, Math.min(files.length, 15));
  const db = path.join(dir, 'bench-stages.db');
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  const d = openDb(db);
  await ingest(d, use, { tools, storeDir: path.join(dir, 'audio') });
  const tracks = allTracks(d);
  const hash = featureParamsHash(O);
  const per: Record<string, number[]> = {};
  const push = (k: string, v: number) => (per[k] ??= []).push(v);
  const cpu: number[] = [];
  const pair = { wb: [] as number[], wn: [] as number[], db: [] as number[], dn: [] as number[] };
  const identical = { windows: true, descriptors: true };
  let audioSeconds = 0;
  const frames = (s: number) => Math.max(1, Math.round((s * O.sr) / 512));
  const bands = similarityBands({ sr: O.sr, nMels: 128, min: 20 });
  const timed = <T>(out: number[], f: () => T): T => {
    collect();
    const t = performance.now();
    const r = f();
    out.push(performance.now() - t);
    return r;
  };
  for (let i = 0; i < use.length; i++) {
    // the pipeline's own stages, as analyzeTrack runs them (wall time)
    const times: StageTimes = { ms: {} };
    collect();
    const c0 = childCpuMs();
    const s = await decodeAnalysedSignal(tools.ffmpeg, use[i], null, O, times);
    cpu.push(childCpuMs() - c0);
    collect();
    const r = analyzeDecoded(s, use[i], O, describeSignal, times);
    audioSeconds += s.decodedSeconds;
    const t = performance.now();
    storeAnalysis(d, tracks[i % tracks.length], r, hash, 0);
    times.ms.store = performance.now() - t;
    for (const [k, v] of Object.entries(times.ms)) push(k, v);
    // the two changed stages, the route before issue 10 and now, alternated on the same signal
    for (let k = 0; k < rounds; k++) {
      const w = timed(pair.wb, () => {
        const a = analyzeSignal(s.whole);
        const l = bandLimitedMfcc(a.mel_db, bands, a.mfcc.rows);
        return levelReferencedWindowsOfMaxima(l.mfcc, l.maxima, bands, frames(MFCC_WINDOW_SECONDS), frames(MFCC_WINDOW_HOP_SECONDS));
      });
      timed(pair.wn, () => {
        const a = analyzeTimbre(s.whole, { bands });
        return levelReferencedWindowsOfMaxima(a.mfcc, a.frameMaxDb, a.bands, frames(MFCC_WINDOW_SECONDS), frames(MFCC_WINDOW_HOP_SECONDS));
      });
      const dsc = timed(pair.db, () => {
        const a = analyzeSignal(s.y, { sr: O.sr, keepStft: true });
        return describeSignal(s.y, { sr: O.sr, stftMag: a.stft_mag, melDb: a.mel_db, chroma: a.chroma });
      });
      timed(pair.dn, () => {
        const a = analyzeSignal(s.y, { sr: O.sr, spectralFrames: true });
        return describeSignal(s.y, { sr: O.sr, spectralFrames: a.spectral_frames, melDb: a.mel_db, chroma: a.chroma });
      });
      if (k === 0) {
        identical.windows &&= sameMatrix(w, r.features.timbre_windows);
        identical.descriptors &&= sameMatrix({ rows: 1, cols: dsc.vector.length, data: dsc.vector }, r.features.descriptors);
      }
    }
  }
  d.close();
  const ms: Record<string, number> = {};
  for (const [k, v] of Object.entries(per)) ms[k] = median(v);
  return {
    files: use.length,
    rounds,
    audioSeconds: audioSeconds / use.length,
    ms,
    decodeCpuMs: median(cpu),
    pairs: {
      windows: { before: median(pair.wb), now: median(pair.wn) },
      analysisAndDescriptors: { before: median(pair.db), now: median(pair.dn) },
    },
    identical,
  };
}

/** ffmpeg's arguments for one file as decodeWithFfmpeg builds them (whole file up to 30 min), output `out`. */
function decodeArgs(input: number, out: string): string[] {
  return ['-t', O.maxSeconds.toFixed(6), '-map', `${input}:a:0`, '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(O.sr), '-f', 'f32le', '-acodec', 'pcm_f32le', '-y', out];
}

/** One process per file against one process for all: wall ms, ffmpeg CPU ms, same samples. */
function batching(files: string[]): { files: number; single: { wall: number; cpu: number }; batched: { wall: number; cpu: number }; start: { wall: number; cpu: number }; identical: boolean } {
  const use = files.slice(0, Math.min(8, files.length));
  const out = path.join(dir, 'batch');
  mkdirSync(out, { recursive: true });
  const head = ['-nostdin', '-hide_banner', '-loglevel', 'error'];
  const measure = (f: () => void) => {
    const c = childCpuMs();
    const t = performance.now();
    f();
    return { wall: performance.now() - t, cpu: childCpuMs() - c };
  };
  const ok = (r: ReturnType<typeof spawnSync>) => {
    if (r.status !== 0) throw new Error(`ffmpeg: ${String(r.stderr)}`);
  };
  const single = () => use.forEach((f, i) => ok(spawnSync(tools.ffmpeg, [...head, '-i', f, ...decodeArgs(0, path.join(out, `s${i}.f32`))])));
  const batched = () => ok(spawnSync(tools.ffmpeg, [...head, ...use.flatMap((f) => ['-i', f]), ...use.flatMap((_, i) => decodeArgs(i, path.join(out, `b${i}.f32`)))]));
  const runs = { single: [] as { wall: number; cpu: number }[], batched: [] as { wall: number; cpu: number }[] };
  for (let k = 0; k < 3; k++) {
    runs.single.push(measure(single));
    runs.batched.push(measure(batched));
  }
  const identical = use.every((_, i) => readFileSync(path.join(out, `s${i}.f32`)).equals(readFileSync(path.join(out, `b${i}.f32`))));
  const start = measure(() => {
    for (let k = 0; k < 8; k++) ok(spawnSync(tools.ffmpeg, [...head, '-f', 'lavfi', '-i', 'anullsrc=d=0.01', '-f', 'f32le', '-y', os.devNull]));
  });
  const med = (v: { wall: number; cpu: number }[]) => ({ wall: median(v.map((x) => x.wall)), cpu: median(v.map((x) => x.cpu)) });
  return { files: use.length, single: med(runs.single), batched: med(runs.batched), start: { wall: start.wall / 8, cpu: start.cpu / 8 }, identical };
}

const files = makeCorpus();
// warm-up: page cache and JIT
await stages(files.slice(0, 2));
const st = await stages(files);
const b = batching(files);
const f1 = (v: number) => v.toFixed(1);
const f0 = (v: number) => v.toFixed(0);
const m = st.ms;
const node = ['trim', 'analysis', 'windows', 'blocks', 'descriptors', 'summaries', 'store'].reduce((a, k) => a + (m[k] ?? 0), 0);
const pw = st.pairs.windows;
const pd = st.pairs.analysisAndDescriptors;
let md = `### Features: compressed file to stored features (issues 2 and 10)
Machine: ${machineLine()}. Date: ${today()}. ${N} Vorbis files (3 min, 44.1 kHz stereo, q3), default
options (trim, 30 s central excerpt, all groups but mel, descriptors included).

Per stage as analyzeTrack runs it, one track at a time in this thread: median wall ms per track
over ${st.files} files (${f0(st.audioSeconds)} s of audio each)${(globalThis as { gc?: unknown }).gc ? ', a full garbage collection before each part' : ' (run with node --expose-gc for a garbage collection before each part)'}.

| stage | ms per track | notes |
| --- | ---: | --- |
| ffmpeg process start alone (lavfi, 10 ms of silence) | ${f1(b.start.wall)} | ${f1(b.start.cpu)} ms CPU per process |
| decode: one ffmpeg process, the whole file to 22,050 Hz mono | ${f1(m.decode)} | ffmpeg CPU ${f0(st.decodeCpuMs)} ms |
| finiteness check, trim, excerpt | ${f1(m.trim)} | |
| one-pass analysis of the 30 s excerpt (STFT, mel, MFCC, chroma, RMS, centroid, ZCR, descriptor spectra) | ${f1(m.analysis)} | |
| descriptors (tempo, key, loudness, onsets, spectral means) | ${f1(m.descriptors)} | |
| timbre_windows and the timbre Gaussian over the whole trimmed track (and its mel power) | ${f1(m.windows)} | |
| block_patterns of the whole trimmed track's mel power | ${f1(m.blocks)} | |
| summaries, checks | ${f1(m.summaries)} | |
| SQLite write (one transaction) | ${f1(m.store)} | |
| all of this thread's work (trim to write) | ${f1(node)} | |

The two stages issue 10 changed, before and now, alternated ${st.rounds} times per file on the same
signals (median wall ms per track); "same values": the route before gives exactly the stored values.

| stage | before | now | same values |
| --- | ---: | ---: | --- |
| excerpt analysis + descriptors (before: the magnitude spectrogram kept, spectral means from it; now: spectral statistics in the pass) | ${f1(pd.before)} | ${f1(pd.now)} | ${st.identical.descriptors ? 'yes' : 'NO'} |
| timbre_windows (before: a full analyzeSignal of the whole track; now: analyzeTimbre) | ${f1(pw.before)} | ${f1(pw.now)} | ${st.identical.windows ? 'yes' : 'NO'} |

Decoding ${b.files} files: one ffmpeg process per file against one process with ${b.files} inputs and
${b.files} outputs (median of 3 rounds, alternated):

| | wall ms | ffmpeg CPU ms |
| --- | ---: | ---: |
| one process per file | ${f0(b.single.wall)} | ${f0(b.single.cpu)} |
| one process for all | ${f0(b.batched.wall)} | ${f0(b.batched.cpu)} |

Samples identical: ${b.identical ? 'yes' : 'NO'}.
`;
if (!stagesOnly) {
  const one = await run(1);
  const rss1 = process.resourceUsage().maxRSS / 1024;
  const two = await run(2);
  const rss2 = process.resourceUsage().maxRSS / 1024;
  // what Musly computes: a timbre model from MFCCs (decode, STFT, mel, MFCC, Gaussian)
  const mfccOnly = { ...O, groups: ['mfcc' as const] };
  const oneM = await run(1, mfccOnly);
  const twoM = await run(2, mfccOnly);
  const musly = 7;
  md += `
| whole path | value | reference |
| --- | --- | --- |
| 1 worker | ${one.perTrackMs.toFixed(0)} ms per track, ${one.rate.toFixed(2)} tracks/s | Musly: ${musly} tracks/s on one core |
| 2 workers | ${two.perTrackMs.toFixed(0)} ms per track, ${two.rate.toFixed(2)} tracks/s | goal 1.8 x Musly = ${(1.8 * musly).toFixed(1)} tracks/s |
| speedup with 2 workers | ${(two.rate / one.rate).toFixed(2)} x | |
| 1 worker, MFCC group only (Musly's job: decode, MFCC, timbre Gaussian) | ${oneM.perTrackMs.toFixed(0)} ms per track, ${oneM.rate.toFixed(2)} tracks/s | Musly: ${musly} tracks/s |
| 2 workers, MFCC group only | ${twoM.perTrackMs.toFixed(0)} ms per track, ${twoM.rate.toFixed(2)} tracks/s | ${(1.8 * musly).toFixed(1)} tracks/s |
| peak RSS (after the 1-worker run / after both) | ${rss1.toFixed(0)} MiB / ${rss2.toFixed(0)} MiB | |
| failures | ${one.failed + two.failed + oneM.failed + twoM.failed} | |

One worker takes two tracks at a time, so that ffmpeg (its own process) decodes the next file
on the second core while the worker analyses the current one: on this 2-core machine one worker
already keeps both cores busy, which is why a second worker adds little.
`;
}
process.stdout.write(md);
