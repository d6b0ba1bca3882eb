import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { discoverHtml, discoverM3u, discoverText, writeDiscoverFiles } from '../../src/pipeline/discover-report.js';
import type { DiscoverPick, DiscoverReport } from '../../src/pipeline/discover.js';
import { HAVE_BROWSER, launchBrowser } from '../helpers/browser.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pick(over: Partial<DiscoverPick>): DiscoverPick {
  return {
    rank: 1, trackId: 1, artist: 'A', title: 'T', album: null, releaseDate: '2026-11-24', popularity: 20, score: 1.5,
    nearest: { trackId: 9, artist: 'Fav', title: 'Song', z: 1.5 }, alsoNear: [], reason: 'close to Fav - Song', link: null,
    audioUrl: null, localPath: null, isPreview: true, licence: null, coverUrl: null, duration: 30, ...over,
  };
}

function hostileReport(audio: string): DiscoverReport {
  return {
    generatedAt: '2026-11-29T00:00:00Z', since: '2026-11-22', method: 'cosine', params: {}, candidates: 3,
    favourites: [{ trackId: 9, artist: '<b>Fav</b>', title: 'Song' }], skippedFavourites: [],
    picks: [
      pick({ rank: 1, trackId: 1, artist: '<script>window.__pwned=1</script>', title: 'Title\n#EXTINF:0,injected\nhttp://evil/', localPath: audio, link: 'javascript:window.__pwned=2', coverUrl: 'javascript:alert(1)' }),
      pick({ rank: 2, trackId: 2, artist: 'Quote " and \' <img src=x onerror="window.__pwned=3">', title: 'Ünïcødé ✓', audioUrl: 'https://cdn.example/p.mp3', link: 'https://www.deezer.com/track/2', licence: 'http://creativecommons.org/licenses/by/3.0/' }),
      pick({ rank: 3, trackId: 3, artist: 'Plain', title: 'No audio' }),
    ],
  };
}

describe('discovery report files', () => {
  it('keeps M3U entries on one line each and prefers local files', () => {
    const audio = path.join(dir, 'a.wav');
    writeFileSync(audio, 'RIFF');
    const m3u = discoverM3u(hostileReport(audio));
    const lines = m3u.trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    expect(lines.filter((l) => l.startsWith('#EXTINF')).length).toBe(2); // the pick without audio is left out
    expect(m3u).not.toMatch(/^#EXTINF:0,injected$/m);
    expect(lines).toContain(audio);
    expect(lines).toContain('https://cdn.example/p.mp3');
    // --urls: a pick's audio URL wins over its file; a pick with no URL keeps its file
    const r = hostileReport(audio);
    r.picks[1].localPath = audio;
    const urls = discoverM3u(r, true).trim().split('\n');
    expect(urls.filter((l) => !l.startsWith('#'))).toEqual([audio, 'https://cdn.example/p.mp3']);
  });

  it('text lists every pick with its reason', () => {
    const t = discoverText(hostileReport('/nonexistent.wav'));
    expect(t).toMatch(/^Discoveries released since 2026-11-22/);
    expect(t).toContain('close to Fav - Song');
  });

  it('writes the four files atomically', () => {
    const files = writeDiscoverFiles(hostileReport('/nonexistent.wav'), path.join(dir, 'out'));
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['discoveries.m3u', 'index.html', 'report.json', 'report.txt']);
    expect(JSON.parse(readFileSync(files.find((f) => f.endsWith('.json'))!, 'utf8')).picks).toHaveLength(3);
  });

  it('escapes every catalogue value in the HTML', () => {
    const html = discoverHtml(hostileReport('/nonexistent.wav'));
    expect(html).not.toContain('<script>window');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('<img src=x');
  });

  it.skipIf(!HAVE_BROWSER)('renders in a real browser: players, links, no injected script runs', async () => {
    const audio = path.join(dir, 'tone.wav');
    // a valid 0.5 s WAV the browser can load
    const { encodeWav } = await import('../../src/interop/wav-write.js');
    const y = new Float32Array(11025).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 22050));
    writeFileSync(audio, encodeWav(y, 22050));
    const files = writeDiscoverFiles(hostileReport(audio), path.join(dir, 'browser'));
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(pathToFileURL(files.find((f) => f.endsWith('index.html'))!).href, { waitUntil: 'load' });
      const state = await page.evaluate(() => ({
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
        picks: document.querySelectorAll('li.pick').length,
        audios: [...document.querySelectorAll('audio')].map((a) => a.getAttribute('src')),
        firstArtist: document.querySelector('li.pick .artist')?.textContent,
        links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href')),
        title: document.title,
      }));
      expect(state.pwned).toBeNull();
      expect(state.picks).toBe(3);
      expect(state.firstArtist).toBe('<script>window.__pwned=1</script>');
      expect(state.audios).toEqual([pathToFileURL(audio).href, 'https://cdn.example/p.mp3']);
      expect(state.links).toEqual(['https://www.deezer.com/track/2', 'http://creativecommons.org/licenses/by/3.0/']);
      expect(state.title).toBe('yasr discoveries since 2026-11-22');
      // the local preview plays: its duration loads
      const duration = await page.evaluate(async () => {
        const a = document.querySelector('audio') as HTMLAudioElement;
        a.preload = 'auto';
        a.load();
        await new Promise((r) => (a.readyState >= 1 ? r(null) : a.addEventListener('loadedmetadata', r, { once: true })));
        return a.duration;
      });
      expect(duration).toBeCloseTo(0.5, 1);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
