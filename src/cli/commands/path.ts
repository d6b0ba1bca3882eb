import { renameSync, writeFileSync } from 'node:fs';
import { Command } from '../commander.js';
import { intOption, openFromCli, printJson } from '../context.js';
import { addMethodOptions, methodParams, type MethodCliOptions } from '../method-options.js';
import { m3u, pathBetween, type PathResult } from '../../pipeline/playlist.js';
import { resolveTrack } from '../../store/tracks.js';
import { YasrError } from '../../errors.js';

function render(r: PathResult): string {
  const lines = r.steps.map((s) => {
    const score = s.score === null ? '' : `  (${r.scoreKind} ${s.score.toFixed(3)} to the one before)`;
    return `${String(s.step).padStart(3)}. #${s.trackId} ${s.artist ?? '?'} - ${s.title ?? '?'}${score}`;
  });
  return `Path by ${r.method} in ${r.steps.length - 1} steps:\n${lines.join('\n')}\n`;
}

export function pathCommand(): Command {
  const c = new Command('path')
    .description('a path from one track to another through the catalogue, each step close to the last')
    .argument('<from>', "the first track (id, path or 'artist - title')")
    .argument('<to>', 'the last track');
  addMethodOptions(c, 'cosine')
    .option('--steps <n>', 'steps from the first track to the last (n + 1 tracks)', intOption('--steps', 1, 1000), 8)
    .option('--m3u <file>', 'also write the path as an M3U playlist')
    .option('--urls', "with --m3u: prefer the catalogue's audio URLs to local files")
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `
Step i aims at the point i/N of the way from the first track to the last in the method's space
and takes the nearest track not used yet (for cosine and features exactly the nearest to that
point; see src/pipeline/playlist.ts). Methods: cosine (default), features, timbre, hybrid
(dtw/fastdtw keep only top-k lists and cannot interpolate).

Examples:
  yasr path 'Glass Harbour - A minor study no. 1' 'Square Pilots - E major study no. 2' --steps 6
  yasr path 3 28 --steps 10 --m3u journey.m3u
  yasr path 3 28 --method hybrid --json`,
    )
    .action((from: string, to: string, o: MethodCliOptions & { steps: number; m3u?: string; urls?: boolean; json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const r = pathBetween(db, resolveTrack(db, from).id, resolveTrack(db, to).id, o.steps, methodParams(o));
        if (o.m3u) {
          const tmp = `${o.m3u}.tmp-${process.pid}`;
          try {
            writeFileSync(tmp, m3u(r.steps, { urls: o.urls, title: `yasr path by ${r.method}` }));
            renameSync(tmp, o.m3u);
          } catch (err) {
            throw new YasrError('BAD_PARAMETER', `--m3u ${o.m3u}: cannot write (${(err as Error).message})`);
          }
        }
        if (o.json) printJson(r);
        else process.stdout.write(render(r));
      } finally {
        db.close();
      }
    });
  return c;
}
