/**
 * What an authentic body is, as the receiver stores it: its event_id (the key duplicates are found by) and the flags
 * that say what is odd about it. Nothing here refuses a body: an authentic event the receiver cannot read is kept as
 * it came, flagged, because any answer but a 2xx holds back every later event of the workspace (head-of-line).
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { knownMetric, knownObjectType } from './contract.js';

export type Flag =
  /** Longer than the receiver keeps: stored cut at max_body_bytes (the signature was checked on the whole body). */
  | 'too_large'
  /** Not UTF-8: stored as base64. */
  | 'not_utf8'
  | 'not_json'
  /** JSON, but not one object (an array, a string…). */
  | 'not_an_object'
  /** No usable `event_id` (missing, not text, or over MAX_EVENT_ID characters): keyed by the body's hash instead. */
  | 'no_event_id'
  | 'unknown_object_type'
  | 'unknown_metric';

/** The longest event_id kept as the key (Customer.io's are 26-character ULIDs). */
export const MAX_EVENT_ID = 256;

/** The key of a body without a usable event_id: the same bytes always get the same key (a resend is a duplicate). */
export const BODY_KEY_PREFIX = 'body-sha256-';

export interface Classified {
  eventId: string;
  flags: Flag[];
  /** The body as text (UTF-8; a cut one without its cut last character), or undefined: stored as base64. */
  text?: string;
}

/**
 * Classifies a body: `kept` is what will be stored (at most max_body_bytes of it), `whole` the SHA-256 of the whole
 * body (computed as it streamed in) and `truncated` whether `kept` is only its beginning.
 */
export function classify(kept: Buffer, whole: { sha256: string; truncated: boolean }): Classified {
  const flags: Flag[] = [];
  const byHash = `${BODY_KEY_PREFIX}${whole.sha256.slice(0, 40)}`;
  if (whole.truncated) flags.push('too_large');
  // A body cut in the middle of a character is still text: the cut character's bytes are dropped.
  const bytes = whole.truncated && !isUtf8(kept) ? trimPartialCharacter(kept) : kept;
  if (!isUtf8(bytes)) return { eventId: byHash, flags: [...flags, 'not_utf8', 'no_event_id'] };
  const text = bytes.toString('utf8');
  if (whole.truncated) {
    // A cut body is not JSON any more; its event_id, when it comes before the cut, still keys it.
    const id = /"event_id"\s*:\s*"([^"\\]{1,256})"/.exec(text)?.[1];
    return { eventId: id ?? byHash, flags: id ? flags : [...flags, 'no_event_id'], text };
  }
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return { eventId: byHash, flags: [...flags, 'not_json', 'no_event_id'], text };
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return { eventId: byHash, flags: [...flags, 'not_an_object', 'no_event_id'], text };
  const { event_id: id, object_type: objectType, metric } = event as Record<string, unknown>;
  const usable = typeof id === 'string' && id.trim() !== '' && id.length <= MAX_EVENT_ID;
  if (!usable) flags.push('no_event_id');
  if (!knownObjectType(objectType)) flags.push('unknown_object_type');
  else if (!knownMetric(objectType as string, metric)) flags.push('unknown_metric');
  return { eventId: usable ? id : byHash, flags, text };
}

/** `bytes` without a UTF-8 character cut at its end (its lead byte and the continuation bytes that came). */
function trimPartialCharacter(bytes: Buffer): Buffer {
  let end = bytes.length;
  // At most 3 continuation bytes (10xxxxxx) and one lead byte of the cut character.
  for (let i = 0; i < 4 && end > 0; i++) {
    const byte = bytes[end - 1];
    end--;
    if ((byte & 0xc0) !== 0x80) break;
  }
  return bytes.subarray(0, end);
}

/** The SHA-256 of a body as it streams in (for the key of a body without event_id, and of a cut one). */
export const bodyHash = () => createHash('sha256');
