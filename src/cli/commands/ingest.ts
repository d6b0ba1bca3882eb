import { Command } from 'commander';
import { audioStoreDir, ffmpegFromCli, globals, intOption, openFromCli, printJson } from '../context.js';
import { ingest } from '../../pipeline/ingest.js';
import { terminalProgress } from '../progress.js';
import { killRunningDownloaders } from '../../ingest/downloader-command.js';

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('register audio from folders, files, CSV/JSONL manifests or URLs')
    .argument('<source...>', 'folders (recursive), audio files, manifests (.csv, .jsonl) or http(s) URLs')
    .option('--downloader <command>', "external downloader for manifest rows with neither path nor url, e.g. 'spotdl {query} --output {out}'")
    .option('--timeout <seconds>', 'HTTP: give up after this many seconds without data', intOption('--timeout', 1), 30)
    .option('--retries <n>', 'HTTP: retries after a network error or a 5xx', intOption('--retries', 0, 20), 3)
    .option('--max-mb <n>', 'HTTP: largest download in MiB', intOption('--max-mb', 1), 200)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Manifest columns (CSV header or JSONL keys): path | url | query, artist, title, album,
release_date (YYYY, YYYY-MM or YYYY-MM-DD), popularity (0-100). Missing metadata comes from the
file's tags. Ingesting the same file again adds nothing; a changed file is analysed again.

Examples:
  yasr ingest ~/Music/new-releases
  yasr ingest releases.csv --downloader 'yt-dlp -x -o {out}/%(title)s.%(ext)s ytsearch1:{query}'
  yasr ingest https://example.org/track.ogg --json`,
    )
    .action(async (sources: string[], o: { downloader?: string; timeout: number; retries: number; maxMb: number; json?: boolean }, cmd: Command) => {
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
          progress: terminalProgress({ quiet: globals(cmd).quiet || o.json }),
        });
        const rejected = s.manifestErrors.filter((e) => e.level === 'error').length;
        if (o.json) printJson(s);
        else {
          for (const e of s.manifestErrors) process.stderr.write(`${e.file}:${e.line}: ${e.level}: ${e.message}\n`);
          for (const f of s.failures) process.stderr.write(`failed: ${f.error.startsWith(f.source) ? f.error : `${f.source}: ${f.error}`}\n`);
          process.stdout.write(
            `${s.added} added, ${s.changed} changed, ${s.duplicates} duplicates, ${s.unchanged} unchanged, ${s.failed} failed` +
              (rejected ? `, ${rejected} manifest rows rejected` : '') + '\n',
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
