/**
 * Type-as-you-go search over the catalogue: every track's artist, title and album, normalised
 * (case, accents) and held in memory; reloaded when the database changed (SQLite's
 * data_version, one cheap pragma per search). 5,000 tracks answer in well under a millisecond
 * per word.
 */
import { dataVersion, type Db } from '../store/db.js';
import { allTracks, type Track } from '../store/tracks.js';
import { countTracks } from '../store/summary.js';

function fold(s: string | null): string {
  return (s ?? '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

export interface SearchHit {
  id: number;
  artist: string | null;
  title: string | null;
  album: string | null;
  releaseDate: string | null;
  popularity: number | null;
}

interface Row {
  t: Track;
  text: string;
  artist: string;
  title: string;
}

export class SearchIndex {
  private rows: Row[] = [];
  private version = -1;
  private trackCount = -1;

  constructor(private readonly db: Db) {}

  private refresh(): void {
    const v = dataVersion(this.db);
    const n = countTracks(this.db);
    if (v === this.version && n === this.trackCount) return;
    this.version = v;
    this.trackCount = n;
    // sorted once by artist and title: a search then only sorts its hits by score (stably)
    this.rows = allTracks(this.db)
      .map((t) => ({ t, text: `${fold(t.artist)} \u0001 ${fold(t.title)} \u0001 ${fold(t.album)}`, artist: fold(t.artist), title: fold(t.title) }))
      .sort((a, b) => (a.artist < b.artist ? -1 : a.artist > b.artist ? 1 : a.title < b.title ? -1 : a.title > b.title ? 1 : a.t.id - b.t.id));
  }

  /** After this process changed tracks (its own writes do not move data_version). */
  invalidate(): void {
    this.version = -1;
  }

  get size(): number {
    this.refresh();
    return this.rows.length;
  }

  /** Tracks whose artist, title or album contain every word of `q`; prefix matches first. */
  search(q: string, limit = 20): SearchHit[] {
    this.refresh();
    const words = fold(q).split(/\s+/).filter(Boolean).slice(0, 8);
    if (!words.length) return [];
    const hits: { r: Row; score: number }[] = [];
    for (const r of this.rows) {
      if (!words.every((w) => r.text.includes(w))) continue;
      let score = 0;
      for (const w of words) {
        if (r.artist.startsWith(w) || r.title.startsWith(w)) score += 2;
        else if (r.text.includes(` ${w}`)) score += 1;
      }
      hits.push({ r, score });
    }
    hits.sort((a, b) => b.score - a.score);
    return hits.slice(0, limit).map(({ r: { t } }) => ({ id: t.id, artist: t.artist, title: t.title, album: t.album, releaseDate: t.releaseDate, popularity: t.popularity }));
  }
}
