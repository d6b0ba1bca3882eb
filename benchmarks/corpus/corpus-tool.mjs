#!/usr/bin/env node
// Helper for benchmarks/corpus/build.sh (plain Node 20 ESM, no dependencies, no build step).
//
// Subcommands (all paths absolute or relative to the cwd):
//   harvest  --root DIR --pkg P --album A --include RE [--exclude RE] --dest DIR --state FILE
//            [--min-duration 20] [--base OUTDIR]
//       Walks DIR (an extracted .deb), keeps audio files (ogg/oga/mp3/flac/wav/opus) whose path
//       relative to DIR matches RE (case-insensitive) and not the exclude RE, whose first audio
//       stream probes (ffprobe) to >= min-duration seconds; moves each into DEST keeping its
//       relative path, and writes one JSON record per kept file to FILE (written atomically,
//       so a present FILE means the package is done).
//   manifest --out OUTDIR --pkgs "p1 p2 ..." [--part fresh]
//       Reads OUTDIR/state/<p>.jsonl in the given order, drops byte-identical duplicates (first
//       package wins; the duplicate file is deleted), writes OUTDIR/manifest.csv and
//       OUTDIR/tracks.jsonl (same rows plus duration, sha256, codec, package). With --part NAME
//       it writes OUTDIR/manifest-NAME.csv and OUTDIR/tracks-NAME.jsonl instead, and also drops
//       files byte-identical to one of OUTDIR/tracks.jsonl (the main part).
//   unzip    --zip FILE --include RE --dest DIR
//       Extracts from a zip archive (a Quake-style .pk3 is one) only its audio files whose path
//       inside the archive matches RE (case-insensitive), into DIR; prints how many.
//   variants --out OUTDIR [--count 50]
//       Writes re-encoded and 5-s-trimmed copies of `count` tracks to OUTDIR/variants/ and
//       OUTDIR/variants.csv. Resumable: finished outputs are kept.
//   summary  --out OUTDIR [--part NAME]
//       Prints tracks per album and total duration (of tracks-NAME.jsonl with --part).
//
// variants.csv: path,original_path,kind for VARIANTS tracks of 30 s to 7 min, spread round-robin
// over albums: kind "reencode" = mp3 96 kb/s (Ogg Vorbis -q:a 2 for mp3 sources), kind "trim5s" =
// the first 5 s cut, Ogg Vorbis -q:a 6. Tags are stripped from variants.
//
// Manifest columns: path,artist,title,album,release_date,popularity
//   path          absolute path of the audio file
//   artist        the file's ARTIST tag (its first value when repeated), else "<album> composer" (also for placeholder tags
//                 such as "<Unknown>")
//   title         the file's TITLE tag (first value), else the file name without extension, '_' -> ' '
//                 (for Frets on Fire's "song.ogg", the song's folder name)
//   album         the game (fixed per package by build.sh)
//   release_date  YYYY-MM-DD, deterministic: h = sha256("yasr-corpus-release:" + p) where p is the
//                 path relative to OUTDIR ("audio/<pkg>/..."); year = 1990 + h[0..4] mod 35,
//                 month = 1 + h[4] mod 12, day = 1 + h[5] mod 28
//   popularity    integer 0-100, deterministic per artist: u = uint32be(sha256(
//                 "yasr-corpus-popularity:" + artist)[0..4]) / 2^32; popularity = floor(101 * u^2)
//                 (skewed towards low values, mean about 33, like a long-tail catalogue)
// CSV: RFC 4180 quoting (a field containing a comma, a double quote, CR or LF is enclosed in
// double quotes and its quotes doubled); records end with LF; UTF-8 without BOM.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const AUDIO_EXT = /\.(ogg|oga|mp3|flac|wav|opus)$/i;
// ARTIST tags that name nobody (treated as missing).
const PLACEHOLDER = /^\s*[<\[(]?\s*(unknown|unknown artist|various|various artists|none|n\/a)?\s*[>\])]?\s*$/i;

function parseArgs(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      out[a.slice(2)] = argv[i + 1];
      i++;
    } else out._.push(a);
  }
  return out;
}

function run(cmd, args) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.on('error', (e) => resolve({ code: -1, stdout, stderr: String(e) }));
  });
}

async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}

async function walk(dir) {
  const out = [];
  async function rec(d) {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await rec(p);
      else if (e.isFile()) out.push(p);
    }
  }
  await rec(dir);
  return out.sort();
}

function sha256File(p) {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(p)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

function lowerKeys(tags) {
  const o = {};
  for (const [k, v] of Object.entries(tags ?? {})) o[k.toLowerCase()] = String(v).trim();
  return o;
}

/** ffprobe one file: {duration, codec, sampleRate, channels, tags} or null when no audio stream. */
async function probe(file) {
  const r = await run('ffprobe', [
    '-v', 'error', '-show_entries',
    'format=duration,format_name:format_tags:stream=codec_type,codec_name,sample_rate,channels,duration:stream_tags',
    '-of', 'json', file,
  ]);
  if (r.code !== 0) return null;
  let j;
  try {
    j = JSON.parse(r.stdout);
  } catch {
    return null;
  }
  const a = (j.streams ?? []).find((s) => s.codec_type === 'audio');
  if (!a) return null;
  let duration = Number(j.format?.duration);
  if (!Number.isFinite(duration)) duration = Number(a.duration);
  const tags = { ...lowerKeys(a.tags), ...lowerKeys(j.format?.tags) };
  return {
    duration: Number.isFinite(duration) ? duration : 0,
    codec: a.codec_name,
    sampleRate: Number(a.sample_rate),
    channels: Number(a.channels),
    tags,
  };
}

async function harvest(o) {
  const root = path.resolve(o.root);
  const dest = path.resolve(o.dest);
  const base = path.resolve(o.base ?? path.dirname(path.dirname(dest)));
  const include = new RegExp(o.include ?? '.', 'i');
  const exclude = o.exclude ? new RegExp(o.exclude, 'i') : null;
  const minDur = Number(o['min-duration'] ?? 20);
  const files = (await walk(root)).filter((f) => {
    const rel = path.relative(root, f);
    return AUDIO_EXT.test(rel) && include.test(rel) && !(exclude && exclude.test(rel));
  });
  const probed = await pool(files, 4, (f) => probe(f));
  const records = [];
  let short = 0;
  let bad = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const p = probed[i];
    if (!p) {
      bad++;
      continue;
    }
    if (p.duration < minDur) {
      short++;
      continue;
    }
    const rel = path.relative(root, f).replace(/^usr\/share\//, '');
    const target = path.join(dest, rel);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.rename(f, target);
    records.push({
      rel: path.relative(base, target),
      pkg: o.pkg,
      album: o.album,
      duration: Math.round(p.duration * 1000) / 1000,
      codec: p.codec,
      sampleRate: p.sampleRate,
      channels: p.channels,
      size: (await fs.stat(target)).size,
      sha256: await sha256File(target),
      tags: {
        artist: p.tags.artist ?? '',
        title: p.tags.title ?? '',
        album: p.tags.album ?? '',
        date: p.tags.date ?? '',
      },
    });
  }
  const tmp = `${o.state}.tmp`;
  await fs.mkdir(path.dirname(o.state), { recursive: true });
  await fs.writeFile(tmp, records.map((r) => JSON.stringify(r) + '\n').join(''));
  await fs.rename(tmp, o.state);
  console.log(
    `  ${o.pkg}: ${files.length} candidate audio files, kept ${records.length}, ` +
      `${short} shorter than ${minDur} s, ${bad} unreadable`,
  );
}

export function csvField(v) {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(fields) {
  return fields.map(csvField).join(',') + '\n';
}

function hashBytes(s) {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function popularityFor(artist) {
  const u = hashBytes(`yasr-corpus-popularity:${artist}`).readUInt32BE(0) / 2 ** 32;
  return Math.floor(101 * u * u);
}

export function releaseDateFor(relPath) {
  const h = hashBytes(`yasr-corpus-release:${relPath}`);
  const year = 1990 + (h.readUInt32BE(0) % 35);
  const month = 1 + (h[4] % 12);
  const day = 1 + (h[5] % 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** ffprobe joins repeated tags with ';' ("A;A (long name)"): keep the first value. */
function firstValue(tag) {
  return String(tag ?? '').split(';')[0].trim();
}

function titleFor(rec) {
  if (firstValue(rec.tags.title)) return firstValue(rec.tags.title);
  const stem = path.basename(rec.rel).replace(AUDIO_EXT, '');
  const name = /^song$/i.test(stem) ? path.basename(path.dirname(rec.rel)) : stem;
  return name.replace(/_/g, ' ').trim();
}

async function readJsonl(p) {
  const txt = await fs.readFile(p, 'utf8');
  return txt
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** '' for the main part, '-NAME' for --part NAME (letters, digits and '-' only). */
function partSuffix(o) {
  if (o.part === undefined) return '';
  if (!/^[a-z0-9-]+$/i.test(String(o.part))) throw new Error(`--part: expected letters, digits or '-', got '${o.part}'`);
  return `-${o.part}`;
}

async function manifest(o) {
  const out = path.resolve(o.out);
  const pkgs = String(o.pkgs).split(/\s+/).filter(Boolean);
  const part = partSuffix(o);
  const seen = new Map();
  if (part) for (const r of await readJsonl(path.join(out, 'tracks.jsonl'))) seen.set(r.sha256, r.rel);
  const rows = [];
  let dups = 0;
  for (const pkg of pkgs) {
    const st = path.join(out, 'state', `${pkg}.jsonl`);
    if (!existsSync(st)) continue;
    for (const r of await readJsonl(st)) {
      const abs = path.join(out, r.rel);
      if (!existsSync(abs)) continue;
      if (seen.has(r.sha256)) {
        if (seen.get(r.sha256) !== r.rel) {
          dups++;
          await fs.rm(abs, { force: true });
        }
        continue;
      }
      seen.set(r.sha256, r.rel);
      const tagged = PLACEHOLDER.test(firstValue(r.tags.artist)) ? '' : firstValue(r.tags.artist);
      const artist = tagged || `${r.album} composer`;
      rows.push({
        path: abs,
        artist,
        title: titleFor(r),
        album: r.album,
        release_date: releaseDateFor(r.rel),
        popularity: popularityFor(artist),
        duration: r.duration,
        codec: r.codec,
        sha256: r.sha256,
        pkg: r.pkg,
        rel: r.rel,
      });
    }
  }
  const header = ['path', 'artist', 'title', 'album', 'release_date', 'popularity'];
  const csv = csvLine(header) + rows.map((r) => csvLine(header.map((h) => r[h]))).join('');
  await fs.writeFile(path.join(out, `manifest${part}.csv.tmp`), csv);
  await fs.rename(path.join(out, `manifest${part}.csv.tmp`), path.join(out, `manifest${part}.csv`));
  await fs.writeFile(path.join(out, `tracks${part}.jsonl`), rows.map((r) => JSON.stringify(r) + '\n').join(''));
  console.log(`manifest${part}: ${rows.length} tracks (${dups} byte-identical duplicates dropped)`);
}

async function unzipAudio(o) {
  const include = new RegExp(o.include ?? '.', 'i');
  const list = await run('unzip', ['-Z1', o.zip]);
  if (list.code !== 0) throw new Error(`unzip -Z1 ${o.zip}: ${list.stderr.trim() || `exit ${list.code}`}`);
  const members = list.stdout.split('\n').filter((m) => m && AUDIO_EXT.test(m) && include.test(m));
  if (members.length) {
    // unzip reads member names as wildcards: escape its wildcard characters.
    const names = members.map((m) => m.replace(/[[\]*?\\]/g, (c) => `\\${c}`));
    const r = await run('unzip', ['-qq', '-o', o.zip, ...names, '-d', o.dest]);
    if (r.code !== 0) throw new Error(`unzip ${o.zip}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
  console.log(`  ${path.basename(o.zip)}: ${members.length} audio files matching the include pattern`);
}

async function variants(o) {
  const out = path.resolve(o.out);
  const count = Number(o.count ?? 50);
  // Tracks of 30 s to 7 min: long enough for a 5 s trim, short enough to keep variants light.
  const rows = (await readJsonl(path.join(out, 'tracks.jsonl'))).filter((r) => r.duration >= 30 && r.duration <= 420);
  // Deterministic spread over albums: each album's tracks ordered by a hash of their path,
  // then taken round-robin over albums (sorted by name) until `count` are chosen.
  const byAlbum = new Map();
  for (const r of rows) {
    if (!byAlbum.has(r.album)) byAlbum.set(r.album, []);
    byAlbum.get(r.album).push(r);
  }
  const key = (r) => hashBytes(`yasr-corpus-variant:${r.rel}`).toString('hex');
  const queues = [...byAlbum.keys()].sort().map((a) => byAlbum.get(a).sort((x, y) => (key(x) < key(y) ? -1 : 1)));
  const chosen = [];
  for (let round = 0; chosen.length < count && queues.some((q) => q.length > round); round++) {
    for (const q of queues) if (q[round] && chosen.length < count) chosen.push(q[round]);
  }
  const vdir = path.join(out, 'variants');
  await fs.mkdir(vdir, { recursive: true });
  const jobs = [];
  chosen.forEach((r, i) => {
    const stem = `${String(i).padStart(3, '0')}-${path.basename(r.rel).replace(AUDIO_EXT, '').replace(/[^A-Za-z0-9._-]+/g, '_')}`;
    const toMp3 = r.codec !== 'mp3';
    // Another codec and bitrate: mp3 96 kb/s, or Ogg Vorbis ~96 kb/s (-q:a 2) for mp3 sources.
    jobs.push({
      orig: r.path,
      kind: 'reencode',
      file: path.join(vdir, `${stem}.reencode.${toMp3 ? 'mp3' : 'ogg'}`),
      args: toMp3 ? ['-c:a', 'libmp3lame', '-b:a', '96k'] : ['-c:a', 'libvorbis', '-q:a', '2'],
      pre: [],
    });
    // Content starting 5 s later: accurate seek, re-encoded as near-transparent Ogg Vorbis
    // (-q:a 6, ~190 kb/s) so that mostly the offset differs (FLAC would be ~10x larger).
    jobs.push({ orig: r.path, kind: 'trim5s', file: path.join(vdir, `${stem}.trim5s.ogg`), args: ['-c:a', 'libvorbis', '-q:a', '6'], pre: ['-ss', '5'] });
  });
  let made = 0;
  let failed = 0;
  await pool(jobs, 2, async (j) => {
    if (existsSync(j.file)) return;
    const tmp = j.file.replace(/(\.[a-z0-9]+)$/, '.tmp$1');
    const r = await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', ...j.pre, '-i', j.orig, '-map', '0:a:0', '-map_metadata', '-1', ...j.args, tmp]);
    if (r.code === 0) {
      await fs.rename(tmp, j.file);
      made++;
    } else {
      failed++;
      await fs.rm(tmp, { force: true });
      console.error(`variant failed: ${j.file}: ${r.stderr.trim().slice(0, 300)}`);
    }
  });
  const ok = jobs.filter((j) => existsSync(j.file));
  const csv = csvLine(['path', 'original_path', 'kind']) + ok.map((j) => csvLine([j.file, j.orig, j.kind])).join('');
  await fs.writeFile(path.join(out, 'variants.csv'), csv);
  console.log(`variants: ${ok.length} files for ${chosen.length} tracks (${made} made now, ${failed} failed)`);
}

async function summary(o) {
  const out = path.resolve(o.out);
  const rows = await readJsonl(path.join(out, `tracks${partSuffix(o)}.jsonl`));
  const by = new Map();
  for (const r of rows) {
    const e = by.get(r.album) ?? { n: 0, dur: 0, artists: new Set() };
    e.n++;
    e.dur += r.duration;
    e.artists.add(r.artist);
    by.set(r.album, e);
  }
  const fmt = (s) => {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return `${h}:${String(m).padStart(2, '0')}:${String(Math.round(s % 60)).padStart(2, '0')}`;
  };
  console.log('album'.padEnd(36) + 'tracks'.padStart(7) + 'artists'.padStart(9) + 'duration'.padStart(11));
  let total = 0;
  for (const a of [...by.keys()].sort()) {
    const e = by.get(a);
    total += e.dur;
    console.log(a.padEnd(36) + String(e.n).padStart(7) + String(e.artists.size).padStart(9) + fmt(e.dur).padStart(11));
  }
  const artists = new Set(rows.map((r) => r.artist));
  console.log(`total: ${rows.length} tracks, ${by.size} albums, ${artists.size} artists, ${fmt(total)} of audio`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [cmd, ...rest] = process.argv.slice(2);
  const opts = parseArgs(rest);
  const table = { harvest, manifest, unzip: unzipAudio, variants, summary };
  if (!table[cmd]) {
    console.error(`usage: corpus-tool.mjs harvest|manifest|unzip|variants|summary [--options]`);
    process.exit(2);
  }
  table[cmd](opts).catch((e) => {
    console.error(e?.stack ?? String(e));
    process.exit(1);
  });
}
