import os from 'node:os';
import { Command } from '../commander.js';
import { globals, interruptOnSignals, intOption, openFromCli, printJson, withRunLock } from '../context.js';
import { ffmpegFromCli } from '../ffmpeg-option.js';
import { runFeatures } from '../../pipeline/features-stage.js';
import { queueWanted } from '../../pipeline/worker/job.js';
import {
  DEFAULT_FEATURE_OPTIONS,
  FEATURE_GROUPS,
  GROUPS_EXPECTED,
  validGroups,
  parseExcerpt,
  parseKeep,
  parseTrim,
  type FeatureGroup,
  type FeatureOptions,
} from '../../pipeline/feature-options.js';
import { terminalProgress } from '../progress.js';
import { badParameter } from '../../errors.js';
import { DESCRIPTOR_DOCS } from '../../dsp/descriptors/docs.js';

function descriptorHelp(): string {
  return Object.entries(DESCRIPTOR_DOCS)
    .map(([key, d]) => `  ${key.padEnd(17)} ${d.unit ? `${d.unit}, ` : ''}${d.range}`)
    .join('\n');
}

interface FeaturesCliOptions {
  mfcc?: boolean;
  mel?: boolean;
  chroma?: boolean;
  spectral?: boolean;
  descriptors?: boolean;
  supervector?: boolean;
  all?: boolean;
  trim: 'librosa' | 'none';
  excerpt: number | 'full';
  keep: ('stft' | 'mel')[];
  workers: number;
  retryFailed?: boolean;
  limit?: number;
  queue?: boolean;
  json?: boolean;
}

export function featureOptionsFrom(o: Pick<FeaturesCliOptions, 'mfcc' | 'mel' | 'chroma' | 'spectral' | 'descriptors' | 'supervector' | 'all' | 'trim' | 'excerpt' | 'keep'>): FeatureOptions {
  const picked: FeatureGroup[] = [];
  if (o.mfcc) picked.push('mfcc');
  if (o.mel) picked.push('mel');
  if (o.chroma) picked.push('chroma');
  if (o.spectral) picked.push('spectral');
  if (o.descriptors) picked.push('descriptors');
  // --supervector adds to the groups named (or to the default ones)
  const named = o.all ? [...FEATURE_GROUPS] : picked.length === 0 ? DEFAULT_FEATURE_OPTIONS.groups : picked;
  const groups: FeatureGroup[] = o.supervector && !named.includes('supervector') ? [...named, 'supervector'] : named;
  if (!validGroups(groups)) throw badParameter('feature groups', groups, GROUPS_EXPECTED);
  return { ...DEFAULT_FEATURE_OPTIONS, groups, trim: o.trim, excerpt: o.excerpt, keep: o.keep };
}

export function featuresCommand(): Command {
  return new Command('features')
    .description('decode, trim and analyse every pending track (STFT, mel, MFCC, chroma, spectral, descriptors)')
    .option('--mfcc', 'MFCC (20) and its summary vector')
    .option('--mel', 'mel spectrogram in dB (128 Slaney bands)')
    .option('--chroma', 'chroma (12) and its summary vector')
    .option('--spectral', 'RMS, spectral centroid, zero-crossing rate')
    .option('--descriptors', 'tempo, key, loudness, energy, danceability-like rhythm, ...')
    .option('--supervector', "also the GMM mean supervector of the timbre frames (timbre --supervector reads it; about 7 % more analysis time)")
    .option('--all', 'every feature group (default when none is named: all but --mel and --supervector)')
    .option('--trim <mode>', "'librosa' (top_db 60, as librosa.effects.trim) or 'none'", parseTrim, DEFAULT_FEATURE_OPTIONS.trim)
    .option('--excerpt <seconds|full>', 'central excerpt length in seconds, or full', parseExcerpt, DEFAULT_FEATURE_OPTIONS.excerpt)
    .option('--keep <stages>', 'also store intermediates: stft, mel (comma list)', parseKeep, [] as ('stft' | 'mel')[])
    .option('--workers <n>', 'worker threads (0 = analyse in the main thread)', intOption('--workers', 0, 256), os.availableParallelism())
    .option('--retry-failed', 'try tracks that failed before again')
    .option('--limit <n>', 'analyse at most n pending tracks', intOption('--limit', 0))
    .option('--queue', 'share the work with yasr worker processes through the task queue (always on PostgreSQL)')
    .option('--wait <seconds>', 'if another run holds the lock, wait this long before giving up', intOption('--wait', 0), 0)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Each track commits on its own; a failure is recorded with its reason and the batch goes on.
Unchanged parameters mean nothing to do; changed ones mean recomputation.
ffmpeg decodes each file whole (at most 30 minutes of it), once; it is trimmed as librosa
would, then the central excerpt is analysed (--excerpt full: all of it), and the MFCC
similarity windows cover the whole trimmed track.

--queue: the pending tracks become tasks in the database; this run analyses them (--workers
threads) together with any 'yasr worker' on the same database, and ends when each is done or
failed. A worker reads each track's audio at its stored path, which must be readable where it
runs (yasr worker --help).

Descriptors (--descriptors; definitions in README.md, "Descriptors"):
${descriptorHelp()}

Examples:
  yasr features
  yasr features --mfcc --excerpt 30 --workers 2
  yasr features --trim none --excerpt full --keep stft,mel
  yasr features --supervector                # for yasr similarity --method timbre --supervector
  yasr features --retry-failed --json
  yasr features --queue --workers 2          # with 'yasr worker' processes on the same database`,
    )
    .action(async (o: FeaturesCliOptions & { wait: number }, cmd: Command) => {
      const options = featureOptionsFrom(o);
      await withRunLock(cmd, 'features', o.wait, () => runFeaturesCli(cmd, o, options));
    });
}

async function runFeaturesCli(cmd: Command, o: FeaturesCliOptions, options: FeatureOptions): Promise<void> {
  const db = openFromCli(cmd);
  // a queued run gives back the tasks it holds when interrupted (the rest stay queued)
  const interrupt = queueWanted(db, o.queue) ? interruptOnSignals() : undefined;
  try {
    const s = await runFeatures(db, {
      ffmpeg: ffmpegFromCli(cmd).ffmpeg,
      options,
      workers: o.workers,
      retryFailed: o.retryFailed,
      limit: o.limit,
      queue: o.queue,
      signal: interrupt?.signal,
      progress: terminalProgress({ quiet: globals(cmd).quiet || o.json }),
    });
    if (o.json) printJson(s);
    else {
      process.stdout.write(`${s.analysed} analysed, ${s.failed} failed, ${s.skipped} skipped (${s.seconds.toFixed(1)} s)\n`);
    }
    if (s.failed > 0) process.exitCode = 1;
  } finally {
    interrupt?.dispose();
    db.close();
  }
}
