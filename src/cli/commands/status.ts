import { Command } from 'commander';
import { openFromCli, printJson, dbPath } from '../context.js';
import { stageCounts, stageFailures } from '../../store/checkpoints.js';
import { failedSources } from '../../store/tracks.js';
import { pendingFeatureTracks } from '../../pipeline/features-stage.js';
import { DEFAULT_FEATURE_OPTIONS } from '../../pipeline/feature-options.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('counts per stage and failures with their reasons')
    .option('--json', 'print as JSON')
    .addHelpText('after', `\nExamples:\n  yasr status\n  yasr --db other.db status --json`)
    .action((o: { json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const tracks = (db.prepare('SELECT COUNT(*) AS n FROM tracks').get() as { n: number }).n;
        const stages = stageCounts(db);
        const pending = pendingFeatureTracks(db, DEFAULT_FEATURE_OPTIONS, false).pending.length;
        const failures = stageFailures(db);
        const ingestFailures = failedSources(db);
        const sets = db
          .prepare(
            `SELECT s.method, s.params, COUNT(DISTINCT m.idx) AS members, (SELECT COUNT(*) FROM sim_blocks b WHERE b.set_id = s.id) AS blocks
             FROM sim_sets s LEFT JOIN sim_members m ON m.set_id = s.id AND m.active = 1 GROUP BY s.id ORDER BY s.id`,
          )
          .all() as { method: string; params: string; members: number; blocks: number }[];
        const out = {
          db: dbPath(cmd),
          tracks,
          stages,
          pendingFeaturesWithDefaults: pending,
          failures,
          ingestFailures,
          similarity: sets.map((s) => ({ ...s, params: JSON.parse(s.params) })),
        };
        if (o.json) return printJson(out);
        const w = process.stdout;
        w.write(`database: ${out.db}\ntracks: ${tracks}\n`);
        for (const s of stages) w.write(`stage ${s.stage}: ${s.done} done, ${s.failed} failed\n`);
        w.write(`features pending with default options: ${pending}\n`);
        for (const s of out.similarity) w.write(`similarity ${s.method} ${JSON.stringify(s.params)}: ${s.members} tracks, ${s.blocks} blocks\n`);
        if (ingestFailures.length) {
          w.write(`ingest failures (${ingestFailures.length}):\n`);
          for (const f of ingestFailures) w.write(`  ${f.source}: ${f.error}\n`);
        }
        if (failures.length) {
          w.write(`analysis failures (${failures.length}):\n`);
          for (const f of failures) w.write(`  #${f.trackId} ${f.path ?? ''}: ${f.error}\n`);
        }
      } finally {
        db.close();
      }
    });
}
