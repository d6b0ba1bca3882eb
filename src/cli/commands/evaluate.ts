import os from 'node:os';
import { Command } from 'commander';
import { intOption, openFromCli, printJson } from '../context.js';
import { METHODS, type MethodName } from '../../pipeline/similarity/methods.js';
import { checkEvaluateOptions, evaluateMethods } from '../../pipeline/evaluate.js';

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('leave-one-out precision@k of each method, with a random baseline')
    .option('--label <field>', 'what a correct neighbour shares: album or artist', 'album')
    .option('-k, --k <n>', 'cut-off', intOption('-k', 1, 1000), 10)
    .option('--method <names>', `comma list of ${METHODS.join(', ')} (default: all)`)
    .option('--artist-filter', "leave the query's own artist out of its neighbours (MIREX practice)")
    .option('--workers <n>', 'worker threads for dtw/fastdtw', intOption('--workers', 0, 256), os.availableParallelism())
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `
Every track with features is a query; a neighbour counts when it has the same label. Tracks
whose label no other track shares are skipped (and counted). dtw/fastdtw results are computed
(or completed) first with their default parameters.

Examples:
  yasr evaluate --label album -k 10
  yasr evaluate --label album --method cosine,hybrid --artist-filter --json`,
    )
    .action(async (o: { label: string; k: number; method?: string; artistFilter?: boolean; workers: number; json?: boolean }, cmd: Command) => {
      const methods = (o.method ? o.method.split(',').map((s) => s.trim()) : [...METHODS]) as MethodName[];
      const options = { label: o.label as 'album' | 'artist', k: o.k, methods, artistFilter: !!o.artistFilter, workers: o.workers };
      checkEvaluateOptions(options);
      const db = openFromCli(cmd);
      try {
        const out = await evaluateMethods(db, options);
        if (o.json) return printJson(out);
        const w = process.stdout;
        w.write(`precision@${o.k} by ${o.label}${o.artistFilter ? ' (artist filter)' : ''}, ${out.tracks} tracks\n`);
        w.write(`${'method'.padEnd(10)}  precision  queries  skipped\n`);
        for (const r of out.methods) w.write(`${r.method.padEnd(10)}  ${r.precision.toFixed(3).padStart(9)}  ${String(r.queries).padStart(7)}  ${String(r.skipped).padStart(7)}\n`);
        if (out.random) w.write(`${'random'.padEnd(10)}  ${out.random.precision.toFixed(3).padStart(9)}\n`);
        if (out.bestPossible) w.write(`${'best'.padEnd(10)}  ${out.bestPossible.precision.toFixed(3).padStart(9)}\n`);
      } finally {
        db.close();
      }
    });
}
