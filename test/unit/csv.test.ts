/** The export file's CSV parser: dialect cases, chunk boundaries anywhere, and the errors that protect against loss. */
import { CsvError, CsvParser } from '../../src/customerio/csv.js';

/** Every row of `text` fed in chunks of `size` characters (or bytes, for Buffers). */
function parseAll(input: string | Buffer, size = Number.POSITIVE_INFINITY): string[][] {
  const parser = new CsvParser();
  const rows: string[][] = [];
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const step = Math.min(size, Math.max(1, bytes.length));
  for (let i = 0; i < bytes.length; i += step) rows.push(...parser.push(bytes.subarray(i, i + step)));
  rows.push(...parser.end());
  return rows;
}

describe('CsvParser', () => {
  it.each([
    ['plain rows with LF', 'id,email\n1,a@x.io\n2,b@x.io\n', [['id', 'email'], ['1', 'a@x.io'], ['2', 'b@x.io']]],
    ['CRLF line ends', 'id,email\r\n1,a@x.io\r\n', [['id', 'email'], ['1', 'a@x.io']]],
    ['no line end after the last row', 'id,email\n1,a@x.io', [['id', 'email'], ['1', 'a@x.io']]],
    ['a byte order mark before the header', '\uFEFFid,email\n1,a@x.io\n', [['id', 'email'], ['1', 'a@x.io']]],
    ['empty cells, leading, inner and trailing', ',a,,b,\n', [['', 'a', '', 'b', '']]],
    ['blank lines skipped (LF and CRLF)', 'a,b\n\n1,2\r\n\r\n', [['a', 'b'], ['1', '2']]],
    ['a quoted comma', 'name,plan\n"Hopper, Grace",pro\n', [['name', 'plan'], ['Hopper, Grace', 'pro']]],
    ['doubled quotes inside a quoted field', 'q\n"she said ""hi"""\n', [['q'], ['she said "hi"']]],
    ['a line break (LF) inside a quoted field', 'note,id\n"line 1\nline 2",7\n', [['note', 'id'], ['line 1\nline 2', '7']]],
    ['a CRLF inside a quoted field, kept as written', 'note\r\n"a\r\nb"\r\n', [['note'], ['a\r\nb']]],
    ['a quoted empty field is a row', '""\n', [['']]],
    ['quoted fields with CRLF row ends', '"a","b"\r\n"1","2"\r\n', [['a', 'b'], ['1', '2']]],
    ['a quoted last field without a line end', 'a\n"x,y"', [['a'], ['x,y']]],
    ['a quote inside an unquoted field is a character', 'a\n5" screen,x\n', [['a'], ['5" screen', 'x']]],
    ['text after a closing quote is kept', '"ab"c,d\n', [['abc', 'd']]],
    ['a trailing empty field after a quoted one', '"a",\n', [['a', '']]],
    ['multi-byte characters', 'name\nZoë,Łukasz,日本\n', [['name'], ['Zoë', 'Łukasz', '日本']]],
    ['an empty file', '', []],
    ['only a byte order mark', '\uFEFF', []],
  ])('%s', (_name, text, rows) => {
    expect(parseAll(text)).toEqual(rows);
  });

  it('gives the same rows whatever the chunk boundaries, a character split across chunks included', () => {
    const text = '\uFEFFcio_id,id,note\r\n"a1","1","Zoë said ""hi"",\nthen left"\r\nb2,2,日本\r\nc3,,\r\n"d4",4,"""quoted"""';
    const whole = parseAll(text);
    expect(whole).toEqual([
      ['cio_id', 'id', 'note'],
      ['a1', '1', 'Zoë said "hi",\nthen left'],
      ['b2', '2', '日本'],
      ['c3', '', ''],
      ['d4', '4', '"quoted"'],
    ]);
    for (const size of [1, 2, 3, 5, 7, 11, 64]) expect(parseAll(text, size)).toEqual(whole);
  });

  it('holds a row back until its line ends, then gives it', () => {
    const parser = new CsvParser();
    expect(parser.push('id,em')).toEqual([]);
    expect(parser.push('ail\n1,"a')).toEqual([['id', 'email']]);
    expect(parser.push('@x.io"')).toEqual([]);
    expect(parser.push('\n')).toEqual([['1', 'a@x.io']]);
    expect(parser.end()).toEqual([]);
  });

  it('refuses a file that ends inside a quoted field (cut off, retrying may help)', () => {
    const parser = new CsvParser();
    parser.push('id,note\n1,"never closed\n2,x\n');
    expect(() => parser.end()).toThrow(CsvError);
    const again = new CsvParser();
    again.push('id,note\n1,"never closed');
    try {
      again.end();
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(CsvError);
      expect((error as CsvError).permanent).toBe(false);
      expect((error as CsvError).message).toMatch(/ends inside a quoted field/);
    }
  });

  it.each([
    ['unquoted', 'id,email,plan\n1,a@x.io,pro\n2,b@x'],
    ['quoted', 'id,email,plan\n1,a@x.io,pro\n"2","b@x.io"'],
    ['in chunks of one byte', 'id,email,plan\r\n1,a@x.io,pro\r\n2,'],
  ])('refuses a last row without a line end that has fewer cells than the header (%s): a download cut off, retrying may help', (name, text) => {
    try {
      parseAll(text, name === 'in chunks of one byte' ? 1 : Number.POSITIVE_INFINITY);
      throw new Error('no error');
    } catch (error) {
      expect(error).toBeInstanceOf(CsvError);
      expect((error as CsvError).permanent).toBe(false);
      expect((error as CsvError).message).toMatch(/^the file ends in the middle of a row \(\d of the header's 3 cells, no line end\)$/);
    }
  });

  it('keeps a short row that has its line end, and a full last row without one', () => {
    expect(parseAll('id,email,plan\n1,a@x.io\n2,b@x.io,pro')).toEqual([['id', 'email', 'plan'], ['1', 'a@x.io'], ['2', 'b@x.io', 'pro']]);
    expect(parseAll('id,email,plan')).toEqual([['id', 'email', 'plan']]);
  });

  it('refuses a row longer than its limit instead of holding the rest of the file (an unbalanced quote)', () => {
    const parser = new CsvParser(1000);
    parser.push('id,note\n1,"open quote\n');
    let error: unknown;
    try {
      for (let i = 0; i < 100; i++) parser.push('2,more text that never closes the quote\n');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).permanent).toBe(true);
    expect((error as CsvError).message).toMatch(/longer than 1000 characters/);
  });
});
