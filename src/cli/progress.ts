import cliProgress from 'cli-progress';
import type { ProgressSink } from '../pipeline/progress-events.js';

/**
 * A progress sink for the terminal: a bar with rate and ETA when stderr is a TTY, otherwise
 * plain lines (every item that failed, and a line at most every few seconds for the rest).
 * Everything goes to stderr so that --json output on stdout stays clean.
 */
export function terminalProgress(opts: { quiet?: boolean } = {}): ProgressSink {
  if (opts.quiet) return { start() {}, tick() {}, stop() {} };
  const tty = !!process.stderr.isTTY && !process.env.CI;
  let bar: cliProgress.SingleBar | null = null;
  let total = 0;
  let done = 0;
  let failed = 0;
  let label = '';
  let started = 0;
  let lastLine = 0;
  const failures: string[] = [];
  return {
    start(n, l) {
      total = n;
      label = l;
      done = 0;
      failed = 0;
      started = Date.now();
      lastLine = 0;
      if (n === 0) return;
      if (tty) {
        bar = new cliProgress.SingleBar(
          {
            format: `${l.padEnd(10)} [{bar}] {value}/{total} {percentage}% | {rate}/s | ETA {eta_formatted} | {failed} failed`,
            stream: process.stderr,
            hideCursor: true,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(n, 0, { rate: '0.0', failed: 0 });
      } else {
        process.stderr.write(`${l}: ${n} to do\n`);
      }
    },
    tick(message, ok) {
      done++;
      if (!ok) {
        failed++;
        failures.push(message);
      }
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      if (bar) {
        bar.update(done, { rate: rate.toFixed(1), failed });
        return;
      }
      const now = Date.now();
      if (!ok) process.stderr.write(`${label}: failed ${message}\n`);
      if (now - lastLine > 2000 || done === total) {
        lastLine = now;
        const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
        process.stderr.write(`${label}: ${done}/${total} (${rate.toFixed(1)}/s, ETA ${eta}s, ${failed} failed)\n`);
      }
    },
    stop() {
      if (bar) {
        bar.stop();
        bar = null;
        for (const f of failures.slice(0, 20)) process.stderr.write(`  failed: ${f}\n`);
        if (failures.length > 20) process.stderr.write(`  ... and ${failures.length - 20} more (yasr status)\n`);
      }
      failures.length = 0;
    },
  };
}
