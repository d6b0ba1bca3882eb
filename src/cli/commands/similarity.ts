import os from 'node:os';
import { thousands } from '../../util/format.js';
import { Command } from '../commander.js';
import { globals, interruptOnSignals, intOption, openFromCli, printJson, withRunLock } from '../context.js';
import { runSimilarity } from '../../pipeline/similarity/run-similarity.js';
import { terminalProgress } from '../progress.js';
import { addMethodOptions, methodParams, METHOD_HELP, type MethodCliOptions } from '../method-options.js';
import { DEFAULTS } from '../../pipeline/similarity/defaults.js';
import { ALL_PAIRS_MAX, DEFAULT_CANDIDATES } from '../../pipeline/similarity/candidates.js';

export { addMethodOptions, methodParams, METHOD_HELP, type MethodCliOptions };

export function similarityCommand(): Command {
  const c = new Command('similarity').description('compute similarity (all pairs, or exact scores on ANN candidates) and store each track\'s nearest neighbours');
  addMethodOptions(c)
    .option('-k, --k <n>', 'neighbours kept per track', intOption('--k', 1, 10000), 50)
    .option('--workers <n>', 'worker threads', intOption('--workers', 0, 256), os.availableParallelism())
    .option('--block-size <n>', 'tracks per block side (dtw/fastdtw)', intOption('--block-size', 1, 4096), 32)
    .option('--queue', 'dtw/fastdtw on all pairs: share the blocks with yasr worker processes through the task queue (always on PostgreSQL)')
    .option('--wait <seconds>', 'if another run holds the lock, wait this long before giving up', intOption('--wait', 0), 0)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `${METHOD_HELP}

Work is cut into blocks of pairs that commit one by one: a killed run resumes where it stopped,
and new tracks are compared only with the catalogue (old pairs are never recomputed). Changed
parameters make a new result set.

--shortlist N (dtw, fastdtw): each track is aligned only with its N nearest by cosine of the
z-scored MFCC summaries (and with the tracks whose N nearest it is in), about n * N pairs
instead of n * (n - 1) / 2; blocks then hold --block-size squared pairs. Each run recomputes the
shortlists for the catalogue as it is and computes only the pairs not stored yet, so the lists
equal a from-scratch run's. Stored lists hold the nearest only (no farthest).

--candidates C (every method): candidates, then exact re-ranking. An approximate nearest-neighbour
index of the z-scored ${DEFAULTS.vector} vectors (usearch HNSW, else a TypeScript IVF; kept in
<db>.ann/ and updated as tracks come and go) gives each track its C nearest; the method's exact
score is computed only on those pairs (and on the pairs of the tracks whose C nearest it is in):
about n * C pairs instead of n * (n - 1) / 2. Lists hold the nearest only, unless C >= n - 1
(then they are the all-pairs lists exactly). For dtw/fastdtw it is the shortlist's other source
(give one of --shortlist and --candidates). Default: all pairs up to ${thousands(ALL_PAIRS_MAX)} analysed tracks
(YASR_ALL_PAIRS_MAX), ${DEFAULT_CANDIDATES} candidates above; --candidates all keeps all pairs at any size.
yasr evaluate --candidates C measures the recall against all pairs.

--queue (dtw, fastdtw on all pairs): the pending blocks become tasks in the database; this run
computes them (--workers at once) together with any 'yasr worker' on the same database, then
derives the lists as usual. The stored blocks and lists are the same as without it.

Examples:
  yasr similarity --method cosine
  yasr similarity --method dtw --workers 2
  yasr similarity --method dtw --shortlist 50 --pool 4     # DTW on each track's cosine top 50
  yasr similarity --method fastdtw --radius 10 --pool 1
  yasr similarity --method hybrid --weights 0.25,0,0.25,0.5 --json
  yasr similarity --method hybrid --weights 0.5,0.25,0.25   # three parts: no blocks
  yasr similarity --method hybrid --candidates 100       # exact scores on each track's 100 ANN candidates
  yasr similarity --method dtw --candidates 50 --pool 4   # DTW on each track's 50 ANN candidates
  yasr similarity --method cosine --candidates all       # every pair, whatever the catalogue's size
  yasr similarity --method dtw --queue                   # with 'yasr worker' processes on the same database`,
    )
    .action(async (o: MethodCliOptions & { k: number; workers: number; blockSize: number; wait: number; queue?: boolean; json?: boolean }, cmd: Command) => {
      await withRunLock(cmd, `similarity ${o.method}`, o.wait, () => runSimilarityCli(cmd, o));
    });
  return c;
}

async function runSimilarityCli(cmd: Command, o: MethodCliOptions & { k: number; workers: number; blockSize: number; queue?: boolean; json?: boolean }): Promise<void> {
  const db = openFromCli(cmd);
  const interrupt = interruptOnSignals();
  try {
    const s = await runSimilarity(db, methodParams(o), {
      k: o.k,
      workers: o.workers,
      blockSize: o.blockSize,
      queue: o.queue,
      signal: interrupt.signal,
      progress: terminalProgress({ quiet: globals(cmd).quiet || o.json }),
    });
    if (s.skipped.length) {
      process.stderr.write(`warning: ${s.skipped.length} track(s) without the needed features were skipped (yasr status; yasr features)\n`);
    }
    for (const ix of o.json || globals(cmd).quiet ? [] : (s.annIndexes ?? [])) {
      process.stderr.write(`ANN index of ${ix.vector} (${ix.backend}, ${ix.size} tracks): ${ix.action}${ix.reason ? ` (${ix.reason})` : ''}${ix.action === 'updated' ? `, ${ix.added} added, ${ix.removed} removed` : ''}, ${ix.seconds.toFixed(1)} s\n`);
    }
    if (o.json) printJson(s);
    else if (s.nothingToDo) process.stdout.write(`${s.method}: nothing to do (${s.tracks} tracks up to date)\n`);
    else {
      process.stdout.write(
        `${s.method} ${JSON.stringify(s.params)}: ${s.tracks} tracks` +
          (s.blocksTotal ? `, ${s.blocksComputed} blocks computed (${s.pairsComputed} pairs), ${s.blocksTotal} in all` : '') +
          (s.shortlistPairs !== undefined ? `, ${s.pairsComputed} pairs computed, ${s.shortlistPairs} shortlisted in all` : '') +
          (s.candidatePairs !== undefined && s.shortlistPairs === undefined ? `, ${s.candidatePairs} candidate pairs scored` : '') +
          `, ${s.added} new, ${s.removed} removed (${s.seconds.toFixed(1)} s)\n`,
      );
    }
  } finally {
    interrupt.dispose();
    db.close();
  }
}
