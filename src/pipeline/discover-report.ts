/**
 * The discovery report as text, an M3U playlist and a small static HTML page with players.
 * Every value from a catalogue is untrusted: HTML is escaped, only http(s) and file URLs are
 * linked, and M3U entries are single lines.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { YasrError } from '../errors.js';
import { escapeMarkup } from '../util/escape.js';
import type { DiscoverReport } from './discover.js';
import { m3u, playable } from './playlist.js';

export function discoverText(r: DiscoverReport): string {
  const lines: string[] = [];
  lines.push(`Discoveries released since ${r.since}, by ${r.method}, for ${r.favourites.length} favourite${r.favourites.length === 1 ? '' : 's'} (${r.candidates} candidates):`);
  if (!r.picks.length) lines.push('  (nothing released in the window passes the filters: ingest new releases, then run "yasr features")');
  for (const p of r.picks) {
    const pop = p.popularity === null ? '' : `, popularity ${p.popularity}`;
    lines.push(`${String(p.rank).padStart(2)}. ${p.artist ?? '?'} - ${p.title ?? '?'}  (${p.releaseDate ?? '?'}${pop})`);
    lines.push(`    ${p.reason}`);
    if (p.link) lines.push(`    ${p.link}`);
  }
  for (const s of r.skippedFavourites) lines.push(`note: favourite #${s.trackId} ${s.artist ?? '?'} - ${s.title ?? '?'} left out: ${s.reason}`);
  return `${lines.join('\n')}\n`;
}

/** The picks as an M3U playlist (src/pipeline/playlist.ts writes it). */
export function discoverM3u(r: DiscoverReport, urls = false): string {
  return m3u(r.picks, { urls, title: `yasr discoveries since ${r.since}` });
}

function safeUrl(u: string | null): string | null {
  if (!u) return null;
  try {
    const x = new URL(u);
    return x.protocol === 'http:' || x.protocol === 'https:' || x.protocol === 'file:' ? x.href : null;
  } catch {
    return null;
  }
}

export function discoverHtml(r: DiscoverReport): string {
  const rows = r.picks
    .map((p) => {
      const where = playable(p);
      const src = safeUrl(where && !/^https?:/i.test(where) ? pathToFileURL(where).href : where);
      const link = safeUrl(p.link);
      const cover = safeUrl(p.coverUrl);
      const licence = safeUrl(p.licence);
      return `<li class="pick" data-track-id="${p.trackId}">
  ${cover ? `<img class="cover" src="${escapeMarkup(cover)}" alt="" loading="lazy" width="96" height="96">` : '<div class="cover"></div>'}
  <div class="body">
    <div class="title"><span class="rank">${p.rank}.</span> <span class="artist">${escapeMarkup(p.artist ?? '?')}</span> – <span class="name">${escapeMarkup(p.title ?? '?')}</span></div>
    <div class="meta">${escapeMarkup([p.album, p.releaseDate, p.popularity === null ? null : `popularity ${p.popularity}`, p.isPreview ? 'preview' : null].filter(Boolean).join(' · '))}${link ? ` · <a href="${escapeMarkup(link)}" rel="noopener noreferrer">open</a>` : ''}${licence ? ` · <a href="${escapeMarkup(licence)}" rel="noopener noreferrer license">licence</a>` : ''}</div>
    <div class="reason">${escapeMarkup(p.reason)}</div>
    ${src ? `<audio controls preload="none" src="${escapeMarkup(src)}"></audio>` : ''}
  </div>
</li>`;
    })
    .join('\n');
  const favs = r.favourites.map((f) => `<li>${escapeMarkup(`${f.artist ?? '?'} - ${f.title ?? '?'}`)}</li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src https: http: file:; media-src https: http: file:; style-src 'unsafe-inline'">
<title>yasr discoveries since ${escapeMarkup(r.since)}</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; max-width: 860px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; } ol { list-style: none; padding: 0; }
.pick { display: flex; gap: 1em; padding: .8em 0; border-bottom: 1px solid #ddd; }
.cover { width: 96px; height: 96px; background: #eee; flex: none; object-fit: cover; }
.title { font-weight: 600; } .meta, .reason { color: #555; font-size: .92em; } audio { width: 100%; margin-top: .4em; }
details { margin-bottom: 1em; color: #555; }
</style>
</head>
<body>
<h1>Discoveries released since ${escapeMarkup(r.since)}</h1>
<p>${r.picks.length} picks from ${r.candidates} new tracks, ranked by ${escapeMarkup(r.method)} similarity to ${r.favourites.length} favourites. Generated ${escapeMarkup(r.generatedAt)}.</p>
<details><summary>Favourites</summary><ul>${favs}</ul></details>
<ol id="picks">
${rows || '<li>Nothing released in the window passes the filters.</li>'}
</ol>
</body>
</html>
`;
}

/** Write report.txt, report.json, discoveries.m3u and index.html into `dir` (each atomically). */
export function writeDiscoverFiles(r: DiscoverReport, dir: string, o: { urls?: boolean } = {}): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new YasrError('BAD_PARAMETER', `--out ${dir}: cannot create the folder (${(err as Error).message})`);
  }
  const files: [string, string][] = [
    ['report.txt', discoverText(r)],
    ['report.json', `${JSON.stringify(r, null, 2)}\n`],
    ['discoveries.m3u', discoverM3u(r, o.urls)],
    ['index.html', discoverHtml(r)],
  ];
  const written: string[] = [];
  for (const [name, body] of files) {
    const f = path.join(dir, name);
    const tmp = `${f}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, body);
      renameSync(tmp, f);
    } catch (err) {
      throw new YasrError('STORE', `${f}: cannot write (${(err as Error).message})`);
    }
    written.push(f);
  }
  return written;
}
