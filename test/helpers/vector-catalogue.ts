import { openDb, type Db } from '../../src/store/db.js';
import { putFeature } from '../../src/store/features.js';
import { markStage } from '../../src/store/checkpoints.js';
import { createHash } from 'node:crypto';
import { FEATURES_STAGE } from '../../src/pipeline/features-stage.js';
import { FEATURES_VERSION } from '../../src/pipeline/feature-options.js';
import type { Descriptors } from '../../src/dsp/descriptors/index.js';

export interface HandTrack {
  artist: string;
  title: string;
  v: number[];
  date?: string | null;
  pop?: number | null;
  descriptors?: Descriptors;
  path?: string;
  audioUrl?: string | null;
  duration?: number | null;
}

/**
 * An in-memory catalogue whose cosine geometry is set by hand: one timbre_summary vector per track
 * (track ids are 1, 2, ... in order), marked analysed; descriptors when given. In `file` if given
 * (a SQLite file or a postgres:// URL).
 */
export function vectorCatalogue(rows: HandTrack[], file = ':memory:'): Db {
  const db = openDb(file);
  const ins = db.prepare('INSERT INTO tracks (sha256, local_path, artist, title, release_date, popularity, audio_url, duration) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id').pluck();
  rows.forEach((r, i) => {
    const id = ins.get(shaOf(i + 1), r.path ?? `/x/${i + 1}.wav`, r.artist, r.title, r.date ?? null, r.pop ?? null, r.audioUrl ?? null, r.duration ?? null) as number;
    putFeature(db, id, 'timbre_summary', { rows: 1, cols: r.v.length, data: Float32Array.from(r.v) }, FEATURES_VERSION, 'h');
    if (r.descriptors) putFeature(db, id, 'descriptors', { rows: 1, cols: 1, data: Float32Array.from([0]) }, FEATURES_VERSION, 'h', r.descriptors);
    markStage(db, { trackId: id, stage: FEATURES_STAGE, paramsHash: 'h', inputSha: `sha${i + 1}`, status: 'done' });
  });
  return db;
}

/** The content hash the catalogue gives track `id`. */
export function shaOf(id: number): string {
  return createHash('sha256').update(`track-${id}`).digest('hex');
}

export function desc(over: Partial<Descriptors>): Descriptors {
  return {
    tempo: 120, tempoConfidence: 0.8, key: 'C', mode: 'major', keyConfidence: 0.8, loudness: -14, energy: 0.5, danceability: 0.5,
    spectralCentroid: 1500, spectralRolloff: 3000, spectralFlatness: 0.1, onsetRate: 3, dynamicRange: 6, duration: 30, ...over,
  };
}
