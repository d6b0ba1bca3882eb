/**
 * The main job on bundled demo data: synthesise a small catalogue, ingest it, analyse it,
 * compute similarities and recommend for one track. Run with `npm run demo`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoCatalogue } from '../src/demo/catalogue.js';
import { findFfmpeg } from '../src/audio/ffmpeg.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'data', 'demo');
const db = path.join(dir, 'yasr.db');
const yasr = path.join(root, 'dist', 'bin', 'yasr.js');

function step(args: string[]): void {
  process.stdout.write(`\n$ yasr ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [yasr, '--db', db, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: "yasr ${args.join(' ')}" exited with ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
}

const ffmpeg = findFfmpeg().ffmpeg;
process.stdout.write(`building the demo catalogue in ${path.relative(root, dir)} ...\n`);
const manifest = buildDemoCatalogue(dir, ffmpeg);
step(['ingest', manifest]);
step(['features']);
step(['similarity', '--method', 'hybrid']);
step(['similarity', '--method', 'dtw']);
step(['status']);
step(['evaluate', '--label', 'artist', '-k', '5', '--method', 'cosine,dtw,features,hybrid']);
// a track by a lesser-known artist; the popular ones (above 70) are left out of the results
step(['recommend', '1', '-k', '5', '--least', '3']);
step(['recommend', '1', '--method', 'dtw', '-k', '3']);
// the taste profile and a discovery report (offline: the demo catalogue plays this year's releases)
step(['like', '1', '13']);
step(['likes']);
step(['discover', '--since', '2026-06-01', '-k', '5', '--out', path.join(dir, 'discoveries')]);
process.stdout.write(`\nLook and listen in a browser: node dist/bin/yasr.js --db ${path.relative(process.cwd(), db) || db} serve --open\n`);
