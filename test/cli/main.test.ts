/**
 * The command line as a person meets it: output into a closed pipe, unknown commands and
 * options, --version naming the ffmpeg in use, --db given as a URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, tempDir } from '../helpers/cli.js';

const BIN = path.join(ROOT, 'dist', 'bin', 'yasr.js');
const ENV = { ...process.env, CI: '1', YASR_FFMPEG: undefined };

function run(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: o.cwd, env: o.env ?? ENV, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run yasr with its stdout closed by the reader before anything is written. */
function runIntoClosedPipe(args: string[], cwd?: string): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.destroy();
    let stderr = '';
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

beforeAll(() => ensureBuilt());

describe('output into a closed pipe', () => {
  for (const args of [['similarity', '--help'], ['--help'], ['--version'], ['status', '--json']]) {
    it(`yasr ${args.join(' ')}: the reader closes first; quiet, status 0`, async () => {
      const dir = tempDir();
      const r = await runIntoClosedPipe(args[0] === 'status' ? ['--db', path.join(dir, 'y.db'), ...args] : args, dir);
      expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
    });
  }

  it('a shell pipeline into a reader that exits at once (`yasr ... | true`) ends with status 0 and no trace', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" similarity --help | true; echo "status=\${PIPESTATUS[0]}"`], { encoding: 'utf8', env: ENV });
    expect(r.stdout.trim()).toMatch(/^status=(0|141)$/);
    expect(r.stderr).toBe('');
  });
});

describe('unknown commands and options', () => {
  it.each([
    [['daemon', '--help'], "unknown command 'daemon'"],
    [['daemon'], "unknown command 'daemon'"],
    [['help', 'daemon'], "unknown command 'daemon'"],
    [['simlarity'], "unknown command 'simlarity' (the closest is 'similarity')"],
    [['recomend', 'x'], "unknown command 'recomend' (the closest is 'recommend')"],
  ])('yasr %j: one line naming it and the closest command, status 2', (args, text) => {
    const r = run(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(text);
    expect(r.stderr).toMatch(/closest is '[a-z-]+'/);
  });

  it('an unknown option names the closest option of that command, status 2', () => {
    const r = run(['status', '--jsn']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("yasr: unknown option '--jsn' for 'status' (the closest is '--json'); see yasr status --help");
    const root = run(['--quite', 'status']);
    expect(root.status).toBe(2);
    expect(root.stderr.trim().split('\n')).toHaveLength(1);
    expect(root.stderr).toContain("(the closest is '--quiet')");
  });

  it('a missing argument is a usage error too (status 2, one line); help itself is status 0', () => {
    const r = run(['rate', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/missing required argument/);
    expect(run(['similarity', '--help']).status).toBe(0);
    expect(run(['help', 'similarity']).status).toBe(0);
  });
});

describe('--version', () => {
  it('names yasr, Node.js and the ffmpeg in use with its version', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    const [y, n, f] = r.stdout.trim().split('\n');
    expect(y).toMatch(/^yasr \d+\.\d+\.\d+$/);
    expect(n).toBe(`node ${process.version}`);
    expect(f).toMatch(/^ffmpeg \S+.* at \/.+ffmpeg \((system|bundled fallback, outdated)\)$/);
  });

  it('without a system ffmpeg: the bundled fallback is named and warned about, with how to install a current one', () => {
    const r = run(['--version'], { env: { ...ENV, PATH: '/nonexistent' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ffmpeg \S+ \(2018\) at .*@ffmpeg-installer.* \(bundled fallback, outdated\)$/m);
    expect(r.stderr).toMatch(/^yasr: warning: no ffmpeg on the PATH: using the one bundled in @ffmpeg-installer\/ffmpeg, a 2018 build.*apt-get install -y ffmpeg/);
  });
});

describe('--db as a path or a URL', () => {
  it('postgres:// is a PostgreSQL store, not a file: one that cannot be reached is one line, the password masked', () => {
    const dir = tempDir();
    const r = run(['--db', 'postgres://me:s3cret@127.0.0.1:1/yasr', 'status'], { cwd: dir });
    expect(r.status).toBe(7);
    expect(r.stderr.trim()).toBe('yasr: cannot connect to PostgreSQL at postgres://me:***@127.0.0.1:1/yasr: connection refused (is the server running and accepting TCP connections?)');
    expect(readdirSync(dir)).toEqual([]);
    const env = run(['status'], { cwd: dir, env: { ...ENV, YASR_DB: 'mysql://h/db' } });
    expect(env.status).toBe(2);
    expect(env.stderr).toContain('MySQL is not supported yet');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('file:// and sqlite: URLs name SQLite files', () => {
    const dir = tempDir();
    expect(run(['--db', `file://${dir}/a/one.db`, 'status']).status).toBe(0);
    expect(existsSync(path.join(dir, 'a', 'one.db'))).toBe(true);
    expect(run(['--db', `sqlite://${dir}/two.db`, 'status']).status).toBe(0);
    expect(existsSync(path.join(dir, 'two.db'))).toBe(true);
    expect(run(['--db', 'sqlite:three.db', 'status'], { cwd: dir }).status).toBe(0);
    expect(existsSync(path.join(dir, 'three.db'))).toBe(true);
  });
});
