import { describe, expect, it } from 'vitest';
import * as yasr from '../src/index.js';

describe('the library API (src/index.ts)', () => {
  it('exports the pipeline the CLI and the server call', () => {
    for (const name of ['openDb', 'ingest', 'runFeatures', 'runSimilarity', 'recommend', 'discover', 'like', 'likes', 'trackView', 'listCatalogue', 'startServer', 'runNightly', 'YasrError']) {
      expect(typeof (yasr as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('works on a fresh in-memory database', () => {
    const db = yasr.openDb(':memory:');
    expect(yasr.catalogueStatus(db)).toEqual({ tracks: 0, analysed: 0, favourites: 0, similaritySets: [] });
    expect(() => yasr.discover(db, { since: '2026-11-01', k: 5, perArtist: 1, maxPopularity: 70, method: { method: 'cosine' } })).toThrow(/yasr like/);
    expect(yasr.audiencePopularity(100_000)).toBe(71);
    db.close();
  });
});
