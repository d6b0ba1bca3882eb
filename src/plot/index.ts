/**
 * Pictures of tracks and of similarity matrices, for `yasr plot`, `yasr plot-matrix` and the
 * web server: SVG built here, PNG rasterised with resvg.
 */
export {
  renderTrackPlot,
  renderTrackPlots,
  trackFigure,
  parseTrackPlotKind,
  TRACK_PLOT_KINDS,
  TRACK_PLOT_SIZE,
  type TrackPlotKind,
  type TrackPlotOptions,
  type PlotFormat,
} from './track-plots.js';
export { loadTrackAudio, plotFeatureOptions, type TrackAudio } from './track-audio.js';
export { renderMatrixPlot, matrixFigure, parseMatrixOrder, MATRIX_ORDERS, MATRIX_PLOT_SIZE, type MatrixOrder, type MatrixPlotOptions } from './matrix-plot.js';
export { svgToPng, plotFontFile } from './rasterise.js';
export { colourMap, COLOUR_MAP_NAMES, type ColourMap, type ColourMapName } from './colour-maps.js';
export type { Figure } from './figure.js';
