/**
 * The one CSV reader (RFC 4180): comma-separated fields, double-quoted fields that may hold
 * commas, line breaks and doubled quotes (`""`), CRLF / LF / CR line endings, an optional UTF-8
 * BOM. Blank lines are skipped. Each record remembers the 1-based physical line it starts on, so
 * callers can report problems by line. `yasr ingest`'s manifests read it leniently, the
 * evaluation corpus's files (src/evaluate/corpus-csv.ts) strictly.
 *
 * Lenient where RFC 4180 is silent and the intent is clear: a quote inside an unquoted field is
 * kept literally, and text after a closing quote is appended to the field; `strict` makes the
 * latter an error. An unterminated quoted field is reported as a record-level error (it swallows
 * the rest of the file). Reading stops at the first error.
 */

export interface CsvRecord {
  /** 1-based physical line on which the record starts. */
  line: number;
  fields: string[];
}

export interface CsvParseResult {
  /** The records before the first error, in order. */
  records: CsvRecord[];
  /** The problem that made the rest of the text unreadable (e.g. an unterminated quote), if any. */
  errors: { line: number; message: string }[];
}

export interface CsvParseOptions {
  /** Text after a closing quote is an error instead of part of the field (default false). */
  strict?: boolean;
}

/**
 * Parse CSV text into records.
 * @param text whole file contents (a leading BOM is ignored)
 * @returns records in order (blank lines skipped) and unrecoverable syntax errors
 */
export function parseCsv(text: string, o: CsvParseOptions = {}): CsvParseResult {
  const records: CsvRecord[] = [];
  const errors: { line: number; message: string }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;

  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let quotedAny = false;

    for (;;) {
      // One field: an optional quoted part, then an unquoted part (normally one or the other).
      let field = '';
      const quoted = text.charCodeAt(i) === QUOTE;
      if (quoted) {
        quotedAny = true;
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            errors.push({ line: startLine, message: 'unterminated quoted field (missing closing ")' });
            return { records, errors };
          }
          const piece = text.slice(i, q);
          line += countLineBreaks(piece);
          field += piece;
          if (text.charCodeAt(q + 1) === QUOTE) {
            field += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
      }
      if (o.strict && quoted && i < n) {
        const c = text.charCodeAt(i);
        if (c !== COMMA && c !== LF && c !== CR) {
          errors.push({ line, message: `unexpected ${JSON.stringify(text[i])} after a quoted field` });
          return { records, errors };
        }
      }
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      if (j > i) field += text.slice(i, j);
      i = j;
      fields.push(field);
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        if (i >= n) {
          fields.push('');
          break;
        }
        continue;
      }
      // A line break ends the record.
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }

    const blank = fields.length === 1 && fields[0] === '' && !quotedAny;
    if (!blank) records.push({ line: startLine, fields });
  }
  return { records, errors };
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Line breaks in a piece of text (CRLF, LF and lone CR each count once). */
function countLineBreaks(s: string): number {
  let count = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR && s.charCodeAt(k + 1) !== LF) count++;
  }
  return count;
}
