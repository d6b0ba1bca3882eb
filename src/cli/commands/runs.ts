import { Command } from '../commander.js';
import { intOption, openFromCli, printJson } from '../context.js';
import { listRuns } from '../../store/runs.js';

export function runsCommand(): Command {
  return new Command('runs')
    .description('the history of nightly runs')
    .option('-n, --limit <n>', 'how many (newest first)', intOption('--limit', 1), 20)
    .option('--json', 'print as JSON, with each run\'s full report')
    .addHelpText('after', `\nExamples:\n  yasr runs\n  yasr runs -n 5 --json`)
    .action((o: { limit: number; json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const runs = listRuns(db, o.limit);
        if (o.json) return printJson(runs);
        if (!runs.length) return void process.stdout.write('no runs yet\n');
        for (const r of runs) {
          const rep = r.report as { ingest?: { added: number }; features?: { analysed: number; failed: number }; failures?: unknown[] } | null;
          const secs = r.finishedAt ? ((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1) : '-';
          process.stdout.write(
            `#${r.id}  ${r.startedAt}  ${r.status.padEnd(11)}  ${secs.padStart(7)} s  ${r.command}` +
              (rep ? `  new ${rep.ingest?.added ?? 0}, analysed ${rep.features?.analysed ?? 0}, failures ${rep.failures?.length ?? 0}` : '') + '\n',
          );
        }
      } finally {
        db.close();
      }
    });
}
