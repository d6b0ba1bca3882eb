/**
 * Speed issue, items "decoding without a process per file" and "ingest without a probe per file":
 * plain PCM WAV files are decoded and probed in-process; YASR_DECODER=ffmpeg restores the old
 * path (an ffmpeg process per decode, an ffprobe process per ingested file), which is measured in
 * the same run, alternating, as the reference.
 * (a) `yasr features --mfcc --mel --chroma --spectral --workers 1` on N WAV clips (30 s, 22,050 Hz
 *     mono, 16-bit), before vs after;
 * (b) `yasr ingest` of a folder of 200 WAV clips (10 s) and 20 compressed files (Vorbis, MP3, FLAC),
 *     files/s before vs after; the WAV files alone; the compressed files alone; a folder of 200
 *     short compressed files of mixed formats (Vorbis, Opus, FLAC, MP3 CBR and VBR, M4A AAC; probed
 *     in-process since issue 10 item 2); and what batching probes into one `ffmpeg -i a -i b ...`
 *     would save (measured, not used: see the report).
 * Prints a markdown section and writes it to benchmarks/pipeline/decode-ingest-bench.md.
 * Usage: node dist/benchmarks/pipeline/decode-ingest-bench.js [N=80] [ROUNDS=2]
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFfmpeg } from '../../src/audio/ffmpeg.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { synthTrack } from '../../src/demo/synth.js';
import { machineLine, median, today } from '../machine.js';

const N = Number(process.argv[2] ?? 80);
const ROUNDS = Number(process.argv[3] ?? 2);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'dist', 'bin', 'yasr.js');
const dir = path.join(os.tmpdir(), 'yasr-bench-decode-ingest');
const clips = path.join(dir, 'clips30');
const mixed = path.join(dir, 'mixed');
const compressed = path.join(mixed, 'compressed');
const many = path.join(dir, 'compressed200');
/** The mixed formats of the 200-file folder: extension and ffmpeg codec arguments. */
const FORMATS: [string, string[]][] = [
  ['ogg', ['-c:a', 'libvorbis']],
  ['opus', ['-c:a', 'libopus']],
  ['flac', ['-c:a', 'flac']],
  ['mp3', ['-c:a', 'libmp3lame', '-b:a', '128k']],
  ['mp3', ['-c:a', 'libmp3lame', '-q:a', '4']],
  ['m4a', ['-c:a', 'aac']],
];
const tools = findFfmpeg();
const TIMBRES = ['pluck', 'pad', 'organ', 'brass'] as const;

function ffmpeg(args: string[]): void {
  const r = spawnSync(tools.ffmpeg, ['-nostdin', '-loglevel', 'error', '-y', ...args]);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${String(r.stderr)}`);
}

function makeCorpus(): void {
  mkdirSync(clips, { recursive: true });
  mkdirSync(compressed, { recursive: true });
  for (let i = 0; i < N; i++) {
    const f = path.join(clips, `clip${String(i).padStart(3, '0')}.wav`);
    if (!existsSync(f)) writeWav(f, synthTrack({ seconds: 30, bpm: 70 + ((i * 7) % 90), key: i % 12, mode: i % 2 ? 'minor' : 'major', timbre: TIMBRES[i % 4], seed: i + 1 }), 22050);
  }
  for (let i = 0; i < 200; i++) {
    const f = path.join(mixed, `w${String(i).padStart(3, '0')}.wav`);
    if (!existsSync(f)) writeWav(f, synthTrack({ seconds: 10, bpm: 80 + (i % 80), key: i % 12, mode: i % 2 ? 'minor' : 'major', timbre: TIMBRES[i % 4], seed: 1000 + i }), 22050);
  }
  for (let i = 0; i < 20; i++) {
    const ext = ['ogg', 'mp3', 'flac'][i % 3];
    const f = path.join(compressed, `c${String(i).padStart(2, '0')}.${ext}`);
    if (!existsSync(f)) ffmpeg(['-f', 'lavfi', '-i', `sine=f=${200 + 17 * i}:d=20`, '-metadata', `title=Tone ${i}`, '-metadata', 'artist=Bench', f]);
  }
  mkdirSync(many, { recursive: true });
  for (let i = 0; i < 200; i++) {
    const [ext, codec] = FORMATS[i % FORMATS.length];
    const f = path.join(many, `m${String(i).padStart(3, '0')}.${ext}`);
    if (!existsSync(f)) ffmpeg(['-f', 'lavfi', '-i', `sine=f=${150 + 7 * i}:d=${2 + (i % 5)}`, '-metadata', `title=Tone ${i}`, '-metadata', 'artist=Bench', '-ac', '2', ...codec, f]);
  }
}

function yasr(db: string, args: string[], decoder: 'ffmpeg' | 'in-process'): number {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
  if (decoder === 'ffmpeg') env.YASR_DECODER = 'ffmpeg';
  else delete env.YASR_DECODER;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, '--db', db, '--quiet', ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`yasr ${args.join(' ')}: exit ${r.status}: ${r.stderr.slice(-2000)}`);
  return s;
}

function freshDb(name: string): string {
  const db = path.join(dir, name);
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  return db;
}

makeCorpus();
const modes = ['ffmpeg', 'in-process'] as const;
const feat: Record<string, number[]> = { ffmpeg: [], 'in-process': [] };
const ing: Record<string, number[]> = { ffmpeg: [], 'in-process': [] };
const ingC: Record<string, number[]> = { ffmpeg: [], 'in-process': [] };
const ingW: Record<string, number[]> = { ffmpeg: [], 'in-process': [] };
const ingM: Record<string, number[]> = { ffmpeg: [], 'in-process': [] };
const wavOnly = path.join(dir, 'wav-only');
mkdirSync(wavOnly, { recursive: true });
for (const f of readdirSync(mixed).filter((n) => n.endsWith('.wav'))) {
  const to = path.join(wavOnly, f);
  if (!existsSync(to)) copyFileSync(path.join(mixed, f), to);
}
const nMany = readdirSync(many).length;
const nMixed = readdirSync(mixed).filter((f) => f.endsWith('.wav')).length + readdirSync(compressed).length;
for (let r = 0; r < ROUNDS; r++) {
  for (const m of r % 2 ? [...modes].reverse() : modes) {
    const db = freshDb(`features-${m}.db`);
    yasr(db, ['ingest', clips], m);
    feat[m].push(yasr(db, ['features', '--mfcc', '--mel', '--chroma', '--spectral', '--workers', '1'], m));
    ing[m].push(yasr(freshDb(`ingest-${m}.db`), ['ingest', mixed], m));
    ingC[m].push(yasr(freshDb(`ingest-c-${m}.db`), ['ingest', compressed], m));
    ingW[m].push(yasr(freshDb(`ingest-w-${m}.db`), ['ingest', wavOnly], m));
    ingM[m].push(yasr(freshDb(`ingest-m-${m}.db`), ['ingest', many], m));
  }
}
// one process for all 20 compressed files' banners vs 20 ffprobe processes
const comp = readdirSync(compressed).map((f) => path.join(compressed, f));
const t0 = performance.now();
for (const f of comp) spawnSync(tools.ffprobe ?? tools.ffmpeg, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', f]);
const perProbe = (performance.now() - t0) / comp.length;
const t1 = performance.now();
spawnSync(tools.ffmpeg, ['-nostdin', '-hide_banner', ...comp.flatMap((f) => ['-i', f])]);
const perBanner = (performance.now() - t1) / comp.length;

const med = (xs: number[]): number => median(xs);
const fRow = (m: string): string => `${(med(feat[m]) * 1000 / N).toFixed(0)} ms per track, ${(N / med(feat[m])).toFixed(2)} tracks/s (${feat[m].map((s) => s.toFixed(1)).join(' s, ')} s)`;
const iRow = (m: string, t: Record<string, number[]>, n: number): string => `${(n / med(t[m])).toFixed(1)} files/s (${t[m].map((s) => s.toFixed(2)).join(' s, ')} s)`;
const md = `### Decoding and ingest without a process per file (speed issue)
Machine: ${machineLine()}; shared with other work, so both paths were run in the same process,
alternating, ${ROUNDS} rounds (median; every run listed). Date: ${today()}. ffmpeg: ${tools.ffmpeg}${tools.ffprobe ? `, ffprobe: ${tools.ffprobe}` : ''}.
"Before" is \`YASR_DECODER=ffmpeg\` (an ffmpeg process per decode, an ffprobe process per ingested
file); "after" is the default (plain PCM WAV at the target rate read and probed in-process; Ogg
Vorbis/Opus, FLAC, MP3 and M4A AAC probed in-process with music-metadata and yasr's own header
readers, \`src/audio/probe-compressed.ts\`).
Times are whole CLI runs (Node start, database, worker start included).

| measure | before (ffmpeg) | after (in-process) | speedup |
| --- | --- | --- | --- |
| \`yasr features --mfcc --mel --chroma --spectral --workers 1\`, ${N} WAV clips (30 s, 22,050 Hz mono 16-bit) | ${fRow('ffmpeg')} | ${fRow('in-process')} | ${(med(feat.ffmpeg) / med(feat['in-process'])).toFixed(2)} x |
| \`yasr ingest\` of ${nMixed} local files (200 WAV of 10 s, 20 Vorbis/MP3/FLAC of 20 s) | ${iRow('ffmpeg', ing, nMixed)} | ${iRow('in-process', ing, nMixed)} | ${(med(ing.ffmpeg) / med(ing['in-process'])).toFixed(2)} x |
| \`yasr ingest\` of the 200 WAV files alone (a copy of them, 10 s each) | ${iRow('ffmpeg', ingW, 200)} | ${iRow('in-process', ingW, 200)} | ${(med(ingW.ffmpeg) / med(ingW['in-process'])).toFixed(2)} x |
| \`yasr ingest\` of the 20 compressed files alone (Vorbis/MP3/FLAC, 20 s) | ${iRow('ffmpeg', ingC, comp.length)} | ${iRow('in-process', ingC, comp.length)} | ${(med(ingC.ffmpeg) / med(ingC['in-process'])).toFixed(2)} x |
| \`yasr ingest\` of ${nMany} compressed files (2-6 s; Vorbis, Opus, FLAC, MP3 CBR and VBR, M4A AAC in turn) | ${iRow('ffmpeg', ingM, nMany)} | ${iRow('in-process', ingM, nMany)} | ${(med(ingM.ffmpeg) / med(ingM['in-process'])).toFixed(2)} x |
| one ffprobe per compressed file vs one \`ffmpeg -i a -i b ...\` for all 20 | ${perProbe.toFixed(0)} ms per file | ${perBanner.toFixed(1)} ms per file (not used, see below) | ${(perProbe / perBanner).toFixed(1)} x |

librosa: measured beside yasr in "Side by side with librosa and fastdtw" (benchmarks/pipeline/vs-python.ts).

Not done: batching the probes of files that still need ffprobe into one \`ffmpeg -i a -i b ...\`
(ffprobe takes one input). It would be about as fast as the last row says, but ffmpeg's banner states
the duration to the centisecond only (\`Duration: 00:00:20.02\`; ffprobe gives microseconds) and its
tags are the banner's (first value, trimmed, one line) rather than ffprobe's. Plain PCM WAV and the
common compressed formats need no process at all now (hashing was and is streamed); a file the
in-process readers are unsure of (another container, an ID3v1 tag alone, APE tags, HE-AAC, chained Ogg, ...) still costs one
ffprobe process (Debian's ffprobe needs about 150 ms to start, more on a loaded machine).
`;
process.stdout.write(md);
writeFileSync(path.join(ROOT, 'benchmarks', 'pipeline', 'decode-ingest-bench.md'), md);
