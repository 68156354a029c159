/**
 * Input state for `read` (and `sync --state`): what a platform or a person hands back from an earlier read.
 *
 * Taken as it is: the per-stream array (`[{type: STREAM, stream: {stream_descriptor, stream_state}}]`), one such
 * message alone, the older single-object form (`{"<stream>": {…}}`), a LEGACY `{data: {…}}` message, a GLOBAL
 * message's stream states, whole STATE messages (`{"type":"STATE","state":{…}}`: what a read prints, alone or in a
 * list), and a file of JSON lines: a read's stdout as a platform captured it, of which each stream's last STATE
 * counts (RECORD, LOG and TRACE lines are passed over). An empty file is no state. What does not fit — another
 * tool's state (Singer's `{"bookmarks": …}`), a list of the wrong things — is a config_error that says what the file
 * holds and what --state expects. `stateFromText` also says, in notes for a LOG line, what it made of a file whose
 * shape is not the plain array.
 */
import { configError } from '../errors.js';
import type { JsonObject, LogLevel } from './messages.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

export const STATE_EXPECTED =
  '--state expects what a read printed: the "state" of its STATE messages as a JSON list ([{"type":"STREAM","stream":{"stream_descriptor":{"name":"campaigns"},"stream_state":{…}}}]), or the STATE lines themselves as printed (JSON lines)';

/** A whole AirbyteMessage of type STATE: its state message. */
function unwrap(message: unknown): unknown {
  return isObject(message) && message.type === 'STATE' && isObject(message.state) ? message.state : message;
}

function fromMessage(message: unknown, i: number, into: Map<string, JsonObject>): void {
  message = unwrap(message);
  if (!isObject(message)) throw configError(`state[${i}] is not an object. ${STATE_EXPECTED}`);
  const type = message.type ?? (message.stream ? 'STREAM' : message.data ? 'LEGACY' : undefined);
  if (type === 'STREAM') {
    const stream = message.stream;
    if (!isObject(stream) || !isObject(stream.stream_descriptor) || typeof stream.stream_descriptor.name !== 'string') {
      throw configError(`state[${i}] of type STREAM has no stream.stream_descriptor.name`);
    }
    const blob = stream.stream_state ?? {};
    if (!isObject(blob)) throw configError(`state[${i}] (${stream.stream_descriptor.name}): stream_state must be an object`);
    // A stream named twice (STATE lines of one read): the later entry is the newer.
    into.delete(stream.stream_descriptor.name);
    into.set(stream.stream_descriptor.name, blob);
  } else if (type === 'LEGACY') {
    fromLegacy(message.data, into);
  } else if (type === 'GLOBAL') {
    const states = isObject(message.global) ? message.global.stream_states : undefined;
    if (!Array.isArray(states)) throw configError(`state[${i}] of type GLOBAL has no global.stream_states list`);
    states.forEach((s, j) => fromMessage({ type: 'STREAM', stream: s }, j, into));
  } else {
    throw configError(`state[${i}] has type ${JSON.stringify(type)}; expected STREAM (or LEGACY/GLOBAL). ${STATE_EXPECTED}`);
  }
}

function fromLegacy(data: unknown, into: Map<string, JsonObject>): void {
  if (!isObject(data)) throw configError('Legacy state must be an object of {"<stream name>": {…}}');
  for (const [name, blob] of Object.entries(data)) {
    if (!isObject(blob)) throw configError(`Legacy state for stream "${name}" must be an object`);
    into.set(name, blob);
  }
}

/** Another tool's state: said as what it is, never read as streams named "bookmarks" and "currently_syncing". */
function foreignState(raw: JsonObject): string | undefined {
  if ('bookmarks' in raw || 'currently_syncing' in raw) {
    return `The state is a Singer state ({"bookmarks": …}), which this connector cannot continue from. ${STATE_EXPECTED}; leave --state out to read from the start (start_date)`;
  }
  return undefined;
}

/** Stream name → stream_state. */
export function parseState(raw: unknown): Map<string, JsonObject> {
  const states = new Map<string, JsonObject>();
  raw = unwrap(raw);
  if (raw === null || raw === undefined) return states;
  if (Array.isArray(raw)) raw.forEach((m, i) => fromMessage(m, i, states));
  else if (isObject(raw)) {
    const foreign = foreignState(raw);
    if (foreign) throw configError(foreign);
    if (typeof raw.type === 'string' && ['STREAM', 'LEGACY', 'GLOBAL'].includes(raw.type)) fromMessage(raw, 0, states);
    else fromLegacy(raw, states);
  } else {
    throw configError(`The state must be a JSON list of STREAM state messages (or a legacy {"<stream>": {…}} object), not ${typeof raw}. ${STATE_EXPECTED}`);
  }
  return states;
}

export interface StateNote {
  level: LogLevel;
  message: string;
}

export interface StateFromText {
  /** The state, for parseState (the per-stream array when the file was JSON lines). */
  state: unknown;
  /** What was made of a file that is not the plain per-stream array. */
  notes: StateNote[];
}

/** What a JSON value holds, when it is worth saying: a GLOBAL state's shared part is not used. */
function notesOf(raw: unknown, label: string): StateNote[] {
  const messages = (Array.isArray(raw) ? raw : [raw]).map(unwrap);
  const notes: StateNote[] = [];
  if (isObject(raw) && raw.type === 'STATE') notes.push({ level: 'INFO', message: `${label} holds one STATE message: its state is used` });
  const global = messages.find((m) => isObject(m) && m.type === 'GLOBAL') as JsonObject | undefined;
  if (global) {
    const shared = isObject(global.global) ? global.global.shared_state : undefined;
    const sharedNote = isObject(shared) && Object.keys(shared).length ? '; its shared_state is not used (this connector keeps each stream\'s own state)' : '';
    notes.push({ level: 'INFO', message: `${label} holds a GLOBAL state: its stream_states are used${sharedNote}` });
  }
  return notes;
}

/**
 * A --state file's text (`label` names it in messages): JSON, JSON lines, or nothing. Throws a config_error saying
 * what the file holds when it is none of what --state takes.
 */
export function stateFromText(text: string, label: string): StateFromText {
  if (text.trim() === '') return { state: undefined, notes: [{ level: 'WARN', message: `${label} is empty: it holds no state to start from` }] };
  try {
    const raw = JSON.parse(text) as unknown;
    return { state: raw, notes: notesOf(raw, label) };
  } catch {
    // Not one JSON value: JSON lines?
  }
  const lines = text.split('\n').map((line) => line.trim());
  let last = lines.length - 1;
  while (last > 0 && lines[last] === '') last--;
  const messages: unknown[] = [];
  let cut = false;
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    try {
      messages.push(JSON.parse(line));
    } catch {
      // A process killed mid-line leaves a partial last line (never a STATE: a STATE is written whole).
      if (i === last && messages.length > 0) cut = true;
      else throw configError(`${label} is not valid JSON, nor JSON lines (line ${i + 1} is not JSON). ${STATE_EXPECTED}`);
    }
  }
  const states = messages.filter((m) => isObject(m) && (m.type === 'STATE' || m.type === 'STREAM' || m.type === 'GLOBAL'));
  if (states.length === 0) {
    throw configError(`${label} holds ${messages.length} JSON lines but no STATE message (${kinds(messages)}): nothing to continue from. ${STATE_EXPECTED}`);
  }
  const streams = parseState(states);
  const others = messages.length - states.length;
  const message =
    `${label} holds ${messages.length} JSON lines: the last STATE of each of its ${streams.size} stream${streams.size === 1 ? '' : 's'} is used` +
    (others ? ` (${others} other line${others === 1 ? '' : 's'} passed over: ${kinds(messages.filter((m) => !states.includes(m)))})` : '') +
    (cut ? '; its last line is cut off and was passed over' : '');
  const state = [...streams].map(([name, stream_state]) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state } }));
  return { state, notes: [...notesOf(states, label).filter((n) => n.message.includes('GLOBAL')), { level: 'INFO', message }] };
}

/** "RECORD ×12, LOG ×3" for messages by type. */
function kinds(messages: unknown[]): string {
  const counts = new Map<string, number>();
  for (const m of messages) {
    const type = isObject(m) && typeof m.type === 'string' ? m.type : 'other';
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].map(([type, n]) => `${type} ×${n}`).join(', ');
}
