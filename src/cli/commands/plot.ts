import { writeFileSync } from 'node:fs';
import { Command } from '../commander.js';
import { intOption, openFromCli, printJson } from '../context.js';
import { ffmpegFromCli } from '../ffmpeg-option.js';
import { addMethodOptions, methodParams, type MethodCliOptions } from '../method-options.js';
import { resolveTrack } from '../../store/tracks.js';
import { parseExcerpt, parseTrim } from '../../pipeline/feature-options.js';
import { badParameter } from '../../errors.js';
import {
  MATRIX_ORDERS,
  MATRIX_PLOT_SIZE,
  renderMatrixPlot,
  renderTrackPlots,
  TRACK_PLOT_KINDS,
  TRACK_PLOT_SIZE,
  type MatrixOrder,
  type PlotFormat,
  type TrackPlotKind,
} from '../../plot/index.js';

/** The picture's format from --out's extension. */
function formatOf(out: string): PlotFormat {
  const m = /\.(png|svg)$/i.exec(out);
  if (!m) throw badParameter('--out', out, 'a file name ending in .png or .svg');
  return m[1].toLowerCase() as PlotFormat;
}

function parseOrder(v: string): MatrixOrder {
  if ((MATRIX_ORDERS as readonly string[]).includes(v)) return v as MatrixOrder;
  throw badParameter('--order', v, MATRIX_ORDERS.join(' or '));
}

function parseKind(v: string): TrackPlotKind | 'all' {
  if (v === 'all' || (TRACK_PLOT_KINDS as readonly string[]).includes(v)) return v as TrackPlotKind | 'all';
  throw badParameter('--kind', v, `${TRACK_PLOT_KINDS.join(', ')} or all`);
}

/** FILE.png -> FILE-mel.png: the name of one kind's picture with --kind all. */
export function kindFile(out: string, kind: TrackPlotKind): string {
  return out.replace(/(\.(png|svg))$/i, `-${kind}$1`);
}

export function plotCommand(): Command {
  return new Command('plot')
    .description("draw a track's waveform, trimmed excerpt, STFT, mel spectrogram, MFCC or chroma as PNG or SVG")
    .argument('<track>', "a track id, a path, or 'artist - title'")
    .requiredOption('--kind <kind>', `${TRACK_PLOT_KINDS.join(' | ')} | all`, parseKind)
    .requiredOption('--out <file>', 'FILE.png or FILE.svg (with --kind all: FILE-<kind>.png for each kind)')
    .option('--width <px>', `picture width (default ${TRACK_PLOT_SIZE.width})`, intOption('--width', 200, 8000))
    .option('--height <px>', `picture height (default ${TRACK_PLOT_SIZE.height})`, intOption('--height', 150, 8000))
    .option('--trim <mode>', "as yasr features: 'librosa' (default) or 'none'", parseTrim)
    .option('--excerpt <seconds|full>', 'as yasr features: central excerpt in seconds (default 30) or full', parseExcerpt)
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      `
Kinds (computed now from the audio with the features stage's code and parameters):
  waveform  the whole decoded track; silence cut by trimming shaded, the analysed excerpt in orange
  trimmed   the analysed signal: trimmed, then the central excerpt
  stft      power spectrogram in dB relative to its maximum (n_fft 2048, hop 512), Hz axis
  mel       128-band Slaney mel spectrogram in dB re max, axis in Hz at mel-spaced ticks
  mfcc      20 MFCCs by coefficient index
  chroma    12 pitch classes (C to B), each frame scaled to its maximum
  all       one file per kind: FILE-waveform.png, FILE-trimmed.png, ...

Examples:
  yasr plot 12 --kind mel --out mel.png
  yasr plot 'Copper Moth - C major study no. 3' --kind waveform --out wave.svg
  yasr plot 12 --kind all --out track12.png          # track12-waveform.png ... track12-chroma.png
  yasr plot 12 --kind stft --excerpt full --width 1600 --out stft.png`,
    )
    .action(
      async (
        ref: string,
        o: { kind: TrackPlotKind | 'all'; out: string; width?: number; height?: number; trim?: 'librosa' | 'none'; excerpt?: number | 'full'; json?: boolean },
        cmd: Command,
      ) => {
        const format = formatOf(o.out);
        const kinds: readonly TrackPlotKind[] = o.kind === 'all' ? TRACK_PLOT_KINDS : [o.kind];
        const db = openFromCli(cmd);
        try {
          const t = resolveTrack(db, ref);
          const tools = ffmpegFromCli(cmd);
          const pictures = await renderTrackPlots(db, t.id, kinds, {
            format,
            width: o.width,
            height: o.height,
            tools,
            features: { trim: o.trim, excerpt: o.excerpt },
          });
          const written: { kind: TrackPlotKind; out: string; bytes: number }[] = [];
          for (const [kind, bytes] of pictures) {
            const file = o.kind === 'all' ? kindFile(o.out, kind) : o.out;
            writeFileSync(file, bytes);
            written.push({ kind, out: file, bytes: bytes.length });
          }
          if (o.json) printJson({ track: t.id, format, files: written });
          else for (const w of written) process.stdout.write(`wrote ${w.out} (${w.kind}) for track #${t.id}\n`);
        } finally {
          db.close();
        }
      },
    );
}

export function plotMatrixCommand(): Command {
  const c = new Command('plot-matrix').description("draw a method's similarity matrix as a heat map (PNG or SVG), rows grouped by album or by clustering");
  addMethodOptions(c)
    .requiredOption('--out <file>', 'FILE.png or FILE.svg')
    .option('--order <order>', `${MATRIX_ORDERS.join(' | ')}: rows grouped by album, or by average-linkage clustering`, parseOrder, 'album')
    .option('--width <px>', `picture width (default ${MATRIX_PLOT_SIZE.width})`, intOption('--width', 300, 8000))
    .option('--height <px>', `picture height (default ${MATRIX_PLOT_SIZE.height})`, intOption('--height', 200, 8000))
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      `
The closest pairs are always the bright (yellow) end of the colour map: cosine is a similarity
(the diagonal is 1), the other methods are distances drawn with the map reversed (the diagonal
is 0). dtw/fastdtw read the stored result set ("yasr similarity" with the same parameters
first); cosine/features/hybrid/timbre are computed now. Up to 60 tracks the SVG's cells name
their pair when pointed at.

Examples:
  yasr plot-matrix --method cosine --out cosine.png
  yasr plot-matrix --method hybrid --order cluster --out hybrid.svg
  yasr plot-matrix --method dtw --pool 8 --band 0.1 --out dtw.png --width 1400 --height 1212`,
    )
    .action((o: MethodCliOptions & { out: string; order: MatrixOrder; width?: number; height?: number; json?: boolean }, cmd: Command) => {
      const format = formatOf(o.out);
      const db = openFromCli(cmd);
      try {
        const bytes = renderMatrixPlot(db, { ...methodParams(o), order: o.order, format, width: o.width, height: o.height });
        writeFileSync(o.out, bytes);
        if (o.json) printJson({ out: o.out, method: o.method, order: o.order, format, bytes: bytes.length });
        else process.stdout.write(`wrote ${o.out} (${o.method}, ordered by ${o.order})\n`);
      } finally {
        db.close();
      }
    });
  return c;
}
