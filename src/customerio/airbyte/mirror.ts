/**
 * The sink of a read in which a stream is selected under another name (an alias, ./aliases.ts): every event of that
 * stream — started, running, a page of records and its state, an error, its end — goes on under each name it is
 * selected under, its records reshaped for that name; every other event passes as it is. The reader never knows.
 *
 * A wrapper of the run's sink (which alone prints, redacts and paces), so the reader's contract (one page event,
 * drained) is untouched.
 */
import type { ReadEvent, ReadRecord, ReadSink } from '../../engine/events.js';
import type { Record_ } from '../../engine/types.js';
import type { PlannedRead } from './aliases.js';

type PrintAs = PlannedRead['printAs'];

/** The stream an event is about, if any. */
function streamOf(event: ReadEvent): string | undefined {
  return event.type === 'log' ? undefined : event.stream;
}

/** A record reshaped for a name: the same record (and its text) when the shape does not change it. */
function reshaped(record: ReadRecord, reshape: (data: Record_) => Record_): ReadRecord {
  const data = reshape(record.data);
  return data === record.data ? record : { data, json: JSON.stringify(data) };
}

/** The event as it goes on under `name`. */
export function renamed(event: ReadEvent, name: string, reshape: (data: Record_) => Record_): ReadEvent {
  if (event.type === 'log') return event;
  if (event.type === 'page') return { ...event, stream: name, records: event.records.map((r) => reshaped(r, reshape)) };
  return { ...event, stream: name };
}

class MirroredSink implements ReadSink {
  constructor(
    private readonly inner: ReadSink,
    private readonly names: Map<string, PrintAs>,
  ) {}

  emit(event: ReadEvent): void {
    const stream = streamOf(event);
    const printAs = stream === undefined ? undefined : this.names.get(stream);
    if (!printAs) return this.inner.emit(event);
    for (const { name, record } of printAs) this.inner.emit(renamed(event, name, record));
  }

  drained(): Promise<void> {
    return this.inner.drained();
  }

  stateWanted(stream: string, incoming: number): boolean {
    const printAs = this.names.get(stream);
    // A page under several names brings its records to the sink once per name.
    if (!printAs) return this.inner.stateWanted?.(stream, incoming) === true;
    return printAs.some(({ name }) => this.inner.stateWanted?.(name, incoming * printAs.length) === true);
  }

  close(): void {
    this.inner.close();
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }
}

/** The sink for a read of `reads`: `sink` itself when no stream goes on under another name. */
export function mirrorAliases(sink: ReadSink, reads: PlannedRead[]): ReadSink {
  const names = new Map(reads.filter((r) => r.printAs.length > 0).map((r) => [r.name, r.printAs]));
  return names.size === 0 ? sink : new MirroredSink(sink, names);
}
