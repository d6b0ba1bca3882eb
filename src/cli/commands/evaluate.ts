import os from 'node:os';
import { Command } from '../commander.js';
import { globals, intOption, openFromCli, printJson } from '../context.js';
import { ffmpegFromCli } from '../ffmpeg-option.js';
import { terminalProgress } from '../progress.js';
import { VARIANT_KINDS, checkVariantOptions, evaluateVariants } from '../../pipeline/evaluate-variants.js';
import { METHODS, type MethodName } from '../../pipeline/similarity/methods.js';
import { checkEvaluateOptions, evaluateMethods, type Figures } from '../../pipeline/evaluate.js';
import { checkRecallOptions, evaluateRecall } from '../../pipeline/evaluate-recall.js';

const pct = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '  -  ');

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('precision@k of each method, leave-one-out and held out (parameters chosen on one half of the albums, scored on the other), with a random baseline')
    .option('--label <field>', 'what a correct neighbour shares: album or artist', 'album')
    .option('-k, --k <n>', 'cut-off', intOption('-k', 1, 1000), 10)
    .option('--method <names>', `comma list of ${METHODS.join(', ')} (default: all)`)
    .option('--artist-filter', "the headline figure (and --json's precision) with the query's own artist left out of its neighbours (MIREX practice); both are always shown")
    .option('--no-held-out', 'only the leave-one-out figures over all tracks')
    .option('--seed <n>', 'seed of the split into halves and of the bootstrap', intOption('--seed', 0), 1)
    .option('--variants [n]', 'instead: self-retrieval of generated copies of n tracks (default 20): codecs, rates, gains, a 5 s shift', intOption('--variants', 1))
    .option('--variant-kinds <names>', `with --variants, a comma list of ${VARIANT_KINDS.map((k) => k.name).join(', ')} (default: all)`)
    .option('--candidates <n>', 'instead: recall@k of candidates + exact re-ranking (yasr similarity --candidates n) against all pairs, per method', intOption('--candidates', 1))
    .option('--workers <n>', 'worker threads for dtw/fastdtw', intOption('--workers', 0, 256), os.availableParallelism())
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `
Every track with features is a query; a neighbour counts when it has the same label. Tracks
whose label no other track shares are skipped (and counted).

"all" is leave-one-out over every track with each method's default parameters: where those
defaults were chosen on the same music, it is a training score. "held out" splits the labels
(albums) into two halves (--seed); each method's parameter choices (hybrid: the weights of its four
parts in steps of 0.25; cosine: windows, standardisation; timbre: mutual proximity or not, deltas or not, supervector or not; features:
standardisation; blocks: pattern weights, normalisation) are tried on one half, the best is
scored on the other half (queries and candidates from that half only), then the halves swap: the mean of the two, +- half their
difference, and a 95 % interval from a bootstrap over albums. Each with and without the
artist filter. dtw/fastdtw are computed (or completed) first, with their defaults only.

--candidates N: each method's all-pairs lists and its lists from N ANN candidates per track
(exact scores of the candidates only; see yasr similarity --help) are computed and stored as
yasr similarity would, and compared: recall@k is the share of the exact k nearest that the
candidate lists' k nearest hold, over all tracks (a track tied with the exact k-th counts).

--variants: ffmpeg makes copies of a sample of tracks (MP3 64 and 320 kb/s, AAC 128 kb/s, Opus
96 kb/s, Vorbis q3, 22.05 and 48 kHz, +6 and -6 dB, starting 5 s later, MP3 96 kb/s at 22.05
kHz, whose low-pass cuts the top of the analysed band); they are analysed in
a scratch copy of the database (the catalogue is not changed) and each copy should find its
original as its nearest neighbour among the catalogue's tracks, for every method. When the
catalogue was analysed with an opt-in group (yasr features --supervector), so are the copies,
and the choices that read it get a row of their own (timbre with the supervector).

Examples:
  yasr evaluate --label album -k 10
  yasr evaluate --variants 30 --method hybrid,timbre
  yasr evaluate --variants 5 --variant-kinds mp3-64k,gain+6dB --json
  yasr evaluate --method cosine,hybrid --seed 7 --json
  yasr evaluate --no-held-out --artist-filter
  yasr evaluate --candidates 100 -k 10 --method cosine,hybrid`,
    )
    .action(async (o: { label: string; k: number; method?: string; artistFilter?: boolean; heldOut: boolean; seed: number; workers: number; json?: boolean; variants?: number | true; variantKinds?: string; candidates?: number }, cmd: Command) => {
      const methods = (o.method ? o.method.split(',').map((s) => s.trim()) : [...METHODS]) as MethodName[];
      if (o.candidates !== undefined) return recallCli(cmd, { methods, candidates: o.candidates, k: o.k, workers: o.workers, json: o.json });
      const vo = o.variants !== undefined ? { count: o.variants === true ? 20 : o.variants, kinds: o.variantKinds?.split(',').map((s) => s.trim()), methods } : null;
      const options = { label: o.label as 'album' | 'artist', k: o.k, methods, artistFilter: !!o.artistFilter, workers: o.workers, heldOut: o.heldOut, seed: o.seed };
      if (vo) checkVariantOptions(vo);
      else checkEvaluateOptions(options);
      const db = openFromCli(cmd);
      try {
        if (vo) {
          const quiet = globals(cmd).quiet || o.json;
          const r = await evaluateVariants(db, { ...vo, tools: ffmpegFromCli(cmd), seed: o.seed, workers: o.workers, progress: terminalProgress({ quiet }), log: quiet ? undefined : (l) => process.stderr.write(`${l}\n`) });
          if (o.json) return printJson(r);
          const w = process.stdout;
          w.write(`self-retrieval: copies of ${r.originals} tracks; a copy counts when its original is its nearest neighbour among the catalogue\n`);
          if (r.groups.length) w.write(`copies analysed with the default feature groups and ${r.groups.join(', ')} (as the catalogue)\n`);
          const mw = Math.max(10, ...r.methods.map((m) => m.method.length));
          w.write(`${'method'.padEnd(mw)}  ${'all'.padStart(7)}  ${r.kinds.map((k) => k.padStart(9)).join(' ')}  NaN\n`);
          for (const m of r.methods) {
            const cell = (c: { rate: number } | undefined) => (c && Number.isFinite(c.rate) ? `${(100 * c.rate).toFixed(0)}%` : '-');
            w.write(`${m.method.padEnd(mw)}  ${cell(m.all).padStart(7)}  ${r.kinds.map((k) => cell(m.byKind[k]).padStart(9)).join(' ')}  ${m.nonFinite}\n`);
          }
          w.write(`copies analysed per kind: ${r.kinds.map((k) => `${k} ${r.made[k] ?? 0}`).join(', ')}\n`);
          for (const f of r.failures) process.stderr.write(`failed: ${f.original >= 0 ? `#${f.original} ${f.kind}: ` : ''}${f.error}\n`);
          if (r.failures.length) process.exitCode = 1;
          return;
        }
        const out = await evaluateMethods(db, options);
        if (o.json) return printJson(out);
        const w = process.stdout;
        w.write(`precision@${o.k} by ${o.label}, ${out.tracks} tracks`);
        if (out.split) w.write(`; held out: halves of ${out.split.labels[0]} and ${out.split.labels[1]} ${o.label}s (${out.split.tracks[0]} and ${out.split.tracks[1]} tracks), seed ${out.split.seed}`);
        w.write('\n');
        const held = o.heldOut;
        const cols = (f: Figures) => (held ? [pct(f.allTracks), f.heldOut ? `${pct(f.heldOut.mean)} +-${pct(f.heldOut.spread)}` : '-', f.heldOut ? `${pct(f.heldOut.interval[0])}-${pct(f.heldOut.interval[1])}` : '-'] : [pct(f.allTracks)]);
        const head = held ? ['all', 'held out', '95% interval'] : ['all'];
        const widths = held ? [7, 14, 13] : [7];
        const row = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i % widths.length])).join('  ');
        w.write(`${''.padEnd(10)}  ${'without the artist filter'.padEnd(held ? 38 : 7)}  | with the artist filter\n`);
        w.write(`${'method'.padEnd(10)}  ${row(head)}  | ${row(head)}  queries without / with the filter\n`);
        for (const r of out.methods) {
          w.write(`${r.method.padEnd(10)}  ${row(cols(r.unfiltered))}  | ${row(cols(r.artistFiltered))}  ${r.unfiltered.queries} / ${r.artistFiltered.queries}\n`);
        }
        if (out.random) w.write(`${'random'.padEnd(10)}  ${pct(out.random.precision).padStart(7)}  (expected, ${o.artistFilter ? 'with' : 'without'} the artist filter)\n`);
        if (out.split) w.write(`${'random'.padEnd(10)}  within a half (what held-out figures are read against): ${pct(out.split.random[0])}, with the artist filter ${pct(out.split.random[1])}\n`);
        if (out.bestPossible) w.write(`${'best'.padEnd(10)}  ${pct(out.bestPossible.precision).padStart(7)}\n`);
        if (held) {
          const chosen = out.methods.filter((r) => r.choices.length > 1 && r.unfiltered.heldOut);
          if (chosen.length) w.write('chosen on half 1 / half 2 (training score there):\n');
          const c = (f: Figures) =>
            f.heldOut && Number.isFinite(f.heldOut.mean) ? f.heldOut.halves.map((h) => `${h.chosen} (${pct(h.training)})`).join(' / ') : '-';
          for (const r of chosen) w.write(`  ${r.method}: ${c(r.unfiltered)}; with the artist filter: ${c(r.artistFiltered)}\n`);
        }
      } finally {
        db.close();
      }
    });
}

/** evaluate --candidates N: recall@k of candidates + exact re-ranking against all pairs. */
async function recallCli(cmd: Command, o: { methods: MethodName[]; candidates: number; k: number; workers: number; json?: boolean }): Promise<void> {
  const options = { methods: o.methods, candidates: o.candidates, k: o.k, workers: o.workers };
  checkRecallOptions(options);
  const db = openFromCli(cmd);
  try {
    const r = await evaluateRecall(db, { ...options, progress: terminalProgress({ quiet: globals(cmd).quiet || o.json }) });
    if (o.json) return printJson(r);
    const w = process.stdout;
    const sec = (s: number | null) => (s === null ? 'stored' : `${s.toFixed(1)} s`);
    w.write(`recall@${r.k} of ${r.candidates} candidates + exact re-ranking against all pairs\n`);
    w.write(`${'method'.padEnd(10)}  ${'recall'.padStart(7)}  ${'worst'.padStart(6)}  ${'all kept'.padStart(12)}  ${'pairs scored'.padStart(22)}  ${'all pairs'.padStart(9)}  ${'candidates'.padStart(10)}\n`);
    for (const m of r.methods) {
      const pairs = m.candidatePairs === null ? '-' : `${m.candidatePairs} of ${m.allPairs}`;
      w.write(
        `${m.method.padEnd(10)}  ${pct(m.recall).padStart(7)}  ${pct(m.worstTrack).padStart(6)}  ${`${m.perfectTracks}/${m.tracks}`.padStart(12)}  ${pairs.padStart(22)}  ${sec(m.allPairsSeconds).padStart(9)}  ${sec(m.candidatesSeconds).padStart(10)}\n`,
      );
    }
  } finally {
    db.close();
  }
}
