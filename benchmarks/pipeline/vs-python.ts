/**
 * Speed issue, side by side with the Python tools yasr replaces, whole commands as a person runs
 * them, in one run (alternating rounds, median):
 * (a) `yasr features --mfcc --mel --chroma --spectral --workers 1` on N WAV clips (30 s, 22,050 Hz
 *     mono 16-bit), with and without descriptors (`--all`), and with `--trim none`, against
 *     librosa 0.10.1 computing the same features of the same files (benchmarks/python/
 *     librosa_features.py: soundfile, trim unless none, central excerpt, one |STFT| shared by
 *     mel, MFCC, chroma, RMS and centroid, plus ZCR; and librosa's documented calls, each from y);
 * (b) `yasr similarity --method fastdtw --workers 1` (radius 1, all pairs of the N tracks' MFCC
 *     sequences, 1,292 x 20 frames) against the fastdtw package's C extension on the same
 *     sequences (benchmarks/python/fastdtw_pairs.py, dist=2), distances compared.
 * The Python side runs with $YASR_BENCH_PYTHON (default /usr/bin/python3, else python3) and the
 * caller's PYTHONPATH; benchmarks/python/README.md says how to set librosa and fastdtw up without
 * PyPI. Where a package is missing, its rows say so and the yasr rows are still measured.
 * Usage: node dist/benchmarks/pipeline/vs-python.js [N=80] [ROUNDS=3]
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWav } from '../../src/interop/wav-write.js';
import { readNpy } from '../../src/interop/npy.js';
import { synthTrack } from '../../src/demo/synth.js';
import { openDb } from '../../src/store/db.js';
import { allTracks } from '../../src/store/tracks.js';
import { LEVEL_REFERENCED_SEQUENCE, sequenceOf } from '../../src/pipeline/similarity/catalogue.js';
import { machineLine, median, today } from '../machine.js';

const N = Number(process.argv[2] ?? 80);
const ROUNDS = Number(process.argv[3] ?? 3);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'dist', 'bin', 'yasr.js');
const PY_DIR = path.join(ROOT, 'benchmarks', 'python');
const dir = path.join(os.tmpdir(), 'yasr-bench-vs-python');
const clips = path.join(dir, 'clips30');
const TIMBRES = ['pluck', 'pad', 'organ', 'brass'] as const;
const PYTHON = process.env.YASR_BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

mkdirSync(clips, { recursive: true });
for (let i = 0; i < N; i++) {
  const f = path.join(clips, `clip${String(i).padStart(3, '0')}.wav`);
  if (!existsSync(f)) writeWav(f, synthTrack({ seconds: 30, bpm: 70 + ((i * 7) % 90), key: i % 12, mode: i % 2 ? 'minor' : 'major', timbre: TIMBRES[i % 4], seed: i + 1 }), 22050);
}

/** Seconds a whole process took (spawn to exit); throws with its stderr when it fails. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { s: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${(r.stderr ?? '').slice(-2000)}`);
  return { s, stdout: r.stdout };
}

function yasr(db: string, args: string[]): number {
  return timed(process.execPath, [BIN, '--db', db, '--quiet', ...args], { ...process.env, CI: '1' }).s;
}

function freshDb(name: string): string {
  const db = path.join(dir, name);
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  return db;
}

function pyHas(code: string): string | null {
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} does not run (${r.error.message})`;
  return r.status === 0 ? null : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
}
const noLibrosa = pyHas('import librosa, soundfile');
const noFastdtw = pyHas('from fastdtw._fastdtw import fastdtw');
const pyVersions = noLibrosa ? '' : spawnSync(PYTHON, ['-c', 'import sys, librosa, numpy, numba; print(sys.version.split()[0], librosa.__version__, numpy.__version__, numba.__version__)'], { encoding: 'utf8' }).stdout.trim();

// (a) features, alternating: yasr variants and librosa variants
type Run = { label: string; run: () => number };
const FEATURE_ARGS = ['features', '--mfcc', '--mel', '--chroma', '--spectral', '--workers', '1'];
const runs: Run[] = [
  { label: 'yasr features --mfcc --mel --chroma --spectral --workers 1', run: () => ingestThen('f-default.db', FEATURE_ARGS) },
  { label: 'yasr features --all --workers 1 (descriptors too)', run: () => ingestThen('f-all.db', ['features', '--all', '--workers', '1']) },
  { label: 'yasr features --mfcc --mel --chroma --spectral --workers 1 --trim none', run: () => ingestThen('f-notrim.db', [...FEATURE_ARGS, '--trim', 'none']) },
];
if (!noLibrosa) {
  const py = (mode: string, trim: string) => () => timed(PYTHON, [path.join(PY_DIR, 'librosa_features.py'), clips, '--mode', mode, '--trim', trim]).s;
  // numba compiles librosa's kernels on first use and caches them: one untimed run first
  py('shared', 'librosa')();
  runs.push(
    { label: 'librosa, the same job (trim, excerpt, one STFT shared)', run: py('shared', 'librosa') },
    { label: 'librosa, one STFT shared, no trim', run: py('shared', 'none') },
    { label: "librosa, each feature from y as its documentation calls them (trim, excerpt)", run: py('calls', 'librosa') },
  );
}
const times = new Map<string, number[]>(runs.map((r) => [r.label, []]));
function ingestThen(name: string, args: string[]): number {
  const db = freshDb(name);
  yasr(db, ['ingest', clips]);
  return yasr(db, args);
}
for (let round = 0; round < ROUNDS; round++) {
  for (const r of round % 2 ? [...runs].reverse() : runs) times.get(r.label)!.push(r.run());
}
const med = (label: string): number => median(times.get(label)!);

// (b) fastdtw: the sequences yasr aligns, written for Python; yasr's whole command, alternating
const seqDir = path.join(dir, 'sequences');
rmSync(seqDir, { recursive: true, force: true });
mkdirSync(seqDir, { recursive: true });
const featuredDb = path.join(dir, 'f-default.db');
const dims: Record<string, number> = {};
const nameOf = new Map<number, string>();
{
  const db = openDb(featuredDb, { readonly: true });
  for (const t of allTracks(db)) {
    const name = `t${String(t.id).padStart(5, '0')}`;
    const { seq, dim } = sequenceOf(db, t.id, LEVEL_REFERENCED_SEQUENCE);
    writeFileSync(path.join(seqDir, `${name}.f32`), Buffer.from(seq.buffer, seq.byteOffset, seq.byteLength));
    dims[name] = dim;
    nameOf.set(t.id, name);
  }
  db.close();
}
writeFileSync(path.join(seqDir, 'dims.json'), JSON.stringify(dims));
const pairs = (Object.keys(dims).length * (Object.keys(dims).length - 1)) / 2;
const dtwY: number[] = [];
const dtwPy: number[] = [];
let pyDistances: [string, string, number][] = [];
const DTW_ROUNDS = Math.max(1, Math.min(ROUNDS, 2));
for (let round = 0; round < DTW_ROUNDS; round++) {
  const db = path.join(dir, 'dtw.db');
  for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true });
  copyFileSync(featuredDb, db);
  dtwY.push(yasr(db, ['similarity', '--method', 'fastdtw', '--radius', '1', '--workers', '1']));
  if (!noFastdtw) {
    const r = timed(PYTHON, [path.join(PY_DIR, 'fastdtw_pairs.py'), seqDir, '--radius', '1']);
    dtwPy.push(r.s);
    pyDistances = JSON.parse(r.stdout).distances;
  }
}
// yasr's distances from the stored matrix, compared with the C extension's
let same = 'not compared (no fastdtw C extension)';
if (pyDistances.length) {
  const npy = path.join(dir, 'fastdtw.npy');
  timed(process.execPath, [BIN, '--db', path.join(dir, 'dtw.db'), '--quiet', 'export-matrix', '--method', 'fastdtw', '--radius', '1', '--out', npy]);
  const ids: number[] = JSON.parse(readFileSync(`${npy.slice(0, -4)}.tracks.json`, 'utf8')).tracks.map((t: { id: number }) => t.id);
  const m = readNpy(npy).data;
  const at = new Map(ids.map((id, i) => [nameOf.get(id)!, i]));
  let maxRel = 0;
  for (const [a, b, d] of pyDistances) {
    const v = m[at.get(a)! * ids.length + at.get(b)!];
    maxRel = Math.max(maxRel, Math.abs(v - d) / Math.max(1e-12, Math.abs(d)));
  }
  same = `largest relative difference over the ${pyDistances.length} pairs ${maxRel.toExponential(1)} (yasr stores float32)`;
}

const s = (x: number) => `${x.toFixed(2)} s`;
const all = (label: string) => times.get(label)!.map((x) => x.toFixed(2)).join(', ');
const ref = noLibrosa ? null : med('librosa, the same job (trim, excerpt, one STFT shared)');
const refNoTrim = noLibrosa ? null : med('librosa, one STFT shared, no trim');
const ratio = (label: string, r: number | null) => (r ? `${(med(label) / r).toFixed(2)} x` : '');
const rows = runs.map((r) => {
  const vs = r.label.includes('--trim none') ? ratio(r.label, refNoTrim) : r.label.startsWith('yasr') ? ratio(r.label, ref) : '';
  return `| ${r.label} | ${s(med(r.label))} (${all(r.label)}) | ${((med(r.label) * 1000) / N).toFixed(0)} ms | ${vs} |`;
});
const md = `### Side by side with librosa and fastdtw (speed issue)
Machine: ${machineLine()}. Date: ${today()}. ${N} WAV clips (30 s, 22,050 Hz mono 16-bit,
synthesised), ${ROUNDS} rounds alternating (median, every run listed). Whole processes as a person
runs them: Node or Python start, imports, database, everything until exit. Python: ${PYTHON}${pyVersions ? ` (Python, librosa, numpy, numba: ${pyVersions})` : ''}; ${noLibrosa ? `librosa not measured: ${noLibrosa}` : 'librosa from its 0.10.1 source with Debian 12 packages (benchmarks/python/README.md), numba cache warmed by one untimed run'}.

| command | wall (runs) | per clip | x librosa (same job) |
| --- | --- | --- | --- |
${rows.join('\n')}

"Same job": yasr's default trim against librosa with \`effects.trim\`; \`--trim none\` against
librosa without it. librosa's \`effects.trim\` alone takes most of its time here (numpy 1.24's
\`np.power(x, 2)\` on the framed signal); the no-trim rows compare the feature computation itself.

| FastDTW, radius 1, all ${pairs} pairs of ${N} sequences (1,292 x 20), one worker | wall (runs) | per pair |
| --- | --- | --- |
| \`yasr similarity --method fastdtw --radius 1 --workers 1\` (whole command) | ${s(median(dtwY))} (${dtwY.map((x) => x.toFixed(2)).join(', ')}) | ${((median(dtwY) * 1000) / pairs).toFixed(2)} ms |
| fastdtw ${noFastdtw ? `not measured: ${noFastdtw}` : `C extension (fastdtw._fastdtw, dist=2), whole process`} | ${dtwPy.length ? `${s(median(dtwPy))} (${dtwPy.map((x) => x.toFixed(2)).join(', ')})` : ''} | ${dtwPy.length ? `${((median(dtwPy) * 1000) / pairs).toFixed(2)} ms` : ''} |
${dtwPy.length ? `| yasr's speed-up | ${(median(dtwPy) / median(dtwY)).toFixed(1)} x | |\n` : ''}
Distances: ${same}.
`;
process.stdout.write(md);
