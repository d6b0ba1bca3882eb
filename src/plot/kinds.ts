/** The pictures of a track (a module of its own, so the server can name them without loading the DSP). */
export const TRACK_PLOT_KINDS = ['waveform', 'trimmed', 'stft', 'mel', 'mfcc', 'chroma'] as const;
export type TrackPlotKind = (typeof TRACK_PLOT_KINDS)[number];
