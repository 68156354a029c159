/**
 * Deterministic randomness. Every generated value is a pure function of (seed, kind, index, …) so a
 * page can be computed from its position alone and two sandboxes with one seed agree byte for byte.
 */

/** The murmur3 finaliser: a bijection on 32-bit integers, so distinct inputs stay distinct. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash any number of non-negative integers (up to 2^53) to an unsigned 32-bit integer. */
export function hash(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const lo = part >>> 0;
    const hi = Math.floor(part / 4294967296) >>> 0;
    h = mix32(h ^ lo);
    h = mix32((h + 0x9e3779b9 + hi) >>> 0);
  }
  return h;
}

/** FNV-1a of a string: turns a kind name into a number that can be hashed with indexes. */
export function tagOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform number in [0, 1) from a hash. */
export function unit(h: number): number {
  return (h >>> 0) / 4294967296;
}

export function pick<T>(items: readonly T[], h: number): T {
  return items[(h >>> 0) % items.length];
}

/** An integer in [lo, hi] from a hash. */
export function between(h: number, lo: number, hi: number): number {
  return lo + ((h >>> 0) % (hi - lo + 1));
}

/** A small seeded PRNG (mulberry32), for choices that depend on arrival order (fault shares). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher-Yates shuffle of a small array (used once per sandbox, never per request). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = items.slice();
  const next = prng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Expand [value, weight] pairs into a seeded shuffled cycle: value(k) = cycle[k % cycle.length]. */
export function weightedCycle<T>(weights: ReadonlyArray<readonly [T, number]>, seed: number): T[] {
  const flat: T[] = [];
  for (const [value, weight] of weights) for (let i = 0; i < weight; i++) flat.push(value);
  return shuffled(flat, seed);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Five Crockford characters of a 25-bit integer. */
function chunk32(v: number): string {
  return CROCKFORD[(v >>> 20) & 31] + CROCKFORD[(v >>> 15) & 31] + CROCKFORD[(v >>> 10) & 31] + CROCKFORD[(v >>> 5) & 31] + CROCKFORD[v & 31];
}

/** Crockford base32 of a non-negative integer below 2^53, left-padded (or cut) to `length` characters. */
export function base32(value: number, length: number): string {
  let out = '';
  let rest = Math.floor(value);
  while (out.length < length) {
    out = chunk32(rest % 33554432) + out;
    rest = Math.floor(rest / 33554432);
  }
  return out.slice(out.length - length);
}

/** A ULID-like id (26 chars): 10 of time, then hash noise around a bijection of the index, so ids never collide within a stream. */
export function ulidLike(seconds: number, index: number, salt: number): string {
  return (
    base32(seconds * 1000 + (hash(salt, index, 7) % 1000), 10) +
    base32(hash(salt, index, 1) >>> 2, 6) +
    base32(mix32((index ^ salt) >>> 0), 7) +
    base32(hash(salt, index, 2) >>> 17, 3)
  );
}

/** A base64url id for deliveries: a stream byte, the index bijection, noise and the time. */
export function deliveryLikeId(stream: number, index: number, salt: number, seconds: number): string {
  const bytes = Buffer.alloc(13);
  bytes.writeUInt8(stream & 0xff, 0);
  bytes.writeUInt32BE(mix32((index ^ salt) >>> 0), 1);
  bytes.writeUInt32BE(hash(salt, index, 3), 5);
  bytes.writeUInt32BE(seconds >>> 0, 9);
  return bytes.toString('base64url');
}

/** A version-4-shaped UUID from a hash of `parts` (Design Studio's ids are UUID text). */
export function uuidLike(...parts: number[]): string {
  const hex = [0, 1, 2, 3].map((i) => hash(...parts, 0x7551d + i).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
