import os from 'node:os';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * The code measured: "commit abc1234" (with ", source changed since" when files other than
 * markdown (README.md, benchmarks/RESULTS.md and the reports benchmarks write) differ from that
 * commit), or "commit unknown" without git.
 */
export function codeLine(cwd: string): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return 'commit unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!*.md'], { cwd, encoding: 'utf8' });
  return `commit ${head.stdout.trim()}${dirty.stdout.trim() ? ', source changed since' : ''}`;
}

/** One line naming this machine, for benchmark reports. */
export function machineLine(): string {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    /* not Linux */
  }
  return `${cpu}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
