/**
 * Issue 2, item 9: the whole path from a compressed file to stored features.
 * - N Vorbis files of 3 minutes (made once with ffmpeg's lavfi: tones, noise bursts, a pulse),
 * - `runFeatures` with 1 and with 2 workers on fresh databases: tracks per second, peak RSS,
 * - the parts: one ffmpeg decode of a 30 s excerpt (34 s window), and the analysis of a decoded
 *   excerpt alone (trim + STFT + mel + MFCC + chroma + spectral + descriptors + summaries).
 * Usage: node dist/benchmarks/pipeline/features-bench.js [N=40]
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../../src/store/db.js';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { runFeatures } from '../../src/pipeline/features-stage.js';
import { DEFAULT_FEATURE_OPTIONS } from '../../src/pipeline/feature-options.js';
import { decodeAudio } from '../../src/audio/decode.js';
import { trimInterval, centralExcerpt } from '../../src/audio/trim.js';
import { analyzeSignal } from '../../src/dsp/analyze.js';
import { summaryVector } from '../../src/dsp/summary.js';
import { describeSignal } from '../../src/pipeline/describe.js';
import { machineLine, median, today } from '../machine.js';

const N = Number(process.argv[2] ?? 40);
const dir = path.join(os.tmpdir(), 'yasr-bench-vorbis');
const tools = findFfmpeg();

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

async function run(workers: number, options = DEFAULT_FEATURE_OPTIONS): Promise<{ seconds: number; perTrackMs: number; rate: number; failed: number }> {
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

async function parts(files: string[]): Promise<{ decodeMs: number; analysisMs: number; dspOnlyMs: number }> {
  const dec: number[] = [];
  const ana: number[] = [];
  const dsp: number[] = [];
  for (const f of files.slice(0, Math.min(files.length, 15))) {
    let t = performance.now();
    const y = await decodeAudio(tools.ffmpeg, f, { offset: 73, duration: 34 });
    dec.push(performance.now() - t);
    t = performance.now();
    const [a, b] = trimInterval(y);
    const x = centralExcerpt(y.subarray(a, b), 30, 22050);
    const r = analyzeSignal(x, { keepStft: true, keepMel: true });
    const t2 = performance.now();
    for (const m of [r.mfcc, r.chroma]) summaryVector(m);
    describeSignal(x, { sr: 22050, stftMag: r.stft_mag, melPower: r.mel, chroma: r.chroma });
    ana.push(performance.now() - t);
    dsp.push(t2 - t);
  }
  return { decodeMs: median(dec), analysisMs: median(ana), dspOnlyMs: median(dsp) };
}

const files = makeCorpus();
// warm-up: page cache and JIT
await parts(files.slice(0, 2));
const p = await parts(files);
const one = await run(1);
const rss1 = process.resourceUsage().maxRSS / 1024;
const two = await run(2);
const rss2 = process.resourceUsage().maxRSS / 1024;
// what Musly computes: a timbre model from MFCCs (decode, STFT, mel, MFCC, Gaussian)
const mfccOnly = { ...DEFAULT_FEATURE_OPTIONS, groups: ['mfcc' as const] };
const oneM = await run(1, mfccOnly);
const twoM = await run(2, mfccOnly);
const musly = 7;
const md = `### Features: compressed file to stored features (issue 2)
Machine: ${machineLine()}. Date: ${today()}. ${N} Vorbis files (3 min, 44.1 kHz stereo, q3), default
options (trim, 30 s central excerpt, all groups incl. descriptors).

| measure | value | reference |
| --- | --- | --- |
| ffmpeg decode of the excerpt window (34 s, seek) | ${p.decodeMs.toFixed(1)} ms (median) | about 120 ms per ffmpeg process |
| analysis of a decoded excerpt, no decoding (trim, STFT, mel, MFCC, chroma, spectral, descriptors, summaries) | ${p.analysisMs.toFixed(1)} ms (median) | librosa: 51 ms for the same features without descriptors |
| of which STFT, mel, MFCC, chroma, RMS, centroid, ZCR | ${p.dspOnlyMs.toFixed(1)} ms | |
| 1 worker: whole path | ${one.perTrackMs.toFixed(0)} ms per track, ${one.rate.toFixed(2)} tracks/s | Musly: ${musly} tracks/s on one core |
| 2 workers: whole path | ${two.perTrackMs.toFixed(0)} ms per track, ${two.rate.toFixed(2)} tracks/s | goal 1.8 x Musly = ${(1.8 * musly).toFixed(1)} tracks/s |
| speedup with 2 workers | ${(two.rate / one.rate).toFixed(2)} x | |
| 1 worker, MFCC group only (Musly's job: decode, MFCC, timbre Gaussian) | ${oneM.perTrackMs.toFixed(0)} ms per track, ${oneM.rate.toFixed(2)} tracks/s | Musly: ${musly} tracks/s |
| 2 workers, MFCC group only | ${twoM.perTrackMs.toFixed(0)} ms per track, ${twoM.rate.toFixed(2)} tracks/s | ${(1.8 * musly).toFixed(1)} tracks/s |
| peak RSS (after the 1-worker run / after both) | ${rss1.toFixed(0)} MiB / ${rss2.toFixed(0)} MiB | |
| failures | ${one.failed + two.failed + oneM.failed + twoM.failed} | |

One worker takes two tracks at a time, so that ffmpeg (its own process) decodes the next excerpt
on the second core while the worker analyses the current one: on this 2-core machine one worker
already keeps both cores busy, which is why a second worker adds little.
`;
process.stdout.write(md);
