import { Command } from '../commander.js';
import { intOption, openFromCli, printJson, sinceOption } from '../context.js';
import { addMethodOptions, methodParams, type MethodCliOptions } from '../method-options.js';
import { discover } from '../../pipeline/discover.js';
import { discoverText, writeDiscoverFiles } from '../../pipeline/discover-report.js';
import { parseSince } from '../../sources/since.js';

interface DiscoverCliOptions extends MethodCliOptions {
  since?: string;
  k: number;
  perArtist: number;
  maxPopularity: number;
  out?: string;
  urls?: boolean;
  json?: boolean;
}

export function discoverCommand(): Command {
  const c = new Command('discover').description('the weekly discovery report: new releases that sound like your favourites');
  addMethodOptions(c, 'cosine')
    .option('--since <when>', 'release window: 7d, 2w, 1m or YYYY-MM-DD (default 7d)', sinceOption)
    .option('-k, --k <n>', 'how many picks', intOption('-k', 1, 1000), 20)
    .option('--per-artist <n>', 'at most n picks per artist', intOption('--per-artist', 1, 1000), 1)
    .option('--max-popularity <n>', 'leave out artists whose popularity is above n (0-100, one scale for every source)', intOption('--max-popularity', 0, 100), 70)
    .option('--out <dir>', 'also write report.txt, report.json, discoveries.m3u and index.html (players) into DIR')
    .option('--urls', 'the playlist points at preview URLs instead of the downloaded files')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
How picks are ranked: for each favourite, every new track's similarity is standardised over the
new tracks; a track's score is a soft maximum over the favourites (the nearest favourite counts
most, closeness to several adds up to ln(n)/2). At most --per-artist picks per artist and one per
song title. Favourites and tracks with a favourite's audio are never picked; unknown popularity
passes --max-popularity. Only tracks with a release date in the window are candidates.

A typical week:
  yasr like ~/Music/loved/*.flac
  yasr ingest deezer:releases --since 7d
  yasr features && yasr similarity
  yasr discover --since 7d -k 20 --out ~/yasr-week

Examples:
  yasr discover
  yasr discover --since 2026-11-01 --per-artist 2 --max-popularity 50 --json
  yasr discover --method hybrid --out report/ --urls`,
    )
    .action((o: DiscoverCliOptions, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const today = process.env.YASR_TODAY ? new Date(process.env.YASR_TODAY) : new Date();
        const r = discover(db, {
          since: o.since ?? parseSince('7d', today),
          until: today.toISOString().slice(0, 10),
          k: o.k,
          perArtist: o.perArtist,
          maxPopularity: o.maxPopularity,
          method: methodParams(o),
        });
        const files = o.out ? writeDiscoverFiles(r, o.out, { urls: o.urls }) : [];
        if (o.json) printJson(r);
        else {
          process.stdout.write(discoverText(r));
          if (files.length) process.stdout.write(`wrote ${files.join(', ')}\n`);
        }
      } finally {
        db.close();
      }
    });
  return c;
}
