import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/util/csv.js';

describe('parseCsv (RFC 4180)', () => {
  it('handles quotes, embedded commas, newlines, doubled quotes, CRLF and BOM', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\nplain,,end\r\n';
    const r = parseCsv(text);
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\r\nlines'] },
      { line: 4, fields: ['plain', '', 'end'] },
    ]);
  });

  it('handles LF and lone CR line endings, blank lines, a missing final newline and a trailing comma', () => {
    const r = parseCsv('a,b\n\n1,2\r3,\n"4"');
    expect(r.records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 3, fields: ['1', '2'] },
      { line: 4, fields: ['3', ''] },
      { line: 5, fields: ['4'] },
    ]);
  });

  it('reports an unterminated quote at the line its record starts', () => {
    const r = parseCsv('a,b\n1,2\n"open,3\n4,5\n');
    expect(r.records).toHaveLength(2);
    expect(r.errors).toEqual([{ line: 3, message: expect.stringMatching(/unterminated quoted field/) }]);
  });

  it('keeps a stray quote inside an unquoted field', () => {
    expect(parseCsv('a\n12" vinyl\n').records[1].fields).toEqual(['12" vinyl']);
  });

  it('with strict, stops at text after a closing quote and names its line', () => {
    expect(parseCsv('a,"b"c\n', {}).records[0].fields).toEqual(['a', 'bc']);
    const r = parseCsv('h1,h2\n1,"x"\n2,"y"z\n3,w\n', { strict: true });
    expect(r.records.map((x) => x.fields)).toEqual([['h1', 'h2'], ['1', 'x']]);
    expect(r.errors).toEqual([{ line: 3, message: 'unexpected "z" after a quoted field' }]);
    // a quote inside an unquoted field is still kept
    expect(parseCsv('a\n12" vinyl\n', { strict: true }).records[1].fields).toEqual(['12" vinyl']);
  });
});
