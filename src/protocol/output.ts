/**
 * The one place that writes stdout. One JSON object per line; every line passes through the secret
 * redactor (so an API key can never leave the process, whatever path a message took); writes honour
 * backpressure: callers await `drained()` between pages, so a slow reader stops the fetching instead
 * of growing a buffer. `batch()` joins the lines of a burst (a page's records and its STATE) into one
 * write: one redaction scan and one system call per page instead of one per record.
 */
import type { Writable } from 'node:stream';
import type { AirbyteMessage, LogLevel } from './messages.js';
import { logMessage } from './messages.js';
import { redactorFor, type Redactor } from '../redact.js';

export { redactorFor, type Redactor } from '../redact.js';

export class Output {
  private redact: Redactor = (text) => text;
  /** A secret with a line break could span two lines of a joined batch: such secrets are redacted line by line. */
  private redactPerLine = false;
  private waiting: Promise<void> | null = null;
  /** Lines of the batch being built, while `batch()` runs. */
  private pending: string[] | undefined;

  constructor(private readonly sink: Writable = process.stdout) {}

  /** Every later line is redacted for these secrets. */
  setSecrets(secrets: Array<string | undefined>): void {
    this.redact = redactorFor(secrets);
    this.redactPerLine = secrets.some((s) => s?.includes('\n'));
  }

  private closed = false;

  /** After close(), messages are dropped: used when the process is stopping and has said its last word. */
  close(): void {
    this.closed = true;
  }

  emit(message: AirbyteMessage): void {
    if (this.closed) return;
    const line = JSON.stringify(message) + '\n';
    if (this.pending) this.pending.push(this.redactPerLine ? this.redact(line) : line);
    else this.write(this.redact(line));
  }

  /**
   * A RECORD whose data is already JSON text (the reader serialises each record once): the same line
   * `emit(recordMessage(…))` would print, without parsing or serialising the data again.
   */
  emitRecord(stream: string, dataJson: string, emittedAt: number): void {
    if (this.closed) return;
    const line = `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":${dataJson},"emitted_at":${JSON.stringify(emittedAt)}}}\n`;
    if (this.pending) this.pending.push(this.redactPerLine ? this.redact(line) : line);
    else this.write(this.redact(line));
  }

  /** Runs `burst`; the lines it emits are written together, in order, as one write (nested calls join the outer one). */
  batch(burst: () => void): void {
    if (this.pending) return burst();
    const lines: string[] = (this.pending = []);
    try {
      burst();
    } finally {
      this.pending = undefined;
      if (lines.length > 0 && !this.closed) {
        const text = lines.join('');
        this.write(this.redactPerLine ? text : this.redact(text));
      }
    }
  }

  private write(text: string): void {
    const ok = this.sink.write(text);
    if (!ok && !this.waiting) {
      this.waiting = new Promise((resolve) => {
        this.sink.once('drain', () => {
          this.waiting = null;
          resolve();
        });
      });
    }
  }

  /** Text for people (the usage `--help` asks for), never mixed with protocol messages: no protocol command runs. */
  text(text: string): void {
    this.write(this.redact(text));
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
