import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ffmpeg, tempDir } from '../helpers/cli.js';
import { randomBytes, runYasr, seededRandom } from '../helpers/robustness-run.js';
import { blobProblems, integrityCheck } from '../helpers/robustness-db.js';
import { writeWav } from '../../src/interop/wav-write.js';
import { synthTrack } from '../../src/demo/synth.js';

/**
 * Issue 5, item 5: bad input loses nothing. Over 200 seeded malformed files (random bytes with
 * audio endings, real headers over garbage with lying sizes, good files cut short or with bytes
 * overwritten, empty and one-byte files) and a few intact controls are ingested and analysed
 * with 2 workers. The batch must complete without a crash, and every file must end either as a
 * track with its features done, or recorded as failed (at ingest in `sources`, at analysis in
 * `checkpoints`) with a one-line reason that names the file. Every stored number is finite.
 *
 * Reproduce with the printed seed: YASR_ROBUST_SEED=<seed> npx vitest run test/robustness/malformed-audio.test.ts
 */
const SEED = Number(process.env.YASR_ROBUST_SEED ?? 5005);

const dir = tempDir('yasr-malformed-');
const bad = path.join(dir, 'in');
const db = path.join(dir, 'malformed.db');
/** file name -> the kind of damage (for the report). */
const kinds = new Map<string, string>();
const controls: string[] = [];

function put(name: string, kind: string, data: Buffer | Uint8Array): void {
  if (kinds.has(name)) throw new Error(`duplicate test file name ${name}`);
  writeFileSync(path.join(bad, name), data);
  kinds.set(name, kind);
}

/** A 44-byte canonical WAV header whose fields lie as `rand` decides. */
function lyingWavHeader(rand: () => number): Buffer {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(pick([0, 36, 0xffffffff, Math.floor(rand() * 2 ** 32)]), 4);
  h.write('WAVE', 8, 'latin1');
  h.write(pick(['fmt ', 'fmt ', 'fmt ', 'junk']), 12, 'latin1');
  h.writeUInt32LE(pick([16, 16, 18, 0, 0xffffffff]), 16);
  h.writeUInt16LE(pick([1, 1, 3, 0, 0xfffe, Math.floor(rand() * 65536)]), 20); // format tag
  h.writeUInt16LE(pick([1, 2, 0, 255, 65535]), 22); // channels
  h.writeUInt32LE(pick([22050, 44100, 0, 1, 0xffffffff, 7]), 24); // sample rate
  h.writeUInt32LE(pick([0, 44100, 0xffffffff]), 28); // byte rate
  h.writeUInt16LE(pick([2, 4, 0, 3]), 32); // block align
  h.writeUInt16LE(pick([16, 16, 8, 32, 0, 7, 64]), 34); // bits
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(pick([0, 0xffffffff, 1, Math.floor(rand() * 2 ** 32)]), 40);
  return h;
}

/** An Ogg page header ('OggS', version 0) with random fields and segment table. */
function oggHeader(rand: () => number): Buffer {
  const segs = 1 + Math.floor(rand() * 8);
  const h = Buffer.alloc(27 + segs);
  h.write('OggS', 0, 'latin1');
  h[4] = rand() < 0.8 ? 0 : Math.floor(rand() * 256);
  h[5] = rand() < 0.5 ? 2 : Math.floor(rand() * 8); // BOS flag, mostly
  randomBytes(rand, 20).copy(h, 6); // granule, serial, sequence, CRC: garbage
  h[26] = segs;
  for (let i = 0; i < segs; i++) h[27 + i] = Math.floor(rand() * 256);
  // sometimes the start of a real Vorbis / Opus identification header
  const id = rand() < 0.5 ? Buffer.from('\x01vorbis', 'latin1') : Buffer.from('OpusHead', 'latin1');
  return Buffer.concat([h, rand() < 0.6 ? id : Buffer.alloc(0)]);
}

/** An ID3v2 tag header (syncsafe size, honest or lying), optionally a tag frame. */
function id3Header(rand: () => number): Buffer {
  const h = Buffer.alloc(10);
  h.write('ID3', 0, 'latin1');
  h[3] = [2, 3, 4, 9][Math.floor(rand() * 4)];
  h[4] = 0;
  h[5] = rand() < 0.8 ? 0 : Math.floor(rand() * 256);
  for (let i = 6; i < 10; i++) h[i] = Math.floor(rand() * 128);
  const frame = rand() < 0.5 ? Buffer.from('TIT2\x00\x00\x00\x06\x00\x00\x00bad\x00', 'latin1') : Buffer.alloc(0);
  // sometimes an MPEG frame sync after the tag, so a decoder tries harder
  const sync = rand() < 0.5 ? Buffer.from([0xff, 0xfb, 0x90, 0x64]) : Buffer.alloc(0);
  return Buffer.concat([h, frame, sync]);
}

/** 'fLaC' and, mostly, a STREAMINFO block with random contents. */
function flacHeader(rand: () => number): Buffer {
  const parts: Buffer[] = [Buffer.from('fLaC', 'latin1')];
  if (rand() < 0.7) {
    const hdr = Buffer.from([rand() < 0.5 ? 0x80 : 0x00, 0, 0, 34]);
    parts.push(hdr, randomBytes(rand, 34));
  }
  return Buffer.concat(parts);
}

function makeFiles(): void {
  mkdirSync(bad, { recursive: true });
  const rand = seededRandom(SEED);
  const src = path.join(dir, 'src');
  mkdirSync(src, { recursive: true });
  // good sources in four formats (3 s of synthesised music)
  const wav = path.join(src, 'good.wav');
  writeWav(wav, synthTrack({ seconds: 3, bpm: 120, key: 2, mode: 'major', timbre: 'pluck', seed: 9 }), 22050);
  const good: Record<string, Buffer> = { wav: readFileSync(wav) };
  for (const [ext, codec] of [['ogg', ['-c:a', 'libvorbis']], ['mp3', ['-c:a', 'libmp3lame']], ['flac', ['-c:a', 'flac']]] as const) {
    const out = path.join(src, `good.${ext}`);
    ffmpeg(['-i', wav, ...codec, out]);
    good[ext] = readFileSync(out);
  }
  const exts = ['mp3', 'ogg', 'wav', 'flac', 'm4a', 'opus', 'aiff', 'wma', 'aac', 'mka'];
  let n = 0;
  const id = () => String(n++).padStart(3, '0');
  // controls: intact files, which must be analysed
  for (const ext of Object.keys(good)) {
    const name = `${id()}-control.${ext}`;
    put(name, 'control', good[ext]);
    controls.push(name);
  }
  // random bytes with audio endings
  for (let i = 0; i < 40; i++) put(`${id()}-random.${exts[i % exts.length]}`, 'random bytes', randomBytes(rand, 2 + Math.floor(rand() * 40_000)));
  // valid headers over garbage
  for (let i = 0; i < 30; i++) put(`${id()}-wav-header.wav`, 'WAV header + garbage', Buffer.concat([lyingWavHeader(rand), randomBytes(rand, Math.floor(rand() * 30_000))]));
  for (let i = 0; i < 25; i++) put(`${id()}-ogg-header.ogg`, 'OggS + garbage', Buffer.concat([oggHeader(rand), randomBytes(rand, Math.floor(rand() * 30_000))]));
  for (let i = 0; i < 25; i++) put(`${id()}-id3-header.mp3`, 'ID3 + garbage', Buffer.concat([id3Header(rand), randomBytes(rand, Math.floor(rand() * 30_000))]));
  for (let i = 0; i < 25; i++) put(`${id()}-flac-header.flac`, 'fLaC + garbage', Buffer.concat([flacHeader(rand), randomBytes(rand, Math.floor(rand() * 30_000))]));
  // good files cut at random points (anywhere from inside the header to near the end)
  for (const ext of Object.keys(good)) {
    for (let i = 0; i < 12; i++) {
      const g = good[ext];
      const at = i < 3 ? 1 + Math.floor(rand() * 64) : Math.floor(rand() * g.length);
      put(`${id()}-cut.${ext}`, 'good file cut short', g.subarray(0, Math.max(1, at)));
    }
  }
  // good files with a run of bytes overwritten by garbage
  for (const ext of Object.keys(good)) {
    for (let i = 0; i < 5; i++) {
      const g = Buffer.from(good[ext]);
      const at = Math.floor(rand() * g.length);
      randomBytes(rand, Math.min(g.length - at, 1 + Math.floor(rand() * 2000))).copy(g, at);
      put(`${id()}-corrupt.${ext}`, 'good file with garbage inside', g);
    }
  }
  // zero and one byte
  for (let i = 0; i < 5; i++) put(`${id()}-empty.${exts[i]}`, 'zero bytes', Buffer.alloc(0));
  for (let i = 0; i < 5; i++) put(`${id()}-one-byte.${exts[i + 5]}`, 'one byte', randomBytes(rand, 1));
}

interface SourceRow { source: string; status: string; error: string | null; track_id: number | null }
interface CheckpointRow { track_id: number; status: string; error: string | null }

describe('malformed audio never stops a batch and is never lost', () => {
  beforeAll(() => makeFiles(), 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`ingest and features (2 workers) account for every one of the files (seed ${SEED})`, async () => {
    const files = readdirSync(bad).sort();
    expect(files.length - controls.length).toBeGreaterThanOrEqual(200);

    const t0 = performance.now();
    const ing = await runYasr(db, ['ingest', bad]);
    const tIngest = performance.now() - t0;
    expect(ing.signal, 'ingest ended by a signal').toBeNull();
    expect([0, 1], `ingest exit ${ing.status}: ${ing.stderr.slice(-2000)}`).toContain(ing.status);
    expect(ing.stderr).not.toMatch(/internal error/i);

    const t1 = performance.now();
    const feat = await runYasr(db, ['features', '--workers', '2']);
    const tFeatures = performance.now() - t1;
    expect(feat.signal, 'features ended by a signal').toBeNull();
    expect([0, 1], `features exit ${feat.status}: ${feat.stderr.slice(-2000)}`).toContain(feat.status);
    expect(feat.stderr).not.toMatch(/internal error/i);

    const d = new Database(db, { readonly: true });
    const sources = new Map((d.prepare('SELECT source, status, error, track_id FROM sources').all() as SourceRow[]).map((r) => [path.basename(r.source), r]));
    const checkpoints = new Map(
      (d.prepare(`SELECT track_id, status, error FROM checkpoints WHERE stage = 'features'`).all() as CheckpointRow[]).map((r) => [r.track_id, r]),
    );
    const featureCount = new Map(
      (d.prepare('SELECT track_id, COUNT(*) AS n FROM features GROUP BY track_id').all() as { track_id: number; n: number }[]).map((r) => [r.track_id, r.n]),
    );
    // non-finite REAL values anywhere (SQLite keeps +-Inf; NaN becomes NULL)
    const nonFinite: string[] = [];
    for (const { name: t } of d.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as { name: string }[]) {
      for (const { name: c } of d.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]) {
        const n = (d.prepare(`SELECT COUNT(*) AS n FROM "${t}" WHERE typeof("${c}") = 'real' AND abs("${c}") > 1.7e308`).get() as { n: number }).n;
        if (n) nonFinite.push(`${t}.${c}: ${n}`);
      }
    }
    const metas = d.prepare('SELECT meta FROM features WHERE meta IS NOT NULL').all() as { meta: string }[];
    d.close();

    const outcome = new Map<string, string>();
    const problems: string[] = [];
    for (const f of files) {
      const s = sources.get(f);
      if (!s) {
        problems.push(`${f}: not recorded at all`);
        continue;
      }
      if (s.status === 'failed') {
        outcome.set(f, 'ingest failed');
        if (!s.error || !s.error.includes(f)) problems.push(`${f}: ingest failure reason does not name the file: ${s.error}`);
        if (s.error?.includes('\n')) problems.push(`${f}: ingest failure reason spans lines`);
        continue;
      }
      const c = s.track_id != null ? checkpoints.get(s.track_id) : undefined;
      if (!c) {
        problems.push(`${f}: ingested (track ${s.track_id}) but neither analysed nor failed`);
        continue;
      }
      if (c.status === 'done') {
        outcome.set(f, 'analysed');
        if (!featureCount.get(c.track_id)) problems.push(`${f}: done without features`);
      } else {
        outcome.set(f, 'analysis failed');
        // a duplicate (same bytes under another name) shares the track: its reason names the first file
        const sameTrack = [...sources.entries()].filter(([, r]) => r.track_id === c.track_id).map(([n]) => n);
        if (!c.error || !sameTrack.some((n) => c.error!.includes(n))) problems.push(`${f}: analysis failure reason does not name the file: ${c.error}`);
        if (c.error?.includes('\n')) problems.push(`${f}: analysis failure reason spans lines`);
      }
    }
    for (const c of controls) if (outcome.get(c) !== 'analysed') problems.push(`control ${c}: ${outcome.get(c)}`);

    // the report: outcome per kind of damage, and the reasons given (file names taken out)
    const reasons = new Map<string, number>();
    const reasonOf = (stage: string, e: string | null) => {
      const r = `${stage}: ${(e ?? '').replace(/\/\S*\/(\d{3}-[\w-]+\.\w+)/g, 'FILE').replace(/\d{3}-[\w-]+\.\w+/g, 'FILE').replace(/\d+(\.\d+)?/g, 'N').slice(0, 110)}`;
      reasons.set(r, (reasons.get(r) ?? 0) + 1);
    };
    for (const [f, o] of outcome) {
      const s = sources.get(f)!;
      if (o === 'ingest failed') reasonOf('ingest', s.error);
      else if (o === 'analysis failed') reasonOf('analysis', checkpoints.get(s.track_id!)!.error);
    }

    const table = new Map<string, Record<string, number>>();
    for (const f of files) {
      const k = kinds.get(f) ?? '?';
      const row = table.get(k) ?? { files: 0, 'ingest failed': 0, 'analysis failed': 0, analysed: 0 };
      row.files++;
      const o = outcome.get(f);
      if (o) row[o]++;
      table.set(k, row);
    }
    const total = { files: files.length, 'ingest failed': 0, 'analysis failed': 0, analysed: 0 };
    for (const o of outcome.values()) total[o as keyof typeof total]++;
    // eslint-disable-next-line no-console
    console.log(
      `malformed-audio report (seed ${SEED}): ingest ${(tIngest / 1000).toFixed(1)} s (exit ${ing.status}), ` +
        `features ${(tFeatures / 1000).toFixed(1)} s (exit ${feat.status})\n` +
        [...table.entries(), ['TOTAL', total] as const].map(([k, r]) => `  ${k.padEnd(30)} ${JSON.stringify(r)}`).join('\n') +
        `\n  reasons:\n${[...reasons.entries()].sort((x, y) => y[1] - x[1]).map(([r, n]) => `    ${String(n).padStart(4)}  ${r}`).join('\n')}`,
    );

    expect(problems).toEqual([]);
    expect(nonFinite, 'non-finite numbers stored').toEqual([]);
    for (const m of metas) expect(m.meta).not.toMatch(/NaN|Infinity/);
    expect(blobProblems(db), 'feature blobs of the wrong length or with non-finite values').toEqual([]);
    expect(integrityCheck(db)).toBe('ok');
    expect(total.analysed + total['ingest failed'] + total['analysis failed']).toBe(files.length);

    // a second pass changes nothing: nothing pending, failures stay recorded (not retried)
    const again = await runYasr(db, ['features', '--workers', '2', '--json']);
    expect(again.signal).toBeNull();
    const s = JSON.parse(again.stdout) as { analysed: number; failed: number };
    expect([s.analysed, s.failed]).toEqual([0, 0]);
  }, 300_000);
});
