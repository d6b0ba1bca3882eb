/**
 * Issue 9: `yasr serve` on a 5,000-track catalogue: first page load (HTTP, and in chromium when
 * it is installed), search and recommendations latency (median and 95th percentile over 200
 * requests from 8 concurrent clients), and the server's peak memory. The server runs as a person
 * runs it: `yasr serve --port 0` in its own process.
 * Usage: node dist/benchmarks/server/serve-bench.js [N=5000] [REQUESTS=200] [CLIENTS=8]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/store/db.js';
import { buildSyntheticCatalogue } from '../pipeline/synthetic-catalogue.js';
import { machineLine, today } from '../machine.js';

const N = Number(process.argv[2] ?? 5000);
const REQUESTS = Number(process.argv[3] ?? 200);
const CLIENTS = Number(process.argv[4] ?? 8);
const dir = path.join(os.tmpdir(), 'yasr-bench-serve');
mkdirSync(dir, { recursive: true });
const dbFile = path.join(dir, `cat-${N}-v2.db`);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'dist', 'bin', 'yasr.js');
if (!existsSync(dbFile)) {
  const tmp = `${dbFile}.building`;
  rmSync(tmp, { force: true });
  const db = openDb(tmp);
  buildSyntheticCatalogue(db, N);
  db.close();
  spawnSync('mv', [tmp, dbFile]);
}

const child = spawn(process.execPath, [bin, '--db', dbFile, 'serve', '--port', '0', '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
const base: string = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /at (http:\/\/[^/\s]+)\//.exec(out);
    if (m) resolve(m[1]);
  });
  child.on('exit', (c) => reject(new Error(`yasr serve exited ${c}`)));
});
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

function get(p: string): Promise<{ ms: number; status: number; bytes: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${p}`, { agent }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, bytes }));
      })
      .on('error', reject);
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function load(paths: string[]): Promise<{ p50: number; p95: number; max: number; rps: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < paths.length) {
        const r = await get(paths[next++]);
        if (r.status !== 200) errors++;
        times.push(r.ms);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  return { p50: pct(times, 50), p95: pct(times, 95), max: Math.max(...times), rps: paths.length / secs, errors };
}

// first page load over HTTP, cold: the page, its script and style, the status call
const first = performance.now();
for (const p of ['/', '/app.js', '/app.css', '/api/status']) {
  const r = await get(p);
  if (r.status !== 200) throw new Error(`${p}: HTTP ${r.status}`);
}
const firstMs = performance.now() - first;

let browserMs: number | null = null;
if (existsSync('/usr/bin/chromium')) {
  const puppeteer = (await import('puppeteer-core')).default;
  const b = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  const page = await b.newPage();
  const t = performance.now();
  await page.goto(`${base}/#/track/17`, { waitUntil: 'load' });
  await page.waitForSelector('ol.recs.nearest li', { timeout: 60_000 });
  browserMs = performance.now() - t;
  await b.close();
}

const words = ['artist 1', 'track 12', 'album 3', 'artist 42 track', 'tr', 'a', 'artist 9', 'track 4999'];
const search = await load(Array.from({ length: REQUESTS }, (_, i) => `/api/search?q=${encodeURIComponent(words[i % words.length])}`));
const recPaths = (m: string) => Array.from({ length: REQUESTS }, (_, i) => `/api/tracks/${1 + ((i * 7919) % N)}/recommendations?method=${m}&k=10&least=5&maxPopularity=100`);
const recCosine = await load(recPaths('cosine'));
const recFeatures = await load(recPaths('features'));
const hwm = (() => {
  try {
    const s = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024;
  } catch {
    return NaN;
  }
})();
child.kill('SIGTERM');
agent.destroy();

const row = (what: string, r: Awaited<ReturnType<typeof load>>) => `| ${what} | ${r.p50.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.max.toFixed(0)} ms | ${r.rps.toFixed(0)} | ${r.errors} |`;
process.stdout.write(`### yasr serve on a ${N}-track catalogue (issue 9)
Machine: ${machineLine()}. Date: ${today()}. Catalogue: ${N} synthetic analysed tracks
(benchmarks/pipeline/synthetic-catalogue.ts, 22 cosine windows each). Server: \`yasr serve --port 0 --workers 2\`
in its own process; ${REQUESTS} requests per row from ${CLIENTS} concurrent keep-alive clients on the same machine.

First page load (cold, over HTTP: page, script, style, status): ${firstMs.toFixed(0)} ms.${browserMs !== null ? ` In chromium, from navigation to a track page with its recommendations shown: ${browserMs.toFixed(0)} ms.` : ''}

| request | median | 95th percentile | max | requests/s | errors |
| --- | --- | --- | --- | --- | --- |
${row('search (type-as-you-go, 8 queries)', search)}
${row('recommendations, cosine (with windows), k 10 + 5 least', recCosine)}
${row('recommendations, features, k 10 + 5 least', recFeatures)}

Server peak memory (VmHWM): ${hwm.toFixed(0)} MiB.
`);
