import { Command, CommanderError } from 'commander';
import { YasrError, isStoreError, storeError } from '../errors.js';

/**
 * Every command: its name, usage and description for --help, and a loader. Only the command that
 * runs has its module (and that module's dependencies) imported: start-up stays small.
 */
interface CommandEntry {
  name: string;
  usage: string;
  description: string;
  load(): Promise<Command>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'ingest', usage: '[options] <source...>', description: 'register audio from folders, files, CSV/JSONL manifests, URLs or public catalogues (deezer:, itunes:, jamendo:, archive:)', load: async () => (await import('./commands/ingest.js')).ingestCommand() },
  { name: 'features', usage: '[options]', description: 'decode, trim and analyse every pending track (STFT, mel, MFCC, chroma, spectral, descriptors)', load: async () => (await import('./commands/features.js')).featuresCommand() },
  { name: 'export', usage: '[options] <track>', description: "write a stored feature matrix as a NumPy .npy file (float32, librosa's [n_features, n_frames])", load: async () => (await import('./commands/export.js')).exportCommand() },
  { name: 'status', usage: '[options]', description: 'counts per stage and failures with their reasons', load: async () => (await import('./commands/status.js')).statusCommand() },
  { name: 'similarity', usage: '[options]', description: "compute all-pairs similarity and store each track's nearest neighbours", load: async () => (await import('./commands/similarity.js')).similarityCommand() },
  { name: 'export-matrix', usage: '[options]', description: 'write the dense N x N matrix of a method as .npy (float32) with FILE.tracks.json', load: async () => (await import('./commands/export-matrix.js')).exportMatrixCommand() },
  { name: 'recommend', usage: '[options] [track]', description: 'the tracks most (and least) similar to one you love, by lesser-known artists', load: async () => (await import('./commands/recommend.js')).recommendCommand() },
  { name: 'nightly', usage: '[options]', description: 'ingest, analyse and compare new releases incrementally (safe to run from cron)', load: async () => (await import('./commands/nightly.js')).nightlyCommand() },
  { name: 'runs', usage: '[options]', description: 'the history of nightly runs', load: async () => (await import('./commands/runs.js')).runsCommand() },
  { name: 'evaluate', usage: '[options]', description: 'leave-one-out precision@k of each method, with a random baseline', load: async () => (await import('./commands/evaluate.js')).evaluateCommand() },
  { name: 'like', usage: '[options] <track-or-file...>', description: 'add tracks or audio files to your favourites (the taste profile that discover matches)', load: async () => (await import('./commands/likes.js')).likeCommand() },
  { name: 'unlike', usage: '[options] <track...>', description: 'remove tracks from your favourites (the tracks stay in the catalogue)', load: async () => (await import('./commands/likes.js')).unlikeCommand() },
  { name: 'likes', usage: '[options]', description: 'list your favourites', load: async () => (await import('./commands/likes.js')).likesCommand() },
  { name: 'discover', usage: '[options]', description: 'the weekly discovery report: new releases that sound like your favourites', load: async () => (await import('./commands/discover.js')).discoverCommand() },
  { name: 'show', usage: '[options] <track>', description: "one track's metadata: sources, service ids and links, ISRC, licence, cover, preview or whole track, popularity", load: async () => (await import('./commands/show.js')).showCommand() },
  { name: 'serve', usage: '[options]', description: 'the web UI: search, listen, see the pictures, get recommendations, upload a file, favourites and discoveries', load: async () => (await import('./commands/serve.js')).serveCommand() },
  { name: 'plot', usage: '[options] <track>', description: "draw a track's waveform, trimmed excerpt, STFT, mel spectrogram, MFCC or chroma as PNG or SVG", load: async () => (await import('./commands/plot.js')).plotCommand() },
  { name: 'plot-matrix', usage: '[options]', description: "draw a method's similarity matrix as a heat map (PNG or SVG), rows grouped by album or by clustering", load: async () => (await import('./commands/plot.js')).plotMatrixCommand() },
  { name: 'rate', usage: '[options] <query> <track> <value>', description: 'thumbs up or down on a recommended track (re-ranks later recommendations)', load: async () => (await import('./commands/ratings.js')).rateCommand() },
  { name: 'ratings', usage: '[options]', description: 'export the thumbs up/down given to recommendations (every rating, oldest first)', load: async () => (await import('./commands/ratings.js')).ratingsCommand() },
  { name: 'path', usage: '[options] <from> <to>', description: 'a path from one track to another through the catalogue, each step close to the last', load: async () => (await import('./commands/path.js')).pathCommand() },
];

/** Root options that take a value (their value is not a command name). */
const VALUE_OPTIONS = new Set(['--db', '--ffmpeg']);

/** The command named on the command line ("yasr help X" names X), if any. */
export function commandNamed(argv: string[]): string | undefined {
  const args = argv.slice(2);
  let sawHelp = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return args[i + 1];
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    if (a === 'help' && !sawHelp) {
      sawHelp = true;
      continue;
    }
    return a;
  }
  return undefined;
}

/**
 * The program. `load`: the command names whose modules are imported (all of them with 'all');
 * the others are placeholders with their name, usage and description, for --help.
 */
export async function buildProgram(load: string[] | 'all' = 'all'): Promise<Command> {
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
    )
    // a placeholder has no options of its own: --help shows the usage its module declares
    .configureHelp({ subcommandTerm: (c) => `${c.name()} ${c.usage()}` });
  const loaded = await Promise.all(COMMANDS.map((c) => (load === 'all' || load.includes(c.name) ? c.load() : null)));
  COMMANDS.forEach((c, i) => program.addCommand(loaded[i] ?? new Command(c.name).usage(c.usage).description(c.description)));
  return program;
}

/** Parse argv and run; typed errors print their message and set the exit status. */
export async function main(argv: string[] = process.argv): Promise<void> {
  const named = commandNamed(argv);
  const program = await buildProgram(named ? [named] : []);
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
