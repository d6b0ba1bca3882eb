import { Command } from '../commander.js';
import { spawn } from 'node:child_process';
import { audioStoreDir, dbPath, globals, intOption } from '../context.js';
import { ffmpegFromCli } from '../ffmpeg-option.js';
import { describeDb } from '../../store/db.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('the web UI: search, listen, see the pictures, get recommendations, upload a file, favourites and discoveries')
    .option('--port <n>', 'port (0 = any free port)', intOption('--port', 0, 65535), 8080)
    .option('--host <address>', 'address to bind; anything but loopback needs a token', '127.0.0.1')
    .option('--token <token>', 'require this token on every request (generated and printed when binding beyond loopback)')
    .option('--workers <n>', 'worker threads for recommendations and uploads', intOption('--workers', 1, 64), 2)
    .option('--max-upload-mb <n>', 'largest upload in MiB', intOption('--max-upload-mb', 1, 2048), 100)
    .option('--open', 'open the page in the default browser')
    .addHelpText(
      'after',
      `
The server binds 127.0.0.1 by default. With --host 0.0.0.0 (or any other address) every request
needs the token: open the printed URL once (it sets a cookie) or send "Authorization: Bearer T".
Only catalogue audio is ever served, by track id. JSON API under /api (README, "Serve").

Examples:
  yasr serve
  yasr serve --port 9000 --open
  yasr serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"
  curl 'http://127.0.0.1:8080/api/search?q=moth'`,
    )
    .action(async (o: { port: number; host: string; token?: string; workers: number; maxUploadMb: number; open?: boolean }, cmd: Command) => {
      const { startServer } = await import('../../server/server.js');
      const quiet = globals(cmd).quiet;
      const s = await startServer({
        dbPath: dbPath(cmd),
        host: o.host,
        port: o.port,
        token: o.token ?? null,
        tools: ffmpegFromCli(cmd),
        storeDir: audioStoreDir(cmd),
        workers: o.workers,
        maxUploadBytes: o.maxUploadMb * 1024 * 1024,
        log: quiet ? undefined : (l) => process.stderr.write(`${l}\n`),
      });
      process.stdout.write(`yasr serving ${describeDb(dbPath(cmd))} at ${s.openUrl}\n`);
      if (s.token && !o.token) process.stdout.write(`token (generated): ${s.token}\n`);
      if (o.open) {
        const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
        spawn(opener, [s.openUrl], { stdio: 'ignore', detached: true }).on('error', () => process.stderr.write(`could not open a browser: open ${s.openUrl}\n`)).unref();
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await s.close();
    });
}
