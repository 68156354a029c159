/**
 * The read's events as Airbyte messages on the one Output: stream statuses as STREAM_STATUS traces, a page as
 * its RECORDs followed by the STATE that covers them when it has one (with `sourceStats.recordCount`: the stream's
 * records since its previous STATE) in one write, logs as LOG messages, failures as TRACE ERRORs. Backpressure is
 * stdout's.
 */
import type { ReadEvent, ReadSink } from '../engine/events.js';
import { errorMessage, stateMessage, statusMessage } from './messages.js';
import type { Output } from './output.js';

export class ProtocolSink implements ReadSink {
  /** Records printed per stream since its last STATE. */
  private readonly uncounted = new Map<string, number>();

  constructor(readonly output: Output) {}

  emit(event: ReadEvent): void {
    const output = this.output;
    switch (event.type) {
      case 'started':
        return output.emit(statusMessage(event.stream, 'STARTED', event.at));
      case 'running':
        return output.emit(statusMessage(event.stream, 'RUNNING', event.at));
      case 'page': {
        // One write for the page: a process stopped while waiting has printed the page's STATE with its RECORDs.
        const count = (this.uncounted.get(event.stream) ?? 0) + event.records.length;
        this.uncounted.set(event.stream, event.state ? 0 : count);
        return output.batch(() => {
          for (const record of event.records) output.emitRecord(event.stream, record.json, event.at);
          if (event.state) output.emit(stateMessage(event.stream, event.state, count));
        });
      }
      case 'log':
        return output.log(event.level, event.message);
      case 'error': {
        const { error } = event;
        return output.emit(errorMessage(error.message, error.failureType, event.at, { internal: error.internal, stream: event.stream }));
      }
      case 'ended':
        return output.emit(statusMessage(event.stream, event.complete ? 'COMPLETE' : 'INCOMPLETE', event.at));
    }
  }

  drained(): Promise<void> {
    return this.output.drained();
  }

  close(): void {
    this.output.close();
  }

  flush(): Promise<void> {
    return this.output.flush();
  }
}
