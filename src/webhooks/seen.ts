/**
 * The event_ids the receiver stored lately, to answer a resend 2xx without storing it twice, in memory fixed when it
 * starts (no growth with traffic).
 *
 * Each id is kept as a 128-bit fingerprint (the first 16 bytes of its SHA-256) in an open-addressing table of
 * Uint32 words. Two generations: the current one takes new ids; once it holds `window` of them it becomes the previous
 * one (the previous one is forgotten) and a fresh table takes over. So the newest `window` ids are always found, and
 * at most 2 × window are. Memory: 2 tables × 2 × window slots (load ≤ ½) × 16 bytes = 64 bytes × window.
 *
 * What falls out of the window is a duplicate stored again, never a loss: the stream keys rows by event_id, and a
 * destination deduplicates them. Two different ids sharing a fingerprint (a false "seen", which would drop an event)
 * would need a SHA-256 collision on 128 bits: about 1 in 10^26 at a million ids.
 *
 * Customer.io's head-of-line delivery means a resend comes before any later event of its webhook [inferred: the
 * retry of a failed call holds the queue back], so the window that matters is short: the default (500,000) reaches
 * far past it, and past a week of most workspaces' traffic.
 */
import { createHash } from 'node:crypto';

const WORDS = 4;

class Table {
  readonly words: Uint32Array;
  readonly mask: number;
  size = 0;

  constructor(slots: number) {
    this.words = new Uint32Array(slots * WORDS);
    this.mask = slots - 1;
  }

  /** The slot holding `print`, or the empty slot where it would go (-1 - slot). */
  find(print: Uint32Array): number {
    let slot = print[1] & this.mask;
    for (;;) {
      const at = slot * WORDS;
      const w = this.words;
      if (w[at] === 0) return -1 - slot;
      if (w[at] === print[0] && w[at + 1] === print[1] && w[at + 2] === print[2] && w[at + 3] === print[3]) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  add(print: Uint32Array): void {
    const found = this.find(print);
    if (found >= 0) return;
    this.words.set(print, (-1 - found) * WORDS);
    this.size++;
  }
}

export function fingerprint(eventId: string): Uint32Array {
  const digest = createHash('sha256').update(eventId).digest();
  const print = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) print[i] = digest.readUInt32LE(i * 4);
  // 0 marks an empty slot: the first word is never 0 (one bit of 128 given up).
  print[0] |= 1;
  return print;
}

export class SeenEvents {
  private current: Table;
  private previous: Table;
  private readonly slots: number;

  /** `window`: how many of the newest ids are always found (at least 1). */
  constructor(readonly window: number) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`the duplicate window must be a positive integer, got ${window}`);
    let slots = 2;
    while (slots < window * 2) slots *= 2;
    this.slots = slots;
    this.current = new Table(slots);
    this.previous = new Table(slots);
  }

  has(eventId: string): boolean {
    const print = fingerprint(eventId);
    return this.current.find(print) >= 0 || this.previous.find(print) >= 0;
  }

  add(eventId: string): void {
    if (this.current.size >= this.window) {
      // The previous generation's memory is reused (cleared) rather than a new table allocated: memory stays flat.
      const recycled = this.previous;
      recycled.words.fill(0);
      recycled.size = 0;
      this.previous = this.current;
      this.current = recycled;
    }
    this.current.add(fingerprint(eventId));
  }

  /** Bytes the tables take. */
  get bytes(): number {
    return 2 * this.slots * WORDS * 4;
  }
}
