import { Command } from '../commander.js';
import { openFromCli, printJson } from '../context.js';
import { resolveTrack, trackDetails } from '../../store/tracks.js';
import { likedIds } from '../../store/likes.js';

export function showCommand(): Command {
  return new Command('show')
    .description("one track's metadata: sources, service ids and links, ISRC, licence, cover, preview or whole track, popularity")
    .argument('<track>', "a track id, a path, a source (e.g. deezer:track/3135556) or 'artist - title'")
    .option('--json', 'print as JSON')
    .addHelpText('after', `\nExamples:\n  yasr show 12\n  yasr show deezer:track/3135556 --json`)
    .action((ref: string, o: { json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const d = trackDetails(db, resolveTrack(db, ref).id)!;
        const favourite = likedIds(db).has(d.id);
        if (o.json) {
          printJson({ ...d, favourite });
          return;
        }
        const line = (k: string, v: unknown) => {
          if (v !== null && v !== undefined && v !== '') process.stdout.write(`${k.padEnd(13)}${String(v)}\n`);
        };
        line('track', `#${d.id}${favourite ? ' (favourite)' : ''}`);
        line('artist', d.artist);
        line('title', d.title);
        line('album', d.album);
        line('released', d.releaseDate);
        line('popularity', d.popularity);
        line('length', d.statedDuration !== null ? `${d.statedDuration.toFixed(0)} s${d.isPreview ? ` (audio: ${d.duration?.toFixed(0) ?? '?'} s preview)` : ''}` : d.duration?.toFixed(1));
        line('isrc', d.isrc);
        line('licence', d.licence);
        line('link', d.link);
        line('cover', d.coverUrl);
        line('audio', d.localPath);
        for (const s of d.sources) line('source', `${s.source}${s.meta && typeof s.meta === 'object' && 'popularityBasis' in s.meta && s.meta.popularityBasis ? ` (${String(s.meta.popularityBasis)})` : ''}`);
      } finally {
        db.close();
      }
    });
}
