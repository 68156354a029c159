/**
 * The output of a read in which a stream is selected under another name (an alias, ./aliases.ts): every message of
 * that stream — RECORD, STATE, STREAM_STATUS, a stream's TRACE ERROR — is printed under each name it is selected
 * under, its record reshaped for that name; everything else passes as it is. The reader never knows.
 *
 * A subclass of Output that hands every line to the real one (which alone writes stdout, redacts and paces), so the
 * reader's contract (batch, drained) is untouched.
 */
import type { AirbyteMessage } from '../../protocol/messages.js';
import { Output } from '../../protocol/output.js';
import type { Record_ } from '../../engine/types.js';
import type { PlannedRead } from './aliases.js';

type PrintAs = PlannedRead['printAs'];

/** The stream a message is about, if any. */
function streamOf(message: AirbyteMessage): string | undefined {
  if (message.type === 'RECORD') return message.record.stream;
  if (message.type === 'STATE') return message.state.stream.stream_descriptor.name;
  if (message.type !== 'TRACE') return undefined;
  if (message.trace.type === 'STREAM_STATUS') return message.trace.stream_status.stream_descriptor.name;
  if (message.trace.type === 'ERROR') return message.trace.error.stream_descriptor?.name;
  return undefined;
}

/** The message as it is printed under `name`. */
export function renamed(message: AirbyteMessage, name: string, record: (data: Record_) => Record_): AirbyteMessage {
  switch (message.type) {
    case 'RECORD':
      return { ...message, record: { ...message.record, stream: name, data: record(message.record.data) } };
    case 'STATE':
      return { ...message, state: { ...message.state, stream: { ...message.state.stream, stream_descriptor: { name } } } };
    case 'TRACE':
      if (message.trace.type === 'STREAM_STATUS') return { ...message, trace: { ...message.trace, stream_status: { ...message.trace.stream_status, stream_descriptor: { name } } } };
      if (message.trace.type === 'ERROR') return { ...message, trace: { ...message.trace, error: { ...message.trace.error, stream_descriptor: { name } } } };
      return message;
    default:
      return message;
  }
}

class MirroredOutput extends Output {
  constructor(
    private readonly inner: Output,
    private readonly names: Map<string, PrintAs>,
  ) {
    // Never written to: every method below hands its lines to `inner`.
    super();
  }

  override emit(message: AirbyteMessage): void {
    const stream = streamOf(message);
    const printAs = stream === undefined ? undefined : this.names.get(stream);
    if (!printAs) return this.inner.emit(message);
    for (const { name, record } of printAs) this.inner.emit(renamed(message, name, record));
  }

  override batch(burst: () => void): void {
    this.inner.batch(burst);
  }

  override setSecrets(secrets: Array<string | undefined>): void {
    this.inner.setSecrets(secrets);
  }

  override close(): void {
    this.inner.close();
  }

  override drained(): Promise<void> {
    return this.inner.drained();
  }

  override flush(): Promise<void> {
    return this.inner.flush();
  }
}

/** The output for a read of `reads`: `output` itself when no stream is printed under another name. */
export function mirrorAliases(output: Output, reads: PlannedRead[]): Output {
  const names = new Map(reads.filter((r) => r.printAs.length > 0).map((r) => [r.name, r.printAs]));
  return names.size === 0 ? output : new MirroredOutput(output, names);
}
