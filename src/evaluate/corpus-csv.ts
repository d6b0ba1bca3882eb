/**
 * Readers for the evaluation corpus files written by benchmarks/corpus/build.sh:
 * manifest.csv (path,artist,title,album,release_date,popularity) and
 * variants.csv (path,original_path,kind).
 */
import { readFileSync } from 'node:fs';
import { YasrError } from '../errors.js';

/**
 * Parses RFC 4180 CSV: fields separated by commas, records by CRLF or LF; a field in double
 * quotes may hold commas, line breaks and doubled quotes (""). A trailing line break does not
 * make an empty record; a leading UTF-8 BOM is dropped.
 *
 * @returns records, each an array of fields (strings)
 * @throws YasrError BAD_INPUT for an unterminated quoted field or text after a closing quote
 */
export function parseCsv(text: string): string[][] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  let atFieldStart = true;
  while (i < n) {
    const c = text[i];
    if (atFieldStart && c === '"') {
      // quoted field
      i++;
      for (;;) {
        if (i >= n) throw new YasrError('BAD_INPUT', `CSV: unterminated quoted field in record ${rows.length + 1}`);
        const d = text[i];
        if (d === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          field += d;
          i++;
        }
      }
      if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        throw new YasrError('BAD_INPUT', `CSV: unexpected ${JSON.stringify(text[i])} after a quoted field in record ${rows.length + 1}`);
      }
      atFieldStart = false;
      continue;
    }
    if (c === ',') {
      row.push(field);
      field = '';
      atFieldStart = true;
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      atFieldStart = false;
      i++;
    }
  }
  if (!atFieldStart || field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Records as objects keyed by the header row; every record must have the header's width. */
export function parseCsvObjects(text: string, required: readonly string[] = []): Record<string, string>[] {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new YasrError('BAD_INPUT', 'CSV: empty file (no header)');
  const header = rows[0];
  for (const r of required) {
    if (!header.includes(r)) throw new YasrError('BAD_INPUT', `CSV: missing column ${JSON.stringify(r)}`);
  }
  return rows.slice(1).map((r, idx) => {
    if (r.length !== header.length) {
      throw new YasrError('BAD_INPUT', `CSV: record ${idx + 2} has ${r.length} fields, header has ${header.length}`);
    }
    const o: Record<string, string> = {};
    header.forEach((h, c) => (o[h] = r[c]));
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
