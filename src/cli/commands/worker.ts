import { Command } from '../commander.js';
import { globals, interruptOnSignals, intOption, numberOption, openFromCli, printJson } from '../context.js';
import { ffmpegFromCli } from '../ffmpeg-option.js';
import { runWorker, type WorkerSummary, type WorkerTaskEvent } from '../../pipeline/worker/run-worker.js';
import { DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS, workerOwner } from '../../pipeline/worker/job.js';

interface WorkerCliOptions {
  concurrency: number;
  exitWhenIdle?: boolean;
  lease: number;
  maxAttempts: number;
  job?: string;
  json?: boolean;
}

export function workerCommand(): Command {
  return new Command('worker')
    .description("take tasks (features, similarity blocks) from the database's queue and run them until stopped")
    .option('--concurrency <n>', 'worker threads (a block each; two tracks each, so that ffmpeg decodes one while the other is analysed)', intOption('--concurrency', 1, 256), 1)
    .option('--exit-when-idle', 'exit once no task is pending or running (else wait for more until SIGINT/SIGTERM)')
    .option('--lease <seconds>', 'lease on a claimed task, renewed every third of it while the task runs', numberOption('--lease', 0.1, 86400), DEFAULT_LEASE_MS / 1000)
    .option('--max-attempts <n>', 'claims of a task whose holders keep dying before it is failed', intOption('--max-attempts', 1, 1000), DEFAULT_MAX_ATTEMPTS)
    .option('--job <id>', 'take only the tasks of this job')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Runs share work through the database: 'yasr features --queue' and 'yasr similarity --method
dtw|fastdtw --queue' (always on PostgreSQL) enqueue their pending tracks or blocks as tasks and
take part themselves until each is done or failed; any number of 'yasr worker' processes on the
same database, on this machine or others, take tasks too. A claimed task is leased: the worker
renews the lease while it runs, and stores the results together with the task's completion (so
a task is done only once its results are stored). A worker that dies loses its leases when they
expire (--lease); another worker then claims the task, at most --max-attempts times. Results
are the same as a single-process run's. SIGINT/SIGTERM: the worker stops taking tasks, gives
back the ones it holds and prints its summary.

Audio reaches workers by path: a features task reads the track's stored local_path, which must
be readable where the worker runs (the same path on a shared file system). Features tasks decode
with this worker's ffmpeg (--ffmpeg, YASR_FFMPEG).

Progress goes to stderr, one line per task; the summary (tasks done and failed per kind) to
stdout. Exit status 1 when a task failed here.

Examples:
  yasr worker --db /shared/yasr.db --concurrency 2      # on each machine, until stopped
  yasr features --db /shared/yasr.db --queue            # enqueue the pending tracks, take part
  yasr similarity --db /shared/yasr.db --method dtw --queue
  yasr worker --db data/yasr.db --exit-when-idle --json
  yasr worker --db data/yasr.db --lease 30 --max-attempts 5`,
    )
    .action(async (o: WorkerCliOptions, cmd: Command) => {
      const quiet = !!globals(cmd).quiet;
      const db = openFromCli(cmd);
      const interrupt = interruptOnSignals();
      const owner = workerOwner();
      try {
        const leaseMs = Math.round(o.lease * 1000);
        if (!quiet) process.stderr.write(`worker ${owner}: taking tasks${o.job ? ` of job ${o.job}` : ''} (concurrency ${o.concurrency}, lease ${o.lease} s)\n`);
        const s = await runWorker(db, {
          owner,
          concurrency: o.concurrency,
          leaseMs,
          exitWhenIdle: !!o.exitWhenIdle,
          job: o.job,
          maxAttempts: o.maxAttempts,
          signal: interrupt.signal,
          ffmpeg: () => ffmpegFromCli(cmd).ffmpeg,
          progress: quiet ? undefined : { task: (e) => process.stderr.write(`${taskLine(e)}\n`) },
        });
        if (o.json) printJson(s);
        else process.stdout.write(`${summaryLine(s)}\n`);
        if (s.failed > 0) process.exitCode = 1;
      } finally {
        interrupt.dispose();
        db.close();
      }
    });
}

function taskLine(e: WorkerTaskEvent): string {
  const attempt = e.attempt > 1 ? `, attempt ${e.attempt}` : '';
  const tail = e.outcome === 'failed' ? `: ${e.error}` : e.outcome === 'lost' ? ' (lease taken over by another worker; nothing stored)' : '';
  return `${e.kind} ${e.what}: ${e.outcome} in ${e.seconds.toFixed(1)} s${attempt}${tail}`;
}

/** "5 tasks done (features 3, sim-block 2), 1 failed (features 1), ..." */
export function summaryLine(s: WorkerSummary): string {
  const per = (pick: 'done' | 'failed') => {
    const parts = Object.entries(s.tasks).flatMap(([k, c]) => (c && c[pick] > 0 ? [`${k} ${c[pick]}`] : []));
    return parts.length ? ` (${parts.join(', ')})` : '';
  };
  return (
    `${s.done} task(s) done${per('done')}, ${s.failed} failed${per('failed')}` +
    (s.lost ? `, ${s.lost} lost to other workers` : '') +
    (s.interrupted ? `, stopped (${s.released} lease(s) given back)` : '') +
    ` (${s.seconds.toFixed(1)} s)`
  );
}
