/**
 * A streaming CSV parser for export files: chunks of bytes in, complete rows out, holding only the text of the
 * row being read. Customer.io documents no dialect for its export files [inferred: RFC 4180 as most tools write
 * it], so this reads what such files do in practice:
 *   - fields separated by commas; a field may be quoted with `"`, a quote inside it doubled (`""`);
 *   - a quoted field may hold commas and line breaks;
 *   - rows end with LF or CRLF, the last one with or without a line end;
 *   - a UTF-8 byte order mark at the start is dropped; blank lines are skipped; a character split across two
 *     chunks is joined (UTF-8 assumed, as nothing says otherwise).
 * Lenient where files are sloppy (a quote inside an unquoted field is a character; text after a closing quote
 * is kept), strict where leniency would lose data: a quote still open at the end of the file, a last row without a
 * line end that has fewer cells than the header (a body cut off mid-row by a connection closed without
 * Content-Length or chunking: retrying may help), or a row longer than `maxRowChars` (an unbalanced quote
 * swallowing the rest of the file), is a CsvError. Rows ending in a lone
 * CR (old Mac files) are not supported: no exporter of this century writes them.
 */
import { StringDecoder } from 'node:string_decoder';

export class CsvError extends Error {
  constructor(
    message: string,
    /** True when reading the same bytes again cannot help (the file itself is not CSV as we read it). */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

/** Rows longer than this are refused: memory stays bounded whatever the file holds. */
export const MAX_ROW_CHARS = 16 * 1024 * 1024;

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

export class CsvParser {
  private readonly decoder = new StringDecoder('utf8');
  /** Text after the last complete row. */
  private rest = '';
  private started = false;
  /** Cells of the file's first row (the header), once it is read. */
  private width?: number;

  constructor(private readonly maxRowChars = MAX_ROW_CHARS) {}

  /** The rows completed by this chunk (none while a row is still open). */
  push(chunk: Buffer | string): string[][] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return this.parse(this.rest.length > 0 ? this.rest + text : text, false);
  }

  /** The last rows, once the file has ended. Throws when a quoted field is still open. */
  end(): string[][] {
    let text = this.rest + this.decoder.end();
    if (!this.started && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.started = true;
    this.rest = '';
    return text.length > 0 ? this.parse(text, true) : [];
  }

  private parse(text: string, final: boolean): string[][] {
    const rows: string[][] = [];
    const length = text.length;
    let pos = 0;
    // The next quote at or after pos (searched again only once pos has passed it): rows before it take the fast path.
    let quote = text.indexOf('"');
    while (pos < length) {
      if (quote !== -1 && quote < pos) quote = text.indexOf('"', pos);
      let lineEnd = text.indexOf('\n', pos);
      if (quote === -1 || (lineEnd !== -1 && quote > lineEnd)) {
        // Fast path: a row without quotes is its line split at the commas.
        if (lineEnd === -1) {
          if (!final) break;
          lineEnd = length;
        }
        const line = text.charCodeAt(lineEnd - 1) === CR && lineEnd > pos ? text.slice(pos, lineEnd - 1) : text.slice(pos, lineEnd);
        if (line.length > 0) rows.push(this.checked(line.split(','), lineEnd >= length));
        pos = lineEnd + 1;
        continue;
      }
      const parsed = quotedRow(text, pos, final);
      if (!parsed) break;
      if (parsed.row.length > 1 || parsed.row[0] !== '' || parsed.quoted) rows.push(this.checked(parsed.row, parsed.end > length));
      pos = parsed.end;
    }
    this.rest = pos < length ? text.slice(pos) : '';
    if (this.rest.length > this.maxRowChars) {
      throw new CsvError(`a row of the file is longer than ${this.maxRowChars} characters (is a quote left open?)`, true);
    }
    return rows;
  }

  /**
   * A row as parsed; the header's width is learnt from the first. A row the end of the file cut off before its line
   * end (`unterminated`) with fewer cells than the header is a broken download, not a person with empty attributes.
   */
  private checked(row: string[], unterminated: boolean): string[] {
    if (this.width === undefined) this.width = row.length;
    else if (unterminated && row.length < this.width) {
      throw new CsvError(`the file ends in the middle of a row (${row.length} of the header's ${this.width} cells, no line end)`, false);
    }
    return row;
  }
}

/**
 * The row starting at `start` in a text that has a quote before the row's end, read character by character.
 * Null when the text ends inside the row (more is needed); at the end of the file only an open quote is an error.
 */
function quotedRow(text: string, start: number, final: boolean): { row: string[]; end: number; quoted: boolean } | null {
  const length = text.length;
  const row: string[] = [];
  let field = '';
  let quoted = false;
  let i = start;
  for (;;) {
    // At the start of a field.
    if (i < length && text.charCodeAt(i) === QUOTE) {
      quoted = true;
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1 || close + 1 >= length) {
          if (!final) return null;
          if (close === -1) throw new CsvError('the file ends inside a quoted field', false);
          field += text.slice(i, close);
          i = close + 1;
          break;
        }
        if (text.charCodeAt(close + 1) === QUOTE) {
          field += text.slice(i, close + 1);
          i = close + 2;
          continue;
        }
        field += text.slice(i, close);
        i = close + 1;
        break;
      }
    }
    // The unquoted part of the field (all of it, or what follows a closing quote): up to a comma or a line end.
    let j = i;
    while (j < length) {
      const c = text.charCodeAt(j);
      if (c === COMMA || c === LF) break;
      j++;
    }
    if (j === length && !final) return null;
    let piece = text.slice(i, j);
    if (j === length || text.charCodeAt(j) === LF) {
      if (piece.charCodeAt(piece.length - 1) === CR) piece = piece.slice(0, -1);
      row.push(field + piece);
      return { row, end: j + 1, quoted };
    }
    row.push(field + piece);
    field = '';
    i = j + 1;
  }
}
