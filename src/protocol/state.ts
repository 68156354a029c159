/**
 * Input state for `read`: the per-stream array (`[{type: STREAM, stream: {stream_descriptor, stream_state}}]`),
 * the older single-object form (`{"<stream>": {…}}`), a LEGACY `{data: {…}}` message, a GLOBAL message's
 * stream states, or nothing. Anything else is a config_error that says what was expected.
 */
import { configError } from '../errors.js';
import type { JsonObject } from './messages.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

function fromMessage(message: unknown, i: number, into: Map<string, JsonObject>): void {
  if (!isObject(message)) throw configError(`state[${i}] is not an object`);
  const type = message.type ?? (message.stream ? 'STREAM' : message.data ? 'LEGACY' : undefined);
  if (type === 'STREAM') {
    const stream = message.stream;
    if (!isObject(stream) || !isObject(stream.stream_descriptor) || typeof stream.stream_descriptor.name !== 'string') {
      throw configError(`state[${i}] of type STREAM has no stream.stream_descriptor.name`);
    }
    const blob = stream.stream_state ?? {};
    if (!isObject(blob)) throw configError(`state[${i}] (${stream.stream_descriptor.name}): stream_state must be an object`);
    into.set(stream.stream_descriptor.name, blob);
  } else if (type === 'LEGACY') {
    fromLegacy(message.data, into);
  } else if (type === 'GLOBAL') {
    const states = isObject(message.global) ? message.global.stream_states : undefined;
    if (!Array.isArray(states)) throw configError(`state[${i}] of type GLOBAL has no global.stream_states list`);
    states.forEach((s, j) => fromMessage({ type: 'STREAM', stream: s }, j, into));
  } else {
    throw configError(`state[${i}] has type ${JSON.stringify(type)}; expected STREAM (or LEGACY/GLOBAL)`);
  }
}

function fromLegacy(data: unknown, into: Map<string, JsonObject>): void {
  if (!isObject(data)) throw configError('Legacy state must be an object of {"<stream name>": {…}}');
  for (const [name, blob] of Object.entries(data)) {
    if (!isObject(blob)) throw configError(`Legacy state for stream "${name}" must be an object`);
    into.set(name, blob);
  }
}

/** Stream name → stream_state. */
export function parseState(raw: unknown): Map<string, JsonObject> {
  const states = new Map<string, JsonObject>();
  if (raw === null || raw === undefined) return states;
  if (Array.isArray(raw)) raw.forEach((m, i) => fromMessage(m, i, states));
  else if (isObject(raw)) {
    if (typeof raw.type === 'string' && ['STREAM', 'LEGACY', 'GLOBAL'].includes(raw.type)) fromMessage(raw, 0, states);
    else fromLegacy(raw, states);
  } else {
    throw configError('The state must be a JSON list of STREAM state messages (or a legacy {"<stream>": {…}} object)');
  }
  return states;
}
