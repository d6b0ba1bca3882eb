/**
 * Readers for the evaluation corpus files written by benchmarks/corpus/build.sh:
 * manifest.csv (path,artist,title,album,release_date,popularity) and
 * variants.csv (path,original_path,kind).
 */
import { readFileSync } from 'node:fs';
import { YasrError } from '../errors.js';
import { parseCsv } from '../util/csv.js';

/**
 * Records as objects keyed by the header row (src/util/csv.ts, strictly: text after a closing
 * quote is an error); every record must have the header's width.
 *
 * @throws YasrError BAD_INPUT naming the line: a syntax error, a record of another width, an
 *   empty file or a missing required column
 */
export function parseCsvObjects(text: string, required: readonly string[] = []): Record<string, string>[] {
  const { records, errors } = parseCsv(text, { strict: true });
  if (errors.length) throw new YasrError('BAD_INPUT', `CSV line ${errors[0].line}: ${errors[0].message}`);
  if (records.length === 0) throw new YasrError('BAD_INPUT', 'CSV: empty file (no header)');
  const header = records[0].fields;
  for (const r of required) {
    if (!header.includes(r)) throw new YasrError('BAD_INPUT', `CSV: missing column ${JSON.stringify(r)}`);
  }
  return records.slice(1).map(({ line, fields }) => {
    if (fields.length !== header.length) {
      throw new YasrError('BAD_INPUT', `CSV line ${line} has ${fields.length} fields, the header has ${header.length}`);
    }
    const o: Record<string, string> = {};
    header.forEach((h, c) => (o[h] = fields[c]));
    return o;
  });
}

export interface ManifestRow {
  path: string;
  artist: string;
  title: string;
  album: string;
  releaseDate: string;
  popularity: number;
}

export interface VariantRow {
  path: string;
  originalPath: string;
  kind: string;
}

/** Reads manifest.csv (path,artist,title,album,release_date,popularity). */
export function readManifest(file: string): ManifestRow[] {
  return parseCsvObjects(readFileSync(file, 'utf8'), ['path', 'artist', 'title', 'album', 'release_date', 'popularity']).map(
    (o) => ({
      path: o.path,
      artist: o.artist,
      title: o.title,
      album: o.album,
      releaseDate: o.release_date,
      popularity: Number(o.popularity),
    }),
  );
}

/** Reads variants.csv (path,original_path,kind). */
export function readVariants(file: string): VariantRow[] {
  return parseCsvObjects(readFileSync(file, 'utf8'), ['path', 'original_path', 'kind']).map((o) => ({
    path: o.path,
    originalPath: o.original_path,
    kind: o.kind,
  }));
}
