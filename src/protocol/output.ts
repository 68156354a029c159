/**
 * The one place that writes stdout. One JSON object per line; every line passes through the secret
 * redactor (so an API key can never leave the process, whatever path a message took); writes honour
 * backpressure: callers await `drained()` between pages, so a slow reader stops the fetching instead
 * of growing a buffer.
 */
import type { Writable } from 'node:stream';
import type { AirbyteMessage, LogLevel } from './messages.js';
import { logMessage } from './messages.js';

export type Redactor = (text: string) => string;

/** Replaces every occurrence of each secret (of 4+ characters) with `****`. */
export function redactorFor(secrets: Array<string | undefined>): Redactor {
  const list = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of list) if (out.includes(secret)) out = out.split(secret).join('****');
    return out;
  };
}

export class Output {
  private redact: Redactor = (text) => text;
  private waiting: Promise<void> | null = null;

  constructor(private readonly sink: Writable = process.stdout) {}

  /** Every later line is redacted for these secrets. */
  setSecrets(secrets: Array<string | undefined>): void {
    this.redact = redactorFor(secrets);
  }

  private closed = false;

  /** After close(), messages are dropped: used when the process is stopping and has said its last word. */
  close(): void {
    this.closed = true;
  }

  emit(message: AirbyteMessage): void {
    if (this.closed) return;
    const ok = this.sink.write(this.redact(JSON.stringify(message)) + '\n');
    if (!ok && !this.waiting) {
      this.waiting = new Promise((resolve) => {
        this.sink.once('drain', () => {
          this.waiting = null;
          resolve();
        });
      });
    }
  }

  log(level: LogLevel, message: string): void {
    this.emit(logMessage(level, message));
  }

  /** Resolves once the sink has room again (at once when it has). */
  drained(): Promise<void> {
    return this.waiting ?? Promise.resolve();
  }

  /** Resolves when everything written so far has been handed to the OS. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (this.sink.writableLength === 0) resolve();
      else this.sink.write('', () => resolve());
    });
  }
}
