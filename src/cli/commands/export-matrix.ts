import { writeFileSync } from 'node:fs';
import { Command } from '../commander.js';
import { openFromCli, printJson } from '../context.js';
import { addMethodOptions, methodParams, METHOD_HELP, type MethodCliOptions } from '../method-options.js';
import { denseMatrix } from '../../pipeline/similarity/dense.js';
import { writeNpy } from '../../interop/npy.js';
import { getTrack } from '../../store/tracks.js';
import { badParameter } from '../../errors.js';

export function exportMatrixCommand(): Command {
  const c = new Command('export-matrix').description('write the dense N x N matrix of a method as .npy (float32) with FILE.tracks.json');
  addMethodOptions(c)
    .requiredOption('--out <file.npy>', 'output file; the row order goes to <file>.tracks.json')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      `${METHOD_HELP}

The matrix holds similarities for cosine (diagonal 1) and distances for the other methods
(diagonal 0). dtw/fastdtw read the stored result set, so run "yasr similarity" with the same
parameters first; cosine/features/hybrid are computed now. Tracks without features are left out.

Examples:
  yasr export-matrix --method cosine --standardize none --out cosine.npy
  yasr export-matrix --method dtw --out dtw.npy
  python -c "import numpy, json; m = numpy.load('dtw.npy'); print(m.shape)"`,
    )
    .action((o: MethodCliOptions & { out: string; json?: boolean }, cmd: Command) => {
      if (!o.out.endsWith('.npy')) throw badParameter('--out', o.out, 'a file name ending in .npy');
      const db = openFromCli(cmd);
      try {
        const m = denseMatrix(db, methodParams(o));
        writeNpy(o.out, m.data, [m.n, m.n]);
        const tracksFile = o.out.replace(/\.npy$/, '.tracks.json');
        const rows = m.trackIds.map((id, i) => {
          const t = getTrack(db, id)!;
          return { row: i, id, path: t.localPath, artist: t.artist, title: t.title };
        });
        writeFileSync(tracksFile, JSON.stringify({ method: m.params.method, params: m.params, kind: m.orientation, tracks: rows }, null, 2));
        if (o.json) printJson({ out: o.out, tracks: tracksFile, n: m.n, kind: m.orientation, params: m.params });
        else process.stdout.write(`wrote ${o.out} (${m.n} x ${m.n} ${m.orientation}) and ${tracksFile}\n`);
      } finally {
        db.close();
      }
    });
  return c;
}
