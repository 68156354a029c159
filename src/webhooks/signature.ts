/**
 * Customer.io's reporting-webhook signature: `x-cio-signature` is the hex HMAC-SHA256, keyed with the webhook's
 * signing key, of `"v0:" + x-cio-timestamp + ":" + raw body` (the timestamp header as received, the body's bytes as
 * they came, before any parsing). Hex is inferred (the vendor's schema names no encoding; its Go sample and
 * production receivers hex-decode it), and either case is accepted.
 *
 * Verification is constant-time on the decoded bytes, and is computed while the body streams in (Verifier), so a
 * body is never held twice and one HMAC per signing key is all it costs. Several keys are tried (rotation: the old
 * key and the new one both valid while the webhook's key changes); each is compared, whatever the first answered.
 */
import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';

/** The signature's version prefix: always `v0` [vendor OpenAPI `info.description`]. */
const VERSION = 'v0';

/** SHA-256 is 32 bytes: 64 hex digits. */
const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/;

/** Unix seconds as Customer.io sends them; anything else in the header is refused before the body is read. */
const TIMESTAMP = /^[0-9]{1,15}$/;

/** The signature of `body` sent at `timestamp` (the header's text), in lower-case hex. */
export function signatureOf(key: string, timestamp: string, body: Buffer | string): string {
  return createHmac('sha256', key).update(`${VERSION}:${timestamp}:`).update(body).digest('hex');
}

/** Why a request's signature headers cannot be checked at all (before its body is read), or undefined. */
export function headerProblem(timestamp: string | undefined, signature: string | undefined): 'missing_signature' | 'malformed_signature' | undefined {
  if (!signature || !timestamp) return 'missing_signature';
  if (!HEX_SIGNATURE.test(signature.trim()) || !TIMESTAMP.test(timestamp.trim())) return 'malformed_signature';
  return undefined;
}

/**
 * The HMACs of one request under every signing key, fed chunk by chunk as the body arrives; `matches` then says
 * whether any key signed it. Memory: one HMAC state per key, whatever the body's size.
 */
export class Verifier {
  private readonly hmacs: Hmac[];

  constructor(keys: readonly string[], timestamp: string) {
    this.hmacs = keys.map((key) => createHmac('sha256', key).update(`${VERSION}:${timestamp}:`));
  }

  update(chunk: Buffer): void {
    for (const hmac of this.hmacs) hmac.update(chunk);
  }

  /** Whether `signature` (hex) is the HMAC under one of the keys. Every key is compared, in constant time each. */
  matches(signature: string): boolean {
    const given = Buffer.from(signature.trim(), 'hex');
    let any = false;
    for (const hmac of this.hmacs) {
      const expected = hmac.digest();
      // Equal lengths are guaranteed by headerProblem (64 hex digits); checked again, as timingSafeEqual throws otherwise.
      if (given.length === expected.length && timingSafeEqual(given, expected)) any = true;
    }
    return any;
  }
}

/** Whether `signature` signs `body` at `timestamp` under one of `keys` (the whole body at once: tests, the sandbox). */
export function verify(keys: readonly string[], timestamp: string | undefined, signature: string | undefined, body: Buffer | string): boolean {
  if (headerProblem(timestamp, signature)) return false;
  const verifier = new Verifier(keys, timestamp!.trim());
  verifier.update(Buffer.isBuffer(body) ? body : Buffer.from(body));
  return verifier.matches(signature!);
}

/**
 * Compares a presented bearer token with the expected one in constant time whatever their lengths (both hashed
 * first, so neither the length nor a prefix leaks through timing).
 */
export function sameSecret(presented: string, expected: string): boolean {
  const a = createHmac('sha256', 'cio-token-compare').update(presented).digest();
  const b = createHmac('sha256', 'cio-token-compare').update(expected).digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}
