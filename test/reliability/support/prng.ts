/** A small seeded PRNG (mulberry32) and the helpers the bad-input generator draws with. */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
export const int = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
export const hex = (random: Random, length: number): string => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');

/** Strings users and broken tools produce: unicode, control characters, quotes, very long ones. */
export function oddString(random: Random): string {
  return pick(random, [
    () => '',
    () => ' ',
    () => 'Ünïcödé-' + hex(random, 4),
    () => '🚀'.repeat(int(random, 1, 8)),
    () => 'line\nbreak',
    () => 'tab\there',
    () => 'quote"and\\backslash',
    () => '\u0000nul',
    () => 'x'.repeat(int(random, 10_000, 200_000)),
    () => '<script>alert(1)</script>',
    () => '../../etc/passwd',
    () => '%s%n%d',
    () => String(int(random, -1e9, 1e9)),
    () => 'null',
    () => '{"a":1}',
  ])();
}
