import { Command } from '../commander.js';
import { intOption, openFromCli, printJson } from '../context.js';
import { exportRatings, listRatings, rate, resolveRatingQuery, type Rating } from '../../pipeline/ratings.js';
import { resolveTrack } from '../../store/tracks.js';
import { METHODS } from '../../pipeline/similarity/methods.js';
import { badParameter } from '../../errors.js';

function who(artist: string | null, title: string | null, id: number | null, label: string | null = null): string {
  if (id === null) return `file ${label ?? '?'}`;
  return `#${id} ${artist ?? '?'} - ${title ?? '?'}`;
}

function line(r: Rating): string {
  const v = r.value === 1 ? 'up  ' : r.value === -1 ? 'down' : 'clear';
  const extra = [r.method, r.rank !== null ? `rank ${r.rank}` : null, r.session ? `session ${r.session}` : null].filter(Boolean).join(', ');
  return `${r.ratedAt.slice(0, 19).replace('T', ' ')}  ${v}  ${who(r.artist, r.title, r.trackId)}  for ${who(r.queryArtist, r.queryTitle, r.queryTrackId, r.queryLabel)}  (${extra})`;
}

export function ratingsCommand(): Command {
  return new Command('ratings')
    .description('export the thumbs up/down given to recommendations (every rating, oldest first)')
    .option('--json', 'print as JSON')
    .option('--csv', 'print as CSV (header row; artist and title of query and track)')
    .option('--session <id>', 'only the ratings of one session')
    .option('--query <track>', "only the ratings given for one query track (id, path or 'artist - title')")
    .addHelpText(
      'after',
      `
Ratings are kept as a history: a change of mind is a new row, and the latest rating for a query
and track is the one in force (it re-ranks later recommendations; "yasr recommend --help").
CSV columns: ${'rated_at,session,query_track_id,query_sha256,query_artist,query_title,track_id,artist,title,method,rank,value'}
(value 1 = up, -1 = down, 0 = withdrawn; a file query has no track id, its file name is the title).

Examples:
  yasr ratings
  yasr ratings --csv > ratings.csv
  yasr ratings --json --session 3f9c`,
    )
    .action((o: { json?: boolean; csv?: boolean; session?: string; query?: string }, cmd: Command) => {
      if (o.json && o.csv) throw badParameter('--csv', true, 'either --json or --csv, not both');
      const db = openFromCli(cmd);
      try {
        const rows = listRatings(db, { session: o.session, queryTrackId: o.query !== undefined ? resolveTrack(db, o.query).id : undefined });
        if (o.csv) process.stdout.write(exportRatings(rows, 'csv'));
        else if (o.json) process.stdout.write(exportRatings(rows, 'json'));
        else if (!rows.length) process.stdout.write('no ratings yet: yasr rate <query-track> <track> up|down\n');
        else process.stdout.write(`${rows.map(line).join('\n')}\n`);
      } finally {
        db.close();
      }
    });
}

export function rateCommand(): Command {
  return new Command('rate')
    .description('thumbs up or down on a recommended track (re-ranks later recommendations)')
    .argument('<query>', "what the recommendation was for: a track (id, path, 'artist - title') or the audio file given to recommend --file")
    .argument('<track>', "the recommended track (id, path or 'artist - title')")
    .argument('<value>', 'up, down or clear (withdraws an earlier rating)')
    .option('--method <name>', `the method that recommended it: ${METHODS.join(' | ')}`, 'hybrid')
    .option('--rank <n>', 'its rank in the list shown', intOption('--rank', 1))
    .option('--session <id>', 'a session id grouping ratings')
    .option('--json', 'print the stored rating as JSON')
    .addHelpText(
      'after',
      `
A liked track pulls its neighbours up in later recommendations and a disliked one pushes them
down (most for the same query); a track rated down is not shown again for that query.

Examples:
  yasr rate 'Copper Moth - C major study no. 1' 17 up --method cosine --rank 2
  yasr rate 12 31 down
  yasr rate ~/Downloads/song.mp3 'Glass Harbour - A minor study no. 2' up`,
    )
    .action(async (queryRef: string, trackRef: string, value: string, o: { method: string; rank?: number; session?: string; json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const r = rate(db, {
          query: await resolveRatingQuery(db, queryRef),
          trackId: resolveTrack(db, trackRef).id,
          value: value as 'up',
          method: o.method,
          rank: o.rank ?? null,
          session: o.session ?? null,
        });
        if (o.json) printJson(r);
        else process.stdout.write(`${line(r)}\n`);
      } finally {
        db.close();
      }
    });
}
