/**
 * The sink `sync` gives the read: the same engine and the same events, landed in-process instead of printed —
 * a page's records and state to the loader (one commit; nothing is parsed back from text), stream starts and
 * ends to the loader and the progress display, warnings and errors to the human log on stderr. `drained()` is
 * the loader's backpressure; `flush()` (before the process stops on a signal) waits for the writes already
 * queued, so every completed state is in the file.
 */
import type { ReadEvent, ReadSink } from '../engine/events.js';
import type { LogLevel } from '../protocol/messages.js';
import { redactorFor, type Redactor } from '../protocol/output.js';
import type { Loader } from './loader.js';

export interface SinkEvents {
  /** A human line for stderr (warnings, errors, the read's own notes). */
  log: (level: LogLevel, message: string) => void;
  /** The read is stopping on a signal (the process exits once flush() resolves). */
  stopping?: () => void;
  /** The whole run failed (the key refused): said once, instead of once per stream. */
  runFailed?: (message: string) => void;
}

const SHOWN_LEVELS: ReadonlySet<LogLevel> = new Set(['FATAL', 'ERROR', 'WARN']);

export class LoaderSink implements ReadSink {
  private redact: Redactor = (text) => text;
  private stopped = false;
  /** Errors without a stream (the whole read failed), in order. */
  readonly errors: string[] = [];
  /** The error that stopped every stream (the key refused, the region wrong), when one did. */
  runError: string | undefined;

  constructor(
    private readonly loader: Loader,
    private readonly events: SinkEvents,
  ) {}

  /** Every later record, log and error is redacted for these secrets: the key must not leave the process by any path, a warehouse file included. */
  setSecrets(secrets: Array<string | undefined>): void {
    this.redact = redactorFor(secrets);
  }

  emit(event: ReadEvent): void {
    if (this.stopped) return;
    switch (event.type) {
      case 'started':
        return this.loader.started(event.stream, event.at);
      case 'running':
        return;
      case 'page':
        for (const record of event.records) this.loader.record(event.stream, this.redact(record.json), event.at);
        if (event.state) this.loader.state(event.stream, event.state);
        return;
      case 'log':
        if (SHOWN_LEVELS.has(event.level)) this.events.log(event.level, this.redact(event.message));
        return;
      case 'error': {
        const message = this.redact(event.error.message);
        // A config_error of no stream in particular stops every stream (the reader's run-wide failure): the run's.
        if (event.error.failureType === 'config_error' && !event.error.stream) {
          this.runError ??= message;
          this.errors.push(message);
          return this.events.runFailed ? this.events.runFailed(message) : this.events.log('ERROR', message);
        }
        if (event.stream) this.loader.failed(event.stream, message);
        else this.errors.push(message);
        return this.events.log('ERROR', event.stream ? `${event.stream}: ${message}` : message);
      }
      case 'ended':
        return this.loader.ended(event.stream, event.complete, event.at);
    }
  }

  drained(): Promise<void> {
    return this.loader.drained();
  }

  stateWanted(_stream: string, incoming: number): boolean {
    return this.loader.wantsState(incoming);
  }

  close(): void {
    if (!this.stopped) this.events.stopping?.();
    this.stopped = true;
  }

  async flush(): Promise<void> {
    await this.loader.finish();
  }
}
