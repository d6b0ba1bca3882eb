import { mkdirSync, existsSync, writeFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { synthTrack, PITCH_CLASSES, type Timbre } from './synth.js';
import { writeWav } from '../interop/wav-write.js';

export interface DemoArtist {
  name: string;
  timbre: Timbre;
  bpm: number;
  popularity: number;
  mode: 'major' | 'minor';
  drums: number;
}

/** Six artists with a signature sound each; two of them are "popular" (above 70). */
export const DEMO_ARTISTS: DemoArtist[] = [
  { name: 'Glass Harbour', timbre: 'pad', bpm: 72, popularity: 35, mode: 'minor', drums: 0.2 },
  { name: 'Brass Lantern', timbre: 'brass', bpm: 128, popularity: 82, mode: 'major', drums: 0.8 },
  { name: 'Copper Moth', timbre: 'pluck', bpm: 96, popularity: 18, mode: 'major', drums: 0.5 },
  { name: 'Night Organ Club', timbre: 'organ', bpm: 110, popularity: 55, mode: 'minor', drums: 0.6 },
  { name: 'Square Pilots', timbre: 'square', bpm: 140, popularity: 91, mode: 'major', drums: 0.9 },
  { name: 'Sine Cartographers', timbre: 'sine', bpm: 84, popularity: 9, mode: 'minor', drums: 0.4 },
];

const FORMATS = ['ogg', 'mp3', 'flac', 'wav'] as const;

/**
 * Write the demo catalogue (WAV synthesised in TypeScript, re-encoded by ffmpeg into a mix of
 * formats) and its manifest. Returns the manifest path. Existing files are kept.
 */
export function buildDemoCatalogue(dir: string, ffmpeg: string, opts: { perArtist?: number; seconds?: number } = {}): string {
  const perArtist = opts.perArtist ?? 6;
  const seconds = opts.seconds ?? 20;
  mkdirSync(dir, { recursive: true });
  const rows = ['path,artist,title,album,release_date,popularity'];
  let n = 0;
  for (const [a, artist] of DEMO_ARTISTS.entries()) {
    for (let k = 0; k < perArtist; k++) {
      const key = (a * 5 + k * 7) % 12;
      const bpm = Math.round(artist.bpm * (1 + ((k % 3) - 1) * 0.04));
      const fmt = FORMATS[n % FORMATS.length];
      const title = `${PITCH_CLASSES[key]} ${artist.mode} study no. ${k + 1}`;
      const file = path.join(dir, `${String(n + 1).padStart(2, '0')} ${artist.name} - ${title}.${fmt}`);
      if (!existsSync(file)) {
        const y = synthTrack({ seconds, bpm, key, mode: artist.mode, timbre: artist.timbre, drums: artist.drums, seed: n + 1 });
        // A second of silence at each end, so that trimming has something to do.
        const padded = new Float32Array(y.length + 2 * 22050);
        padded.set(y, 22050);
        const wav = fmt === 'wav' ? file : `${file}.tmp.wav`;
        writeWav(wav, padded, 22050);
        if (fmt !== 'wav') {
          const codec = fmt === 'ogg' ? ['-c:a', 'libvorbis', '-q:a', '4'] : fmt === 'mp3' ? ['-c:a', 'libmp3lame', '-b:a', '128k'] : ['-c:a', 'flac'];
          const r = spawnSync(ffmpeg, ['-nostdin', '-loglevel', 'error', '-y', '-i', wav, ...codec, file]);
          unlinkSync(wav);
          if (r.status !== 0) throw new Error(`ffmpeg could not encode ${file}: ${String(r.stderr).trim()}`);
        }
      }
      const month = String(1 + ((n * 5) % 12)).padStart(2, '0');
      const day = String(1 + ((n * 11) % 28)).padStart(2, '0');
      rows.push([csv(file), csv(artist.name), csv(title), csv(`${artist.name} demos`), `2026-${month}-${day}`, artist.popularity].join(','));
      n++;
    }
  }
  const manifest = path.join(dir, 'manifest.csv');
  writeFileSync(manifest, rows.join('\n') + '\n');
  return manifest;
}

function csv(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
