import { Command } from '../commander.js';
import { audioStoreDir, cacheDir, globals, intOption, openFromCli, printJson, sinceOption } from '../context.js';
import { ffmpegFromCli } from '../ffmpeg-option.js';
import { catalogueHelp } from '../../sources/registry.js';
import { ingest } from '../../pipeline/ingest.js';
import { terminalProgress } from '../progress.js';
import { killRunningDownloaders } from '../../ingest/downloader-command.js';

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('register audio from folders, files, CSV/JSONL manifests, URLs or public catalogues (deezer:, itunes:, jamendo:, archive:)')
    .argument('<source...>', 'folders (recursive), audio files, manifests (.csv, .jsonl), http(s) URLs or catalogue sources')
    .option('--since <when>', "catalogues: only tracks released since then: 7d, 2w, 1m or YYYY-MM-DD", sinceOption)
    .option('--max-tracks <n>', 'catalogues: at most this many tracks per source', intOption('--max-tracks', 1))
    .option('--no-cache', 'catalogues: ask the services again instead of using cached replies')
    .option('--downloader <command>', "external downloader for manifest rows with neither path nor url, e.g. 'spotdl {query} --output {out}'")
    .option('--timeout <seconds>', 'HTTP: give up after this many seconds without data', intOption('--timeout', 1), 30)
    .option('--retries <n>', 'HTTP: retries after a network error or a 5xx', intOption('--retries', 0, 20), 3)
    .option('--max-mb <n>', 'HTTP: largest download in MiB', intOption('--max-mb', 1), 200)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Catalogue sources (their API base URLs can be changed with YASR_DEEZER_API, YASR_ITUNES_API,
YASR_JAMENDO_API, YASR_ARCHIVE_API; request rates with YASR_DEEZER_RATE=50/5 etc.):
${catalogueHelp()}
Each track keeps its metadata (artist, title, album, release date, ids, link, ISRC, licence,
cover, preview or whole track) and a popularity 0-100 on one scale for every source (README).
A track found through two sources (same ISRC, else same artist, title and length within 2 s)
is one track with two sources. Replies are cached next to the database (cache/http).

Manifest columns (CSV header or JSONL keys): path | url | query, artist, title, album,
release_date (YYYY, YYYY-MM or YYYY-MM-DD), popularity (0-100). Missing metadata comes from the
file's tags. Ingesting the same file again adds nothing; a changed file is analysed again.

Examples:
  yasr ingest ~/Music/new-releases
  yasr ingest releases.csv --downloader 'yt-dlp -x -o {out}/%(title)s.%(ext)s ytsearch1:{query}'
  yasr ingest https://example.org/track.ogg --json
  yasr ingest deezer:releases --since 7d --max-tracks 500
  yasr ingest 'deezer:search?q=ambient' 'itunes:search?term=ambient&country=GB'
  YASR_JAMENDO_CLIENT_ID=xxxx yasr ingest 'jamendo:tracks?order=releasedate_desc&tags=electronic' --since 7d`,
    )
    .action(async (sources: string[], o: { downloader?: string; timeout: number; retries: number; maxMb: number; json?: boolean; since?: string; maxTracks?: number; cache: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      // downloaders run in their own process groups: a Ctrl-C must end them too
      const onSig = (sig: NodeJS.Signals) => {
        killRunningDownloaders(sig);
        process.exit(130);
      };
      process.once('SIGINT', onSig);
      process.once('SIGTERM', onSig);
      try {
        const s = await ingest(db, sources, {
          tools: ffmpegFromCli(cmd),
          storeDir: audioStoreDir(cmd),
          downloader: o.downloader,
          download: { timeoutMs: o.timeout * 1000, retries: o.retries, maxBytes: o.maxMb * 1024 * 1024 },
          catalogue: { since: o.since ?? null, maxTracks: o.maxTracks ?? null, cacheDir: o.cache ? cacheDir(cmd) : null },
          progress: terminalProgress({ quiet: globals(cmd).quiet || o.json }),
        });
        const rejected = s.manifestErrors.filter((e) => e.level === 'error').length;
        if (o.json) printJson(s);
        else {
          for (const e of s.manifestErrors) process.stderr.write(`${e.file}:${e.line}: ${e.level}: ${e.message}\n`);
          for (const k of s.skipped) process.stderr.write(`skipped: ${k.source}: ${k.reason}\n`);
          for (const f of s.failures) process.stderr.write(`failed: ${f.error.startsWith(f.source) ? f.error : `${f.source}: ${f.error}`}\n`);
          process.stdout.write(
            `${s.added} added, ${s.changed} changed, ${s.duplicates} duplicates, ${s.unchanged} unchanged, ${s.failed} failed` +
              (s.skipped.length ? `, ${s.skipped.length} skipped (${[...new Set(s.skipped.map((k) => k.reason.replace(/ \(.*$/, '')))].join('; ')})` : '') +
              (rejected ? `, ${rejected} manifest rows rejected` : '') +
              (s.listed || s.requests.sent || s.requests.cacheHits
                ? `; ${s.listed} catalogue tracks listed, ${s.requests.sent} requests (${s.requests.notModified} not modified, ${s.requests.retries} retried), ${s.requests.cacheHits} replies from the cache`
                : '') +
              '\n',
          );
        }
        if (s.failed > 0 || rejected > 0) process.exitCode = 1;
      } finally {
        process.off('SIGINT', onSig);
        process.off('SIGTERM', onSig);
        db.close();
      }
    });
}
