import type { Db } from '../../store/db.js';
import type { FfmpegTools } from '../../audio/ffmpeg.js';
import { ingest, type IngestSummary } from '../ingest.js';
import { runFeatures, type FeaturesSummary } from '../features-stage.js';
import { runSimilarity, type SimilaritySummary } from '../similarity/run-similarity.js';
import { finishRun, startRun } from '../../store/runs.js';
import { errorLine } from '../../errors.js';
import type { PipelineDefinition } from './definition.js';
import type { ProgressSink } from '../progress-events.js';
import { discover, type DiscoverReport } from '../discover.js';
import { writeDiscoverFiles } from '../discover-report.js';
import { parseSince } from '../../sources/since.js';

export interface NightlyReport {
  pipeline: string;
  file: string;
  runId: number;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  nothingToDo: boolean;
  stages: { name: string; seconds: number; ok: boolean; error?: string }[];
  ingest?: IngestSummary;
  features?: FeaturesSummary;
  similarity: SimilaritySummary[];
  discover?: DiscoverReport;
  discoverFiles?: string[];
  failures: { stage: string; item: string; error: string }[];
}

/**
 * Ingest, analyse and compare, incrementally: only new or changed tracks are analysed and only
 * new pairs computed. A stage that throws is recorded and the later stages still run on what
 * is there (similarity on the tracks analysed so far).
 */
export async function runNightly(
  db: Db,
  def: PipelineDefinition,
  a: { tools: FfmpegTools; storeDir: string; cacheDir?: string | null; workers: number; progress?: ProgressSink; signal?: AbortSignal; today?: Date },
): Promise<NightlyReport> {
  const startedAt = new Date().toISOString();
  const runId = startRun(db, `nightly ${def.name}`);
  const report: NightlyReport = {
    pipeline: def.name, file: def.file, runId, startedAt, finishedAt: startedAt, ok: true, nothingToDo: false,
    stages: [], similarity: [], failures: [],
  };
  const stage = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    const t0 = performance.now();
    try {
      const r = await fn();
      report.stages.push({ name, seconds: (performance.now() - t0) / 1000, ok: true });
      return r;
    } catch (err) {
      report.ok = false;
      report.stages.push({ name, seconds: (performance.now() - t0) / 1000, ok: false, error: errorLine(err) });
      report.failures.push({ stage: name, item: '(stage)', error: errorLine(err) });
      return undefined;
    }
  };
  report.ingest = await stage('ingest', () =>
    ingest(db, def.sources, {
      tools: a.tools,
      storeDir: a.storeDir,
      downloader: def.downloader,
      progress: a.progress,
      signal: a.signal,
      catalogue: {
        since: def.since ? parseSince(def.since, a.today) : null,
        maxTracks: def.maxTracks ?? null,
        cacheDir: a.cacheDir ?? null,
        today: a.today,
      },
    }),
  );
  for (const f of report.ingest?.failures ?? []) report.failures.push({ stage: 'ingest', item: f.source, error: f.error });
  for (const e of report.ingest?.manifestErrors ?? []) {
    if (e.level === 'error') report.failures.push({ stage: 'ingest', item: `${e.file}:${e.line}`, error: e.message });
  }
  report.features = await stage('features', () =>
    runFeatures(db, { ffmpeg: a.tools.ffmpeg, options: def.features, workers: a.workers, progress: a.progress }),
  );
  for (const f of report.features?.failures ?? []) report.failures.push({ stage: 'features', item: f.path ?? `#${f.trackId}`, error: f.error });
  for (const p of def.similarity) {
    const s = await stage(`similarity:${p.method}`, () =>
      runSimilarity(db, p, { k: def.k, workers: a.workers, progress: a.progress, signal: a.signal }),
    );
    if (s) report.similarity.push(s);
  }
  const d = def.discover;
  if (d) {
    report.discover = await stage('discover', async () =>
      discover(db, { since: parseSince(d.since, a.today), until: (a.today ?? new Date()).toISOString().slice(0, 10), k: d.k, perArtist: d.perArtist, maxPopularity: d.maxPopularity, method: d.method }),
    );
    if (report.discover && d.out) {
      const r = report.discover;
      report.discoverFiles = await stage('discover:write', async () => writeDiscoverFiles(r, d.out!));
    }
  }
  if (report.failures.length) report.ok = false;
  const ing = report.ingest;
  report.nothingToDo =
    report.ok &&
    !!ing && ing.added + ing.changed + ing.duplicates === 0 &&
    report.features?.analysed === 0 &&
    report.similarity.every((s) => s.nothingToDo);
  report.finishedAt = new Date().toISOString();
  finishRun(db, runId, report.ok ? 'ok' : 'failed', report);
  return report;
}

/** The short text version of a report. */
export function reportText(r: NightlyReport): string {
  const lines: string[] = [];
  lines.push(`yasr nightly "${r.pipeline}" run #${r.runId}: ${r.ok ? 'ok' : 'FAILED'}${r.nothingToDo ? ' (nothing to do)' : ''}`);
  if (r.ingest) {
    lines.push(`ingest: ${r.ingest.added} new, ${r.ingest.changed} changed, ${r.ingest.duplicates} duplicates, ${r.ingest.unchanged} unchanged, ${r.ingest.failed} failed`);
  }
  if (r.features) lines.push(`features: ${r.features.analysed} analysed, ${r.features.failed} failed, ${r.features.skipped} skipped`);
  for (const s of r.similarity) {
    lines.push(`similarity ${s.method}: ${s.nothingToDo ? 'up to date' : `${s.tracks} tracks, ${s.added} new, ${s.pairsComputed} pairs computed`}`);
  }
  if (r.discover) {
    lines.push(`discover: ${r.discover.picks.length} picks from ${r.discover.candidates} tracks released since ${r.discover.since}`);
    for (const p of r.discover.picks) lines.push(`  ${p.rank}. ${p.artist ?? '?'} - ${p.title ?? '?'} (${p.releaseDate ?? '?'}): ${p.reason}`);
    if (r.discoverFiles?.length) lines.push(`  report: ${r.discoverFiles.find((f) => f.endsWith('.html')) ?? r.discoverFiles[0]}`);
  }
  lines.push(`time: ${r.stages.map((s) => `${s.name} ${s.seconds.toFixed(1)} s${s.ok ? '' : ' (failed)'}`).join(', ')}`);
  if (r.failures.length) {
    lines.push(`failures (${r.failures.length}):`);
    for (const f of r.failures.slice(0, 50)) lines.push(`  [${f.stage}] ${f.item}: ${f.error}`);
    if (r.failures.length > 50) lines.push(`  ... ${r.failures.length - 50} more in the JSON report`);
  }
  return `${lines.join('\n')}\n`;
}
