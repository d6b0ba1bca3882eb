import { Command } from '../commander.js';
import { openFromCli, printJson, dbPath, globals } from '../context.js';
import { warnAboutFfmpeg } from '../ffmpeg-option.js';
import { ffmpegInUse } from '../../audio/ffmpeg.js';
import { errorLine } from '../../errors.js';
import { pipelineStatus } from '../../pipeline/status.js';
import { describeDb } from '../../store/db.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('counts per stage and failures with their reasons')
    .option('--json', 'print as JSON')
    .addHelpText('after', `\nExamples:\n  yasr status\n  yasr --db other.db status --json`)
    .action((o: { json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const st = pipelineStatus(db);
        const used = ffmpegInUse(globals(cmd).ffmpeg);
        const { tools } = used;
        warnAboutFfmpeg(tools);
        const ffmpeg = tools ? { path: tools.ffmpeg, version: tools.version, origin: tools.origin, ffprobe: tools.ffprobe, warning: tools.warning ?? null } : { error: errorLine(used.error) };
        const out = { db: describeDb(dbPath(cmd)), ffmpeg, ...st };
        const { tracks, stages, pendingFeaturesWithDefaults: pending, failures, ingestFailures } = st;
        if (o.json) return printJson(out);
        const w = process.stdout;
        w.write(`database: ${out.db}\n${used.line}\ntracks: ${tracks}\n`);
        for (const s of stages) w.write(`stage ${s.stage}: ${s.done} done, ${s.failed} failed\n`);
        w.write(`features pending with default options: ${pending}\n`);
        for (const s of out.similarity) {
          const when = s.finishedAt ? `, k ${s.k}, updated ${s.finishedAt.slice(0, 19).replace('T', ' ')} UTC` : ', not finished yet';
          const blocks = s.blocks
            ? `; ${s.members} members, ${s.blocks.done} of ${s.blocks.planned} blocks`
            : s.pairs !== null
              ? `; ${s.members} members, ${s.pairs} pair distances stored`
              : '';
          const old = s.outdated ? ' (outdated: not what these parameters mean today, so nothing reads it; yasr similarity makes the current set)' : '';
          w.write(`similarity ${s.method} ${JSON.stringify(s.params)}: ${s.tracks} tracks with neighbours${when}${blocks}${old}\n`);
        }
        const q = st.queue;
        if (q.pending + q.running + q.done + q.failed > 0) {
          w.write(`task queue: ${q.pending} pending, ${q.running} running, ${q.done} done, ${q.failed} failed\n`);
        }
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
