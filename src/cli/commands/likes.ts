import { Command } from '../commander.js';
import { audioStoreDir, openFromCli, printJson } from '../context.js';
import { ffmpegFromCli } from '../ffmpeg-option.js';
import { like, likes, unlike, type LikeResult } from '../../pipeline/taste.js';

function report(rs: LikeResult[], json?: boolean): void {
  if (json) printJson(rs);
  else {
    for (const r of rs) {
      if (r.status === 'failed') process.stderr.write(`yasr: ${r.ref}: ${r.error}\n`);
      else process.stdout.write(`${r.status}: ${r.track}${r.analysed ? ' (analysed)' : ''}\n`);
    }
  }
  if (rs.some((r) => r.status === 'failed')) process.exitCode = 2;
}

export function likeCommand(): Command {
  return new Command('like')
    .description('add tracks or audio files to your favourites (the taste profile that discover matches)')
    .argument('<track-or-file...>', "track ids, paths, 'artist - title', or audio files outside the catalogue")
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      `
A file outside the catalogue is analysed and kept as a track flagged as a favourite; it is never
recommended back to you. Liking a track twice changes nothing.

Examples:
  yasr like 12 'Copper Moth - C major study no. 1'
  yasr like ~/Music/favourites/*.flac
  yasr likes`,
    )
    .action(async (refs: string[], o: { json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        report(await like(db, refs, { tools: ffmpegFromCli(cmd), storeDir: audioStoreDir(cmd) }), o.json);
      } finally {
        db.close();
      }
    });
}

export function unlikeCommand(): Command {
  return new Command('unlike')
    .description('remove tracks from your favourites (the tracks stay in the catalogue)')
    .argument('<track...>', "track ids, paths or 'artist - title'")
    .option('--json', 'print the results as JSON')
    .addHelpText('after', `\nExamples:\n  yasr unlike 12\n  yasr unlike 'Copper Moth - C major study no. 1'`)
    .action((refs: string[], o: { json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        report(unlike(db, refs), o.json);
      } finally {
        db.close();
      }
    });
}

export function likesCommand(): Command {
  return new Command('likes')
    .description('list your favourites')
    .option('--json', 'print as JSON')
    .addHelpText('after', `\nExamples:\n  yasr likes\n  yasr likes --json`)
    .action((o: { json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const ls = likes(db);
        if (o.json) printJson(ls);
        else if (!ls.length) process.stdout.write('no favourites yet: yasr like <track|file>\n');
        else for (const l of ls) process.stdout.write(`#${l.trackId} ${l.artist ?? '?'} - ${l.title ?? '?'}  (${l.via === 'file' ? 'file' : 'catalogue'}, since ${l.addedAt.slice(0, 10)})\n`);
      } finally {
        db.close();
      }
    });
}
