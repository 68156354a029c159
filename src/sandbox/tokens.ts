/**
 * Opaque `next` tokens: base64url of `<endpoint tag>|v20:<offset>`. They are positional (like the real ones), valid
 * only for the endpoint that issued them (another endpoint's token or garbage is a 400, with the live API's body:
 * `{"errors":[{"detail":"bad request (reference <ULID>)","status":"400"}]}`).
 *
 * A token past the end of the list (the list shrank since it was issued) is answered two ways, per endpoint, as
 * seen live (../shared/customerio-api/live-observations.md): `/v1/messages` silently restarts at page 1 and answers
 * page 1's `next` (restartPastEnd); newsletters and segment membership answer an empty page with `""` (the scans
 * do that by themselves). Endpoints not seen live restart, as the API's docs warn they may [inferred].
 */
import { ApiError } from './http.js';

export function encodeToken(tag: string, offset: number): string {
  return Buffer.from(`${tag}|v20:${offset}`, 'utf8').toString('base64url');
}

let references = 0;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped reference (26 characters of Crockford base32), as the API's error details carry; deterministic. */
export function reference(): string {
  let n = BigInt(++references) * 0x9e3779b97f4a7c15n + 0x0192f0c3a1b2n;
  let text = '';
  for (let i = 0; i < 26; i++) {
    text = CROCKFORD[Number(n % 32n)] + text;
    n /= 32n;
  }
  return text;
}

/** The API's answer to a start token it did not issue (malformed, or another endpoint's). */
export function badToken(): ApiError {
  return new ApiError(400, `bad request (reference ${reference()})`);
}

/** The offset a `start` token stands for; 0 when absent or empty. Throws a 400 for foreign or malformed tokens. */
export function decodeToken(start: string | null, tag: string): number {
  if (start === null || start === '') return 0;
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(start)) throw badToken();
  const text = Buffer.from(start, 'base64url').toString('utf8');
  const match = /^(.+)\|v20:(\d{1,15})$/.exec(text);
  if (!match || match[1] !== tag) throw badToken();
  return Number(match[2]);
}

/** The `next` value for a page: '' when there is nothing after it. */
export function nextToken(tag: string, nextOffset: number | null): string {
  return nextOffset === null ? '' : encodeToken(tag, nextOffset);
}

/**
 * An offset past the end restarts at page 1, silently. `atEnd`: already an offset at the end restarts (`/v1/messages`,
 * whose last page always answers `next: ""`, so only a list that shrank, or a made-up token, gets there); otherwise
 * only one beyond it (endpoints whose full last page carries a `next` that answers an empty page).
 */
export function restartPastEnd(offset: number, size: number, atEnd = false): number {
  return offset > size || (atEnd && offset > 0 && offset >= size) ? 0 : offset;
}
