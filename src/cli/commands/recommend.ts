import { Command } from '../commander.js';
import { audioStoreDir, intOption, openFromCli, printJson } from '../context.js';
import { addMethodOptions, methodParams, METHOD_HELP, type MethodCliOptions } from '../method-options.js';
import { recommend, type RecommendResult, type Recommendation } from '../../pipeline/recommend.js';
import { resolveTrack } from '../../store/tracks.js';
import { badParameter } from '../../errors.js';

interface RecommendCliOptions extends MethodCliOptions {
  file?: string;
  add?: boolean;
  k: number;
  least: number;
  maxPopularity: number;
  releasedAfter?: string;
  newDays?: number;
  excludeSameArtist: boolean;
  ratings: boolean;
  json?: boolean;
}

function table(rows: Recommendation[], kind: string): string {
  const head = ['#', 'artist', 'title', 'released', 'pop', kind, 'why'];
  const cells = rows.map((r) => [
    String(r.rank),
    r.artist ?? '?',
    r.title ?? '?',
    r.releaseDate ?? '',
    r.popularity === null ? '' : String(r.popularity),
    r.score.toFixed(kind === 'similarity' ? 3 : 4),
    r.reason,
  ]);
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const widths = head.map((h, i) => Math.min(i === 6 ? 200 : 32, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) => c.map((v, i) => clip(v, widths[i]).padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

function render(r: RecommendResult): string {
  const who = `${r.query.artist ?? '?'} - ${r.query.title ?? '?'}${r.query.trackId ? ` (#${r.query.trackId})` : ''}`;
  const rated = r.ratings ? `, re-ranked by ${r.ratings.rated} rated track${r.ratings.rated === 1 ? '' : 's'}${r.ratings.hidden ? ` (${r.ratings.hidden} rated down, hidden)` : ''}` : '';
  let out = `Most similar to ${who} by ${r.method} (${r.scoreKind}${rated}):\n`;
  out += r.nearest.length ? table(r.nearest, r.scoreKind) : '  (no track passes the filters)';
  if (r.least.length) out += `\n\nLeast similar:\n${table(r.least, r.scoreKind)}`;
  return `${out}\n`;
}

export function recommendCommand(): Command {
  const c = new Command('recommend')
    .description('the tracks most (and least) similar to one you love, by lesser-known artists')
    .argument('[track]', "a track id, a path, or 'artist - title' (case-insensitive)");
  addMethodOptions(c, 'hybrid')
    .option('--file <audio>', 'a song that is not in the catalogue, analysed on the fly')
    .option('--add', 'with --file: also add it to the catalogue')
    .option('-k, --k <n>', 'how many most similar tracks', intOption('-k', 1, 1000), 5)
    .option('--least <n>', 'also show the n least similar', intOption('--least', 0, 1000), 0)
    .option('--max-popularity <n>', 'leave out artists whose popularity is above n (0-100)', intOption('--max-popularity', 0, 100), 70)
    .option('--released-after <date>', 'only tracks released on or after YYYY[-MM[-DD]]')
    .option('--new-days <n>', 'only tracks released in the last n days', intOption('--new-days', 0))
    .option('--no-exclude-same-artist', "keep the query's own artist in the results")
    .option('--no-ratings', 'ignore thumbs up/down ("yasr rate"): the method\'s ranking alone')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `${METHOD_HELP}

Default method: hybrid. dtw/fastdtw read the neighbours stored by "yasr similarity" (top k
per track), so very strict filters may leave fewer than k; cosine/features/hybrid score the whole
catalogue on the fly. The reason column compares tempo, key, loudness and timbre.

Ratings ("yasr rate", or the web page's thumbs) re-rank the list: a candidate's standardised
score gains 0.5 x the sum over rated tracks of (+1 liked / -1 disliked, x 0.3 when rated for
another query) x how much closer than average it is to that track (standardised, >= 0); a
track rated down for this query is not shown again. --no-ratings shows the method's ranking.

Examples:
  yasr recommend 'Copper Moth - C major study no. 1'
  yasr recommend 12 -k 10 --least 5 --max-popularity 50
  yasr recommend --file ~/Downloads/song.mp3 --new-days 30
  yasr recommend 12 --method dtw --json
  yasr recommend 12 --no-ratings`,
    )
    .action(async (ref: string | undefined, o: RecommendCliOptions, cmd: Command) => {
      if (!ref && !o.file) throw badParameter('track', ref ?? null, "a track (id, path or 'artist - title') or --file AUDIO");
      if (ref && o.file) throw badParameter('--file', o.file, 'either a track or --file, not both');
      const db = openFromCli(cmd);
      try {
        // decoding and analysis (ffmpeg, DSP) are loaded for --file only
        const fromFile = async (file: string) => {
          const [{ analyseQueryFile }, { ffmpegFromCli }] = await Promise.all([import('../../pipeline/query-file.js'), import('../ffmpeg-option.js')]);
          return analyseQueryFile(db, ffmpegFromCli(cmd), file, { add: !!o.add, storeDir: audioStoreDir(cmd), supervector: o.supervector === true });
        };
        const query = o.file ? await fromFile(o.file) : { trackId: resolveTrack(db, ref!).id };
        const r = recommend(db, query, methodParams(o), {
          k: o.k,
          least: o.least,
          filters: { maxPopularity: o.maxPopularity, releasedAfter: o.releasedAfter, newDays: o.newDays, excludeSameArtist: o.excludeSameArtist },
          ratings: o.ratings ? 'use' : 'ignore',
        });
        if (o.json) printJson(r);
        else process.stdout.write(render(r));
      } finally {
        db.close();
      }
    });
  return c;
}
