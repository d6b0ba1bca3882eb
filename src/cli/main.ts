import { Command, CommanderError } from './commander.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { YasrError, isStoreError, storeError } from '../errors.js';

// what only --version and usage errors need is imported when they happen
const closestName = async () => (await import('../util/closest.js')).closest;

async function version(): Promise<string> {
  const { findRoot } = await import('../util/worker-url.js');
  const root = findRoot(path.dirname(fileURLToPath(import.meta.url)));
  return (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

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
  { name: 'similarity', usage: '[options]', description: "compute similarity (all pairs, or exact scores on ANN candidates) and store each track's nearest neighbours", load: async () => (await import('./commands/similarity.js')).similarityCommand() },
  { name: 'export-matrix', usage: '[options]', description: 'write the dense N x N matrix of a method as .npy (float32) with FILE.tracks.json', load: async () => (await import('./commands/export-matrix.js')).exportMatrixCommand() },
  { name: 'recommend', usage: '[options] [track]', description: 'the tracks most (and least) similar to one you love, by lesser-known artists', load: async () => (await import('./commands/recommend.js')).recommendCommand() },
  { name: 'nightly', usage: '[options]', description: 'ingest, analyse and compare new releases incrementally (safe to run from cron)', load: async () => (await import('./commands/nightly.js')).nightlyCommand() },
  { name: 'runs', usage: '[options]', description: 'the history of nightly runs', load: async () => (await import('./commands/runs.js')).runsCommand() },
  { name: 'evaluate', usage: '[options]', description: 'precision@k of each method, leave-one-out and held out (parameters chosen on one half of the albums, scored on the other), with a random baseline', load: async () => (await import('./commands/evaluate.js')).evaluateCommand() },
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
  { name: 'worker', usage: '[options]', description: "take tasks (features, similarity blocks) from the database's queue and run them until stopped", load: async () => (await import('./commands/worker.js')).workerCommand() },
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
    .option('-V, --version', 'print the version of yasr, Node.js and the ffmpeg in use')
    .option('--db <path|url>', 'SQLite database: a file, or a file:// or sqlite:// URL (env YASR_DB)', undefined)
    .option('--ffmpeg <path>', 'ffmpeg binary (env YASR_FFMPEG; default: system ffmpeg, else the bundled one)')
    .option('-q, --quiet', 'no progress output')
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

/** Exit status of a usage error: an unknown command or option, a missing or bad argument. */
export const USAGE_EXIT = 2;

/**
 * Output into a closed pipe (`yasr ... | head`) ends quietly: once the reader has gone, further
 * writes to that stream are dropped instead of raising EPIPE, and the command finishes its work
 * (nothing done is lost) with its usual exit status.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      stream.write = ((_chunk: unknown, enc?: unknown, cb?: unknown) => {
        const done = typeof enc === 'function' ? enc : cb;
        if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
        return true;
      }) as typeof stream.write;
      return;
    }
    process.exitCode = 1;
  });
}

/** `yasr --version`: yasr, Node.js and the ffmpeg that decoding would use. */
async function printVersion(argv: string[]): Promise<void> {
  const [{ ffmpegInUse }, { warnAboutFfmpeg }] = await Promise.all([import('../audio/ffmpeg.js'), import('./ffmpeg-option.js')]);
  const i = argv.indexOf('--ffmpeg');
  const used = ffmpegInUse(i >= 0 ? argv[i + 1] : undefined);
  warnAboutFfmpeg(used.tools);
  process.stdout.write(`yasr ${await version()}\nnode ${process.version}\n${used.line}\n`);
}

/** One line for a commander usage error, naming the closest valid command or option. */
function usageLine(err: CommanderError, program: Command, named: string | undefined, closest: (name: string, names: string[]) => string | undefined): string {
  const msg = err.message.replace(/^error:\s*/, '').split('\n')[0];
  const cmd = program.commands.find((c) => c.name() === named) ?? program;
  const where = cmd === program ? 'yasr --help' : `yasr ${cmd.name()} --help`;
  const opt = /^unknown option '([^']+)'/.exec(msg)?.[1];
  if (opt) {
    const names = [...cmd.options, ...(cmd === program ? [] : program.options)].flatMap((o) => [o.long, o.short].filter((n): n is string => !!n));
    const near = closest(opt.split('=')[0], [...names, '--help']);
    return `unknown option '${opt}'${cmd === program ? '' : ` for '${cmd.name()}'`}${near ? ` (the closest is '${near}')` : ''}; see ${where}`;
  }
  return `${msg}; see ${where}`;
}

/** Parse argv and run; typed errors print their message and set the exit status. */
export async function main(argv: string[] = process.argv): Promise<void> {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  const named = commandNamed(argv);
  if (named !== undefined && !COMMANDS.some((c) => c.name === named)) {
    const near = (await closestName())(named, COMMANDS.map((c) => c.name));
    process.stderr.write(`yasr: unknown command '${named}' (the closest is '${near}'); see yasr --help\n`);
    process.exitCode = USAGE_EXIT;
    return;
  }
  const program = await buildProgram(named ? [named] : []);
  const silent = { outputError: () => {} };
  program.exitOverride().configureOutput(silent);
  for (const c of program.commands) c.exitOverride().configureOutput(silent);
  if (!named) {
    const args = argv.slice(2);
    if (args.includes('-V') || args.includes('--version')) {
      await printVersion(argv);
      return;
    }
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
        process.exitCode = err.exitCode;
        return;
      }
      if (err.code === 'commander.help') {
        // `yasr` alone: the help went to stderr; no command is a usage error
        process.exitCode = USAGE_EXIT;
        return;
      }
      process.stderr.write(`yasr: ${usageLine(err, program, named, await closestName())}\n`);
      process.exitCode = USAGE_EXIT;
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
