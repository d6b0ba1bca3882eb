import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from '../commander.js';
import { audioStoreDir, cacheDir, dbPath, globals, interruptOnSignals, intOption, openFromCli, printJson, withRunLock } from '../context.js';
import { ffmpegFromCli } from '../ffmpeg-option.js';
import { localBase } from '../../store/db.js';
import { loadPipeline } from '../../pipeline/nightly/definition.js';
import { reportText, runNightly } from '../../pipeline/nightly/run-nightly.js';
import { terminalProgress } from '../progress.js';

export function nightlyCommand(): Command {
  return new Command('nightly')
    .description('ingest, analyse and compare new releases incrementally (safe to run from cron)')
    .option('--pipeline <name|file>', 'a pipeline name (pipelines/NAME.json) or file', 'nightly')
    .option('--workers <n>', 'worker threads (default: the pipeline\'s, else the number of cores)', intOption('--workers', 0, 256))
    .option('--wait <seconds>', 'if another run holds the lock, wait this long before giving up', intOption('--wait', 0), 0)
    .option('--report-dir <dir>', 'where reports go (default: reports/ beside the database)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Each run writes <report-dir>/nightly-<time>.json and .txt and a row in the run history
(yasr runs). Exit status 0 when all went well, 1 when anything failed (the summary says what),
8 when another run holds the lock. A stale lock left by a killed run is taken over.

Examples:
  yasr nightly
  yasr nightly --pipeline pipelines/nightly.json --workers 2
  yasr --db /srv/yasr/yasr.db nightly --report-dir /var/log/yasr --json

crontab (every night at 03:15):
  15 3 * * *  cd /srv/yasr && node dist/bin/yasr.js nightly >> /var/log/yasr.log 2>&1`,
    )
    .action(async (o: { pipeline: string; workers?: number; wait: number; reportDir?: string; json?: boolean }, cmd: Command) => {
      const def = loadPipeline(o.pipeline);
      await withRunLock(cmd, `nightly ${def.name}`, o.wait, async () => {
        const db = openFromCli(cmd);
        const interrupt = interruptOnSignals();
        try {
          const report = await runNightly(db, def, {
            tools: ffmpegFromCli(cmd),
            storeDir: audioStoreDir(cmd),
            cacheDir: cacheDir(cmd),
            today: process.env.YASR_TODAY ? new Date(process.env.YASR_TODAY) : undefined,
            workers: o.workers ?? def.workers ?? os.availableParallelism(),
            progress: terminalProgress({ quiet: globals(cmd).quiet || o.json }),
            signal: interrupt.signal,
          });
          const dir = o.reportDir ?? path.join(path.dirname(localBase(dbPath(cmd))), 'reports');
          mkdirSync(dir, { recursive: true });
          const stamp = report.startedAt.replace(/[:.]/g, '-');
          writeFileSync(path.join(dir, `nightly-${stamp}.json`), JSON.stringify(report, null, 2));
          writeFileSync(path.join(dir, `nightly-${stamp}.txt`), reportText(report));
          if (o.json) printJson(report);
          else process.stdout.write(report.nothingToDo ? `nothing to do\n${reportText(report)}` : reportText(report));
          if (!report.ok) process.exitCode = 1;
        } finally {
          interrupt.dispose();
          db.close();
        }
      });
    });
}
