import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import path from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { openDb, type Db } from '../../src/store/db.js';
import { upsertTrack, getTrack, type Track } from '../../src/store/tracks.js';
import { putFeature } from '../../src/store/features.js';
import { markStage } from '../../src/store/checkpoints.js';
import { FEATURES_STAGE } from '../../src/pipeline/features-stage.js';
import { FEATURES_VERSION } from '../../src/pipeline/feature-options.js';
import { denseMatrix, type DenseMatrix } from '../../src/pipeline/similarity/dense.js';
import { colourMap, matrixFigure, renderMatrixPlot, svgToPng } from '../../src/plot/index.js';
import { averageLinkageOrder } from '../../src/plot/cluster-order.js';
import { checkWellFormedXml, decodePng, lutPosition, pixel } from './png-decode.js';

/**
 * `yasr plot-matrix`: nine tracks in three albums whose MFCC summaries form three clusters;
 * the heat map's diagonal is the most-similar colour and rows group by album or cluster.
 */
describe('matrix plot', () => {
  const dir = tempDir('yasr-plot-matrix-');
  let db: Db;
  let tracks: Track[];

  beforeAll(() => {
    db = openDb(path.join(dir, 'm.db'));
    // albums listed out of order; each album's vectors point one way, plus a little spread
    const albums = ['Zeta', 'Alpha', 'Mid'];
    for (let i = 0; i < 9; i++) {
      const a = i % 3;
      const v = new Float32Array(6);
      v[a] = 1;
      v[(a + 1) % 3] = 0.1 * (i + 1);
      v[3 + a] = 0.3;
      const { id } = upsertTrack(db, {
        source: `/x/${i}.wav`, kind: 'file', sha256: `sha${i}`, localPath: `/x/${i}.wav`, size: 1, duration: 30,
        meta: { artist: `Artist ${a}`, title: i === 4 ? '<script>alert(1)</script>' : `Song ${i}`, album: albums[a] },
      });
      putFeature(db, id, 'timbre_summary', { rows: 1, cols: v.length, data: v }, FEATURES_VERSION, 'h');
      markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: 'h', inputSha: `sha${i}`, status: 'done' });
    }
    tracks = [];
    for (let i = 1; i <= 9; i++) tracks.push(getTrack(db, i)!);
  });
  afterAll(() => db?.close());

  const top = colourMap('viridis').at(1);

  it('colours the diagonal with the most-similar colour (cosine), rows grouped by album', () => {
    const m = denseMatrix(db, { method: 'cosine', standardize: 'none', windows: 'none' });
    const fig = matrixFigure(m, tracks, { order: 'album' });
    const albumsInOrder = fig.order.map((k) => tracks[k].album);
    expect(albumsInOrder).toEqual(['Alpha', 'Alpha', 'Alpha', 'Mid', 'Mid', 'Mid', 'Zeta', 'Zeta', 'Zeta']);
    const img = decodePng(svgToPng(fig.svg));
    const lut = colourMap('viridis').lut;
    for (let i = 0; i < m.n; i++) {
      const c = pixel(img, fig.x.toPixel(i), fig.y.toPixel(i));
      expect(Math.max(...c.map((v, k) => Math.abs(v - top[k])))).toBeLessThanOrEqual(3);
      // and no cell in its row is more similar
      for (let j = 0; j < m.n; j++) expect(lutPosition(lut, pixel(img, fig.x.toPixel(j), fig.y.toPixel(i)))).toBeLessThanOrEqual(lutPosition(lut, c));
    }
    expect(fig.svg).toContain('>Alpha</text>');
    expect(fig.svg).toContain('cosine similarity (higher = closer)');
  });

  it('orders rows by clustering so that each album is contiguous', () => {
    const fig = matrixFigure(denseMatrix(db, { method: 'cosine', standardize: 'none', windows: 'none' }), tracks, { order: 'cluster' });
    const seq = fig.order.map((k) => tracks[k].album);
    const runs = seq.filter((a, i) => i === 0 || a !== seq[i - 1]);
    expect(runs).toHaveLength(3);
    expect(averageLinkageOrder([0, 1, 9, 9, 1, 0, 9, 9, 9, 9, 0, 1, 9, 9, 1, 0], 4)).toEqual([0, 1, 2, 3]);
    expect(averageLinkageOrder([0, 9, 1, 9, 9, 0, 9, 1, 1, 9, 0, 9, 9, 1, 9, 0], 4)).toEqual([0, 2, 1, 3]);
  });

  it('reverses the map for distances so that the zero diagonal is still the most-similar colour; large matrices are rasters', () => {
    const n = 80;
    const data = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = i === j ? 0 : 1 + ((i * 7 + j * 13) % 10) / 10 + (Math.floor(i / 20) === Math.floor(j / 20) ? 0 : 2);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) data[i * n + j] = data[j * n + i];
    const fake = (i: number): Track => ({ ...tracks[0], id: 100 + i, album: `Album ${Math.floor(i / 20)}`, title: `T${i}` });
    const m: DenseMatrix = { n, data, trackIds: Array.from({ length: n }, (_, i) => 100 + i), orientation: 'distance', params: { method: 'dtw' } };
    const fig = matrixFigure(m, Array.from({ length: n }, (_, i) => fake(i)), { order: 'cluster', width: 900, height: 812 });
    expect(fig.svg).toContain('data:image/png;base64,');
    expect(fig.svg).toContain('dtw distance (lower = closer)');
    const img = decodePng(svgToPng(fig.svg));
    for (let i = 0; i < n; i += 7) {
      const c = pixel(img, Math.floor(fig.x.toPixel(i)), Math.floor(fig.y.toPixel(i)));
      expect(Math.max(...c.map((v, k) => Math.abs(v - top[k])))).toBeLessThanOrEqual(3);
    }
  });

  it('writes well-formed SVG whose cells and labels are escaped, and PNG through the API', () => {
    const svg = renderMatrixPlot(db, { method: 'cosine', windows: 'none', order: 'cluster', format: 'svg' }).toString('utf8');
    checkWellFormedXml(svg);
    expect(svg).toContain('Artist 1 - &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).not.toContain('<script');
    const p = decodePng(renderMatrixPlot(db, { method: 'cosine', windows: 'none', order: 'album', format: 'png', width: 600, height: 500 }));
    expect([p.width, p.height]).toEqual([600, 500]);
  });
});
