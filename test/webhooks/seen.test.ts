/** The duplicate index: the newest `window` event ids always found, at most twice that, in memory fixed at start. */
import { fingerprint, SeenEvents } from '../../src/webhooks/seen.js';

it('finds every id of the newest window, and forgets ids older than two windows', () => {
  const seen = new SeenEvents(100);
  const bytes = seen.bytes;
  for (let i = 0; i < 1000; i++) seen.add(`event-${i}`);
  for (let i = 900; i < 1000; i++) expect(seen.has(`event-${i}`)).toBe(true);
  for (let i = 0; i < 800; i++) expect(seen.has(`event-${i}`)).toBe(false);
  expect(seen.has('never-added')).toBe(false);
  expect(seen.bytes).toBe(bytes);
});

it('takes an id added twice once', () => {
  const seen = new SeenEvents(3);
  for (const id of ['a', 'a', 'a', 'b', 'c', 'd', 'e']) seen.add(id);
  // a, b and c filled the first generation (the repeats of a took no room), d and e the second: all still found.
  for (const id of ['a', 'b', 'c', 'd', 'e']) expect(seen.has(id)).toBe(true);
});

it('keeps 128 bits of each id’s SHA-256, never all zero in the first word', () => {
  const print = fingerprint('01E4C4CT6YDC7Y5M7FE1GWWPQJ');
  expect(print).toHaveLength(4);
  expect(print[0] & 1).toBe(1);
  expect(fingerprint('01E4C4CT6YDC7Y5M7FE1GWWPQJ')).toEqual(print);
  expect(fingerprint('01E4C4CT6YDC7Y5M7FE1GWWPQK')).not.toEqual(print);
});

it('takes 64 bytes an id of the window, allocated at start', () => {
  expect(new SeenEvents(500_000).bytes).toBe(2 * 1_048_576 * 16);
  expect(() => new SeenEvents(0)).toThrow(/positive integer/);
});
