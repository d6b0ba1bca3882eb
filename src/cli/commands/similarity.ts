import os from 'node:os';
import { Command } from '../commander.js';
import { globals, interruptOnSignals, intOption, openFromCli, printJson, withRunLock } from '../context.js';
import { runSimilarity } from '../../pipeline/similarity/run-similarity.js';
import { terminalProgress } from '../progress.js';
import { addMethodOptions, methodParams, METHOD_HELP, type MethodCliOptions } from '../method-options.js';

export { addMethodOptions, methodParams, METHOD_HELP, type MethodCliOptions };

export function similarityCommand(): Command {
  const c = new Command('similarity').description('compute all-pairs similarity and store each track\'s nearest neighbours');
  addMethodOptions(c)
    .option('-k, --k <n>', 'neighbours kept per track', intOption('--k', 1, 10000), 50)
    .option('--workers <n>', 'worker threads', intOption('--workers', 0, 256), os.availableParallelism())
    .option('--block-size <n>', 'tracks per block side (dtw/fastdtw)', intOption('--block-size', 1, 4096), 32)
    .option('--wait <seconds>', 'if another run holds the lock, wait this long before giving up', intOption('--wait', 0), 0)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `${METHOD_HELP}

Work is cut into blocks of pairs that commit one by one: a killed run resumes where it stopped,
and new tracks are compared only with the catalogue (old pairs are never recomputed). Changed
parameters make a new result set.

Examples:
  yasr similarity --method cosine
  yasr similarity --method dtw --workers 2
  yasr similarity --method fastdtw --radius 10 --pool 1
  yasr similarity --method hybrid --weights 0.6,0.2,0.2 --json`,
    )
    .action(async (o: MethodCliOptions & { k: number; workers: number; blockSize: number; wait: number; json?: boolean }, cmd: Command) => {
      await withRunLock(cmd, `similarity ${o.method}`, o.wait, () => runSimilarityCli(cmd, o));
    });
  return c;
}

async function runSimilarityCli(cmd: Command, o: MethodCliOptions & { k: number; workers: number; blockSize: number; json?: boolean }): Promise<void> {
  const db = openFromCli(cmd);
  const interrupt = interruptOnSignals();
  try {
    const s = await runSimilarity(db, methodParams(o), {
      k: o.k,
      workers: o.workers,
      blockSize: o.blockSize,
      signal: interrupt.signal,
      progress: terminalProgress({ quiet: globals(cmd).quiet || o.json }),
    });
    if (s.skipped.length) {
      process.stderr.write(`warning: ${s.skipped.length} track(s) without the needed features were skipped (yasr status; yasr features)\n`);
    }
    if (o.json) printJson(s);
    else if (s.nothingToDo) process.stdout.write(`${s.method}: nothing to do (${s.tracks} tracks up to date)\n`);
    else {
      process.stdout.write(
        `${s.method} ${JSON.stringify(s.params)}: ${s.tracks} tracks` +
          (s.blocksTotal ? `, ${s.blocksComputed} blocks computed (${s.pairsComputed} pairs), ${s.blocksTotal} in all` : '') +
          `, ${s.added} new, ${s.removed} removed (${s.seconds.toFixed(1)} s)\n`,
      );
    }
  } finally {
    interrupt.dispose();
    db.close();
  }
}
