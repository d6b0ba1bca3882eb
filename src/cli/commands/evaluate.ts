import os from 'node:os';
import { Command } from 'commander';
import { intOption, openFromCli, printJson } from '../context.js';
import { METHODS, type MethodName } from '../../pipeline/similarity/methods.js';
import { runSimilarity } from '../../pipeline/similarity/run-similarity.js';
import { denseMatrix } from '../../pipeline/similarity/dense.js';
import { getTrack } from '../../store/tracks.js';
import { precisionAtK, randomBaseline, bestPossible, neighboursFromDistanceMatrix } from '../../evaluate/precision.js';
import { badParameter } from '../../errors.js';

interface EvalRow {
  method: string;
  precision: number;
  queries: number;
  skipped: number;
}

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
      if (o.label !== 'album' && o.label !== 'artist') throw badParameter('--label', o.label, "'album' or 'artist'");
      const methods = (o.method ? o.method.split(',').map((s) => s.trim()) : [...METHODS]) as MethodName[];
      for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) throw badParameter('--method', m, METHODS.join(', '));
      const db = openFromCli(cmd);
      try {
        const rows: EvalRow[] = [];
        let baseline: ReturnType<typeof randomBaseline> | null = null;
        let best: ReturnType<typeof bestPossible> | null = null;
        let n = 0;
        for (const method of methods) {
          if (method === 'dtw' || method === 'fastdtw') await runSimilarity(db, { method }, { k: Math.max(o.k, 50), workers: o.workers });
          const m = denseMatrix(db, { method });
          const tracks = m.trackIds.map((id) => getTrack(db, id)!);
          const labels = tracks.map((t) => (o.label === 'album' ? t.album : t.artist) ?? `#${t.id}`);
          const artists = tracks.map((t) => t.artist ?? `#${t.id}`);
          const r = precisionAtK({
            neighbours: neighboursFromDistanceMatrix(m.data, m.n, { order: m.orientation === 'similarity' ? 'descending' : 'ascending' }),
            labels,
            k: o.k,
            excludeSameArtist: o.artistFilter ? artists : undefined,
          });
          rows.push({ method, precision: r.precision, queries: r.queries, skipped: r.skipped });
          if (m.n >= n) {
            n = m.n;
            baseline = randomBaseline(labels, o.k, o.artistFilter ? artists : undefined);
            best = bestPossible(labels, o.k, o.artistFilter ? artists : undefined);
          }
        }
        const out = { label: o.label, k: o.k, artistFilter: !!o.artistFilter, tracks: n, methods: rows, random: baseline, bestPossible: best };
        if (o.json) return printJson(out);
        const w = process.stdout;
        w.write(`precision@${o.k} by ${o.label}${o.artistFilter ? ' (artist filter)' : ''}, ${n} tracks\n`);
        w.write(`${'method'.padEnd(10)}  precision  queries  skipped\n`);
        for (const r of rows) w.write(`${r.method.padEnd(10)}  ${r.precision.toFixed(3).padStart(9)}  ${String(r.queries).padStart(7)}  ${String(r.skipped).padStart(7)}\n`);
        if (baseline) w.write(`${'random'.padEnd(10)}  ${baseline.precision.toFixed(3).padStart(9)}\n`);
        if (best) w.write(`${'best'.padEnd(10)}  ${best.precision.toFixed(3).padStart(9)}\n`);
      } finally {
        db.close();
      }
    });
}
