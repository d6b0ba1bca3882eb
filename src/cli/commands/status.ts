import { Command } from 'commander';
import { openFromCli, printJson, dbPath } from '../context.js';
import { pipelineStatus } from '../../pipeline/status.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('counts per stage and failures with their reasons')
    .option('--json', 'print as JSON')
    .addHelpText('after', `\nExamples:\n  yasr status\n  yasr --db other.db status --json`)
    .action((o: { json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const st = pipelineStatus(db);
        const out = { db: dbPath(cmd), ...st };
        const { tracks, stages, pendingFeaturesWithDefaults: pending, failures, ingestFailures } = st;
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
