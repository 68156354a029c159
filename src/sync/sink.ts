/**
 * The Output `sync` hands to the read: the same engine, the same messages, but instead of printing
 * them as protocol lines it routes them in-process — RECORD and STATE to the loader (nothing is parsed
 * back from text), stream statuses to the loader and the progress display, warnings and errors to the
 * human log on stderr. `drained()` is the loader's backpressure; `flush()` (called before the process
 * stops on a signal) waits for the writes already queued, so every completed STATE is in the file.
 */
import { Writable } from 'node:stream';
import type { AirbyteMessage, LogLevel } from '../protocol/messages.js';
import { Output, redactorFor, type Redactor } from '../protocol/output.js';
import type { Loader } from './loader.js';

export interface SinkEvents {
  /** A human line for stderr (warnings, errors, the read's own notes). */
  log: (level: LogLevel, message: string) => void;
  /** The read is stopping on a signal (the process exits once flush() resolves). */
  stopping?: () => void;
}

const SHOWN_LEVELS: ReadonlySet<LogLevel> = new Set(['FATAL', 'ERROR', 'WARN']);

/** Nothing may reach stdout through the base class: its sink swallows everything. */
const nowhere = () => new Writable({ write: (_chunk, _encoding, done) => done() });

export class LoaderOutput extends Output {
  private redactText: Redactor = (text) => text;
  private stopped = false;
  /** Errors without a stream (the whole read failed), in order. */
  readonly errors: string[] = [];

  constructor(
    private readonly loader: Loader,
    private readonly events: SinkEvents,
  ) {
    super(nowhere());
  }

  override setSecrets(secrets: Array<string | undefined>): void {
    super.setSecrets(secrets);
    this.redactText = redactorFor(secrets);
  }

  override close(): void {
    super.close();
    if (!this.stopped) this.events.stopping?.();
    this.stopped = true;
  }

  override emit(message: AirbyteMessage): void {
    if (this.stopped) return;
    switch (message.type) {
      case 'RECORD':
        // The key must not leave the process by any path, a warehouse file included.
        this.loader.record(message.record.stream, this.redactText(JSON.stringify(message.record.data)), message.record.emitted_at);
        return;
      case 'STATE':
        this.loader.state(message.state.stream.stream_descriptor.name, message.state.stream.stream_state);
        return;
      case 'LOG':
        if (SHOWN_LEVELS.has(message.log.level)) this.events.log(message.log.level, this.redactText(message.log.message));
        return;
      case 'TRACE':
        this.trace(message.trace);
        return;
      default:
        return;
    }
  }

  private trace(trace: Extract<AirbyteMessage, { type: 'TRACE' }>['trace']): void {
    if (trace.type === 'STREAM_STATUS') {
      const name = trace.stream_status.stream_descriptor.name;
      const status = trace.stream_status.status;
      if (status === 'STARTED') this.loader.started(name, trace.emitted_at);
      if (status === 'COMPLETE' || status === 'INCOMPLETE') this.loader.ended(name, status === 'COMPLETE', trace.emitted_at);
    } else if (trace.type === 'ERROR') {
      const message = this.redactText(trace.error.message);
      const stream = trace.error.stream_descriptor?.name;
      if (stream) this.loader.failed(stream, message);
      else this.errors.push(message);
      this.events.log('ERROR', stream ? `${stream}: ${message}` : message);
    }
  }

  override drained(): Promise<void> {
    return this.loader.drained();
  }

  override async flush(): Promise<void> {
    await this.loader.finish();
  }
}
