import path from 'node:path';
import { Command } from 'commander';
import { audioStoreDir, ffmpegFromCli, intOption, openFromCli, printJson } from '../context.js';
import { addMethodOptions, methodParams, METHOD_HELP, type MethodCliOptions } from './similarity.js';
import { recommend, type QueryFeatures, type RecommendResult, type Recommendation } from '../../pipeline/recommend.js';
import { resolveTrack, getTrack } from '../../store/tracks.js';
import { probeAudio } from '../../audio/probe.js';
import { DEFAULT_FEATURE_OPTIONS, featureParamsHash } from '../../pipeline/feature-options.js';
import { ingest } from '../../pipeline/ingest.js';
import { storeAnalysis } from '../../pipeline/features-stage.js';
import { YasrError, badParameter } from '../../errors.js';
import type { Db } from '../../store/db.js';
import type { FfmpegTools } from '../../audio/ffmpeg.js';

interface RecommendCliOptions extends MethodCliOptions {
  file?: string;
  add?: boolean;
  k: number;
  least: number;
  maxPopularity: number;
  releasedAfter?: string;
  newDays?: number;
  excludeSameArtist: boolean;
  json?: boolean;
}

async function analyseFile(db: Db, tools: FfmpegTools, file: string, add: boolean, storeDir: string): Promise<{ trackId: number } | { features: QueryFeatures }> {
  if (add) {
    const s = await ingest(db, [file], { tools, storeDir });
    if (s.failed) throw new YasrError('BAD_INPUT', s.failures[0].error);
  }
  const probe = await probeAudio(tools, file);
  if (!probe.hasAudio) throw new YasrError('BAD_INPUT', `${file}: no audio stream`);
  const t0 = performance.now();
  const [{ analyzeTrack }, { describeSignal }] = await Promise.all([import('../../pipeline/analyze-track.js'), import('../../pipeline/describe.js')]);
  const r = await analyzeTrack(tools.ffmpeg, file, probe.duration, DEFAULT_FEATURE_OPTIONS, describeSignal);
  if (add) {
    const t = resolveTrack(db, path.resolve(file));
    storeAnalysis(db, getTrack(db, t.id)!, r, featureParamsHash(DEFAULT_FEATURE_OPTIONS), performance.now() - t0);
    return { trackId: t.id };
  }
  const mfcc = r.features.mfcc;
  const seq = new Float32Array(mfcc.rows * mfcc.cols);
  for (let i = 0; i < mfcc.rows; i++) for (let c = 0; c < mfcc.cols; c++) seq[c * mfcc.rows + i] = mfcc.data[i * mfcc.cols + c];
  const vectors: Record<string, Float32Array> = {};
  for (const [name, m] of Object.entries(r.features)) if (m.rows === 1) vectors[name] = m.data;
  return {
    features: {
      vectors,
      mfcc: { seq, dim: mfcc.rows },
      descriptors: r.meta.descriptors,
      artist: probe.tags.artist ?? null,
      title: probe.tags.title ?? path.basename(file),
      file,
    },
  };
}

function table(rows: Recommendation[], kind: string): string {
  const head = ['#', 'artist', 'title', 'released', 'pop', kind, 'why'];
  const cells = rows.map((r) => [
    String(r.rank),
    r.artist ?? '?',
    r.title ?? '?',
    r.releaseDate ?? '',
    r.popularity === null ? '' : String(r.popularity),
    r.score.toFixed(kind === 'similarity' ? 3 : 4),
    r.reason,
  ]);
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const widths = head.map((h, i) => Math.min(i === 6 ? 200 : 32, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const line = (c: string[]) => c.map((v, i) => clip(v, widths[i]).padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

function render(r: RecommendResult): string {
  const who = `${r.query.artist ?? '?'} - ${r.query.title ?? '?'}${r.query.trackId ? ` (#${r.query.trackId})` : ''}`;
  let out = `Most similar to ${who} by ${r.method} (${r.scoreKind}):\n`;
  out += r.nearest.length ? table(r.nearest, r.scoreKind) : '  (no track passes the filters)';
  if (r.least.length) out += `\n\nLeast similar:\n${table(r.least, r.scoreKind)}`;
  return `${out}\n`;
}

export function recommendCommand(): Command {
  const c = new Command('recommend')
    .description('the tracks most (and least) similar to one you love, by lesser-known artists')
    .argument('[track]', "a track id, a path, or 'artist - title' (case-insensitive)");
  addMethodOptions(c, 'hybrid')
    .option('--file <audio>', 'a song that is not in the catalogue, analysed on the fly')
    .option('--add', 'with --file: also add it to the catalogue')
    .option('-k, --k <n>', 'how many most similar tracks', intOption('-k', 1, 1000), 5)
    .option('--least <n>', 'also show the n least similar', intOption('--least', 0, 1000), 0)
    .option('--max-popularity <n>', 'leave out artists whose popularity is above n (0-100)', intOption('--max-popularity', 0, 100), 70)
    .option('--released-after <date>', 'only tracks released on or after YYYY[-MM[-DD]]')
    .option('--new-days <n>', 'only tracks released in the last n days', intOption('--new-days', 0))
    .option('--no-exclude-same-artist', "keep the query's own artist in the results")
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `${METHOD_HELP}

Default method: hybrid. dtw/fastdtw read the neighbours stored by "yasr similarity" (top k
per track), so very strict filters may leave fewer than k; cosine/features/hybrid score the whole
catalogue on the fly. The reason column compares tempo, key, loudness and timbre.

Examples:
  yasr recommend 'Copper Moth - C major study no. 1'
  yasr recommend 12 -k 10 --least 5 --max-popularity 50
  yasr recommend --file ~/Downloads/song.mp3 --new-days 30
  yasr recommend 12 --method dtw --json`,
    )
    .action(async (ref: string | undefined, o: RecommendCliOptions, cmd: Command) => {
      if (!ref && !o.file) throw badParameter('track', ref ?? null, "a track (id, path or 'artist - title') or --file AUDIO");
      if (ref && o.file) throw badParameter('--file', o.file, 'either a track or --file, not both');
      const db = openFromCli(cmd);
      try {
        const query = o.file
          ? await analyseFile(db, ffmpegFromCli(cmd), o.file, !!o.add, audioStoreDir(cmd))
          : { trackId: resolveTrack(db, ref!).id };
        const r = recommend(db, query, methodParams(o), {
          k: o.k,
          least: o.least,
          filters: { maxPopularity: o.maxPopularity, releasedAfter: o.releasedAfter, newDays: o.newDays, excludeSameArtist: o.excludeSameArtist },
        });
        if (o.json) printJson(r);
        else process.stdout.write(render(r));
      } finally {
        db.close();
      }
    });
  return c;
}
