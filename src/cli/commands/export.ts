import { Command } from '../commander.js';
import { openFromCli, printJson } from '../context.js';
import { resolveTrack } from '../../store/tracks.js';
import { getFeature, listFeatureNames } from '../../store/features.js';
import { writeNpy } from '../../interop/npy.js';
import { YasrError } from '../../errors.js';

export function exportCommand(): Command {
  return new Command('export')
    .description("write a stored feature matrix as a NumPy .npy file (float32, librosa's [n_features, n_frames])")
    .argument('<track>', "a track id, a path, or 'artist - title'")
    .requiredOption('--feature <name>', 'stft_mag, mel_db, mel_power, mfcc, chroma, rms, centroid, zcr, *_summary, descriptors')
    .requiredOption('--out <file.npy>', 'output file')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      `
stft_mag and mel_power exist only when features ran with --keep stft,mel.

Examples:
  yasr export 12 --feature mfcc --out track12.mfcc.npy
  yasr export 'Some Artist - Some Title' --feature mel_db --out mel.npy
  python -c "import numpy; print(numpy.load('mel.npy').shape)"`,
    )
    .action((ref: string, o: { feature: string; out: string; json?: boolean }, cmd: Command) => {
      const db = openFromCli(cmd);
      try {
        const t = resolveTrack(db, ref);
        const f = getFeature(db, t.id, o.feature);
        if (!f) {
          const have = listFeatureNames(db, t.id);
          throw new YasrError(
            'NOT_FOUND',
            `track #${t.id} has no feature "${o.feature}"; stored: ${have.length ? have.join(', ') : 'none (run yasr features)'}`,
          );
        }
        writeNpy(o.out, f.data, [f.rows, f.cols]);
        if (o.json) printJson({ track: t.id, feature: o.feature, shape: [f.rows, f.cols], out: o.out });
        else process.stdout.write(`wrote ${o.out} (${f.rows} x ${f.cols}) for track #${t.id}\n`);
      } finally {
        db.close();
      }
    });
}
