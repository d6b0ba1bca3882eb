import { Command, CommanderError } from 'commander';
import { YasrError, isStoreError, storeError } from '../errors.js';
import { ingestCommand } from './commands/ingest.js';
import { featuresCommand } from './commands/features.js';
import { exportCommand } from './commands/export.js';
import { statusCommand } from './commands/status.js';
import { similarityCommand } from './commands/similarity.js';
import { exportMatrixCommand } from './commands/export-matrix.js';
import { recommendCommand } from './commands/recommend.js';
import { nightlyCommand } from './commands/nightly.js';
import { runsCommand } from './commands/runs.js';
import { evaluateCommand } from './commands/evaluate.js';
import { likeCommand, likesCommand, unlikeCommand } from './commands/likes.js';
import { discoverCommand } from './commands/discover.js';
import { showCommand } from './commands/show.js';
import { serveCommand } from './commands/serve.js';
import { plotCommand, plotMatrixCommand } from './commands/plot.js';
import { rateCommand, ratingsCommand } from './commands/ratings.js';
import { pathCommand } from './commands/path.js';

export function buildProgram(): Command {
  const program = new Command('yasr')
    .description('find lesser-known music that sounds like a track you love, by analysing the audio itself')
    .version('0.1.0')
    .option('--db <path>', 'SQLite database (env YASR_DB)', undefined)
    .option('--ffmpeg <path>', 'ffmpeg binary (env YASR_FFMPEG; default: system ffmpeg, else the bundled one)')
    .option('-q, --quiet', 'no progress output')
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Default database: data/yasr.db (or $YASR_DB).

Examples:
  yasr ingest ~/Music/new
  yasr features --workers 2
  yasr similarity --method cosine
  yasr recommend 'Artist - Title'
  yasr like ~/Music/loved/song.flac
  yasr ingest deezer:releases --since 7d && yasr features && yasr discover
  yasr status`,
    );
  for (const c of [ingestCommand(), featuresCommand(), exportCommand(), statusCommand(), similarityCommand(), exportMatrixCommand(), recommendCommand(), nightlyCommand(), runsCommand(), evaluateCommand(), likeCommand(), unlikeCommand(), likesCommand(), discoverCommand(), showCommand(), serveCommand()]) program.addCommand(c);
  program.addCommand(plotCommand());
  program.addCommand(plotMatrixCommand());
  for (const c of [rateCommand(), ratingsCommand(), pathCommand()]) program.addCommand(c);
  return program;
}

/** Parse argv and run; typed errors print their message and set the exit status. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof YasrError || isStoreError(err)) {
      const e = storeError(err);
      process.stderr.write(`yasr: ${e.message}\n`);
      process.exitCode = e.exitStatus;
      return;
    }
    process.stderr.write(`yasr: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
