/**
 * File extensions (lower case, no dot) treated as audio when picking a downloader's output or
 * naming a downloaded file from its URL. ffmpeg decides in the end; this only filters out
 * thumbnails, subtitles, info JSON and partial files.
 */
export const AUDIO_FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  'mp3', 'm4a', 'mp4', 'aac', 'flac', 'wav', 'wave', 'ogg', 'oga', 'opus', 'webm', 'weba', 'mka', 'wma',
  'aif', 'aiff', 'alac', 'ape', 'wv', 'mpc', 'spx', 'amr', 'caf', 'ac3', 'mp2', 'dts',
]);

/**
 * What `yasr ingest FOLDER` takes: the audio endings plus the video containers that often
 * carry music (their audio track is analysed; a file with no audio stream fails with that
 * reason).
 */
export const FOLDER_EXTENSIONS: ReadonlySet<string> = new Set([...AUDIO_FILE_EXTENSIONS, 'mkv', 'mov', 'avi']);
