/**
 * The receiver's store, opened at start and again every few seconds while it cannot be (a volume not mounted yet,
 * a folder not writable): meanwhile the receiver runs and answers 503 saying why, which Customer.io retries, instead
 * of refusing connections (which Customer.io answers with an hour's wait before its first retry). Also owns the
 * duplicate index, rebuilt from the journal's newest events when the store opens.
 */
import type { Clock } from '../../clock.js';
import type { Files } from './files.js';
import { Journal, storeError, type JournalOptions } from './journal.js';
import { SeenEvents } from '../seen.js';

export interface HolderOptions extends JournalOptions {
  dir: string;
  dedupeWindowEvents: number;
  files?: Files;
  clock?: Clock;
  /** How long to wait before trying to open the store again (ms). */
  reopenMs?: number;
}

export class StoreHolder {
  journal?: Journal;
  readonly seen: SeenEvents;
  /** Why the store could not be opened, while it cannot. */
  openFailure?: string;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: HolderOptions) {
    this.seen = new SeenEvents(options.dedupeWindowEvents);
  }

  /** Tries to open the store; on failure keeps trying in the background. Resolves either way. */
  async open(): Promise<void> {
    try {
      const journal = await Journal.open(this.options.dir, this.options);
      for (const id of await journal.newestIds(this.options.dedupeWindowEvents)) this.seen.add(id);
      this.journal = journal;
      this.openFailure = undefined;
    } catch (error) {
      // Errors of the system say what went wrong in words (storeError); the store's own (a foreign folder) as they are.
      const code = (error as NodeJS.ErrnoException).code;
      this.openFailure = code ? storeError(error).message.replace('cannot store the event', 'cannot open the store') : `cannot open the store: ${(error as Error).message}`;
      this.options.log?.(`${this.openFailure}; trying again in ${(this.options.reopenMs ?? 10_000) / 1000} s`);
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.open(), this.options.reopenMs ?? 10_000);
        this.timer.unref();
      }
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.journal?.close();
  }
}
