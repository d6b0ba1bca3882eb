import { spawn, spawnSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export { REFERENCE, HAVE_REFERENCE } from './reference.js';
const BIN = path.join(ROOT, 'dist', 'bin', 'yasr.js');

/** Build dist/ once if it is missing (npm test builds first anyway). */
export function ensureBuilt(): void {
  if (!existsSync(BIN)) execSync('npx tsc -p .', { cwd: ROOT, stdio: 'inherit' });
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the compiled CLI with a database in `db`. */
export function yasr(db: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 600_000): CliResult {
  ensureBuilt();
  const r = spawnSync(process.execPath, [BIN, '--db', db, '--quiet', ...args], {
    env: { ...process.env, CI: '1', ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function yasrJson<T = any>(db: string, args: string[], env: Record<string, string | undefined> = {}): T {
  const r = yasr(db, [...args, '--json'], env);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`yasr ${args.join(' ')} exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  }
}

/** A new temporary folder (inside the run's own, which test/global-setup.ts removes at the end). */
export function tempDir(prefix = 'yasr-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** ffmpeg for making test audio (system, else the bundled one). */
export function ffmpegBin(): string {
  const r = spawnSync('ffmpeg', ['-version']);
  if (r.status === 0) return 'ffmpeg';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

export function ffmpeg(args: string[]): void {
  const r = spawnSync(ffmpegBin(), ['-nostdin', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
}

/**
 * Run the compiled CLI without blocking this process's event loop (a test that serves HTTP
 * replies from this process needs it to answer while the CLI runs).
 */
export function yasrAsync(db: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 600_000): Promise<CliResult> {
  ensureBuilt();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--db', db, '--quiet', ...args], { env: { ...process.env, CI: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export async function yasrJsonAsync<T = any>(db: string, args: string[], env: Record<string, string | undefined> = {}): Promise<T> {
  const r = await yasrAsync(db, [...args, '--json'], env);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`yasr ${args.join(' ')} exited ${r.status}: ${r.stderr}\n${r.stdout}`);
  }
}
