/**
 * Opaque `next` tokens: base64url of `<endpoint tag>|v20:<offset>`. They are positional (like the real
 * ones), valid only for the endpoint that issued them (another endpoint's token or garbage is a 400),
 * and an offset past the end silently restarts at page 1, as the README warns.
 */
import { ApiError } from './http.js';

export function encodeToken(tag: string, offset: number): string {
  return Buffer.from(`${tag}|v20:${offset}`, 'utf8').toString('base64url');
}

/** The offset a `start` token stands for; 0 when absent or empty. Throws a 400 for foreign or malformed tokens. */
export function decodeToken(start: string | null, tag: string): number {
  if (start === null || start === '') return 0;
  const invalid = (why: string) =>
    new ApiError(400, `invalid start token: ${why}; send the "next" value of the previous page unchanged`, { parameter: 'start' });
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(start)) throw invalid('not a token this API issued');
  const text = Buffer.from(start, 'base64url').toString('utf8');
  const match = /^(.+)\|v20:(\d{1,15})$/.exec(text);
  if (!match) throw invalid('not a token this API issued');
  if (match[1] !== tag) throw invalid('it was issued by another endpoint');
  return Number(match[2]);
}

/** The `next` value for a page: '' when there is nothing after it. */
export function nextToken(tag: string, nextOffset: number | null): string {
  return nextOffset === null ? '' : encodeToken(tag, nextOffset);
}

/** Offsets beyond the current size restart at 0 (README: "an out-of-range token silently restarts at page 1"). */
export function clampOffset(offset: number, size: number): number {
  return offset > size ? 0 : offset;
}
