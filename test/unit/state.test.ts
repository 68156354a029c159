/** Input state for `read`: every accepted form, and malformed ones as config_errors that name the problem. */
import { parseState, stateFromText, STATE_EXPECTED } from '../../src/protocol/state.js';
import { clientSide, futureCursors, serverWindows, stateProblems } from '../../src/engine/incremental.js';
import { ConnectorError } from '../../src/errors.js';
import { DAY, MAY_1 } from './fixtures.js';

const streamState = (name: string, state: unknown) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: state } });

function configErrorOf(fn: () => unknown): ConnectorError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).failureType).toBe('config_error');
    return error as ConnectorError;
  }
  throw new Error('expected a config_error, nothing was thrown');
}

describe('parseState', () => {
  it('reads the per-stream array the platform sends', () => {
    const states = parseState([streamState('campaigns', { updated: MAY_1 }), streamState('activities', { timestamp: MAY_1 + 5 })]);
    expect(Object.fromEntries(states)).toEqual({ campaigns: { updated: MAY_1 }, activities: { timestamp: MAY_1 + 5 } });
  });

  it('reads a STREAM message that has no type field', () => {
    const { type: _omit, ...untyped } = streamState('campaigns', { updated: MAY_1 });
    expect(parseState([untyped]).get('campaigns')).toEqual({ updated: MAY_1 });
  });

  it('reads a single STREAM message given without the array', () => {
    expect(parseState(streamState('segments', { updated_at: MAY_1 })).get('segments')).toEqual({ updated_at: MAY_1 });
  });

  it('reads a STREAM message with a null stream_state as an empty state', () => {
    expect(parseState([streamState('campaigns', null)]).get('campaigns')).toEqual({});
  });

  it('reads the legacy single object keyed by stream name', () => {
    const states = parseState({ campaigns: { updated: MAY_1 }, messages: { created: MAY_1 - DAY } });
    expect(Object.fromEntries(states)).toEqual({ campaigns: { updated: MAY_1 }, messages: { created: MAY_1 - DAY } });
  });

  it.each([
    ['as a single message', { type: 'LEGACY', data: { campaigns: { updated: MAY_1 } } }],
    ['in the array', [{ type: 'LEGACY', data: { campaigns: { updated: MAY_1 } } }]],
    ['without a type field', [{ data: { campaigns: { updated: MAY_1 } } }]],
  ])('reads a LEGACY message %s', (_case, raw) => {
    expect(parseState(raw).get('campaigns')).toEqual({ updated: MAY_1 });
  });

  it('reads the stream states of a GLOBAL message', () => {
    const global = {
      type: 'GLOBAL',
      global: {
        shared_state: {},
        stream_states: [
          { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: MAY_1 } },
          { stream_descriptor: { name: 'newsletters' }, stream_state: { updated: MAY_1 + 1 } },
        ],
      },
    };
    expect(Object.fromEntries(parseState([global]))).toEqual({ campaigns: { updated: MAY_1 }, newsletters: { updated: MAY_1 + 1 } });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an empty array', []],
    ['an empty object', {}],
  ])('reads %s as no state at all', (_case, raw) => {
    expect(parseState(raw).size).toBe(0);
  });

  it('lets the later entry win when a stream appears twice', () => {
    expect(parseState([streamState('campaigns', { updated: 1 }), streamState('campaigns', { updated: 2 })]).get('campaigns')).toEqual({ updated: 2 });
  });

  it.each<[string, unknown, RegExp]>([
    ['a string', 'campaigns', /JSON list of STREAM state messages/],
    ['a number', 42, /JSON list of STREAM state messages/],
    ['an array holding a non-object', [42], /state\[0\] is not an object/],
    ['an array holding null', [streamState('a', {}), null], /state\[1\] is not an object/],
    ['a message of an unknown type', [{ type: 'SHARED', stream: {} }], /state\[0\] has type "SHARED"; expected STREAM/],
    ['an array message without type, stream or data', [{ foo: 1 }], /state\[0\] has type undefined/],
    ['a STREAM message without a descriptor', [{ type: 'STREAM', stream: { stream_state: {} } }], /state\[0\] of type STREAM has no stream\.stream_descriptor\.name/],
    ['a STREAM message whose name is not a string', [{ type: 'STREAM', stream: { stream_descriptor: { name: 7 } } }], /stream_descriptor\.name/],
    ['a STREAM message whose stream_state is a list', [streamState('campaigns', [1, 2])], /\(campaigns\): stream_state must be an object/],
    ['a STREAM message whose stream_state is a number', [streamState('campaigns', 5)], /stream_state must be an object/],
    ['a GLOBAL message without stream_states', [{ type: 'GLOBAL', global: {} }], /GLOBAL has no global\.stream_states list/],
    ['a GLOBAL stream state without a descriptor', [{ type: 'GLOBAL', global: { stream_states: [{ stream_state: {} }] } }], /stream_descriptor\.name/],
    ['a LEGACY message whose data is not an object', [{ type: 'LEGACY', data: [1] }], /Legacy state must be an object/],
    ['a legacy object whose stream state is not an object', { campaigns: 'yesterday' }, /Legacy state for stream "campaigns" must be an object/],
  ])('rejects %s with a config_error naming the problem', (_case, raw, pattern) => {
    expect(configErrorOf(() => parseState(raw)).message).toMatch(pattern);
  });
});

describe('parseState, given what other tools and the platform hand over', () => {
  it('reads a whole STATE message, alone or in a list (what a read prints)', () => {
    const message = { type: 'STATE', state: streamState('campaigns', { updated: MAY_1 }) };
    expect(parseState(message).get('campaigns')).toEqual({ updated: MAY_1 });
    expect(parseState([message, { type: 'STATE', state: streamState('segments', { updated_at: 1 }) }]).get('segments')).toEqual({ updated_at: 1 });
  });

  it('refuses a Singer state, saying what it is and what --state expects', () => {
    const error = configErrorOf(() => parseState({ bookmarks: { campaigns: { updated: MAY_1 } }, currently_syncing: null }));
    expect(error.message).toMatch(/^The state is a Singer state \(\{"bookmarks": …\}\), which this connector cannot continue from\. --state expects what a read printed/);
    expect(error.message).toMatch(/leave --state out to read from the start/);
  });
});

describe('stateFromText', () => {
  const LABEL = 'The --state file s.json';
  const line = (value: unknown) => JSON.stringify(value);

  it('reads a JSON file as parseState does, saying nothing about the plain per-stream array', () => {
    const text = line([streamState('campaigns', { updated: MAY_1 })]);
    expect(stateFromText(text, LABEL)).toEqual({ state: JSON.parse(text), notes: [] });
  });

  it('says an empty file holds no state', () => {
    expect(stateFromText(' \n', LABEL)).toEqual({ state: undefined, notes: [{ level: 'WARN', message: `${LABEL} is empty: it holds no state to start from` }] });
  });

  it('takes each stream\'s last STATE from a read\'s stdout (JSON lines), passing over the other lines and a cut last line', () => {
    const text = [
      line({ type: 'TRACE', trace: { type: 'STREAM_STATUS' } }),
      line({ type: 'RECORD', record: { stream: 'campaigns', data: { id: 1 } } }),
      line({ type: 'STATE', state: streamState('campaigns', { updated: 1 }) }),
      line({ type: 'STATE', state: streamState('segments', { updated_at: 5 }) }),
      line({ type: 'STATE', state: streamState('campaigns', { updated: 2 }) }),
      line({ type: 'LOG', log: { level: 'INFO', message: 'Read 1 records' } }),
      '{"type":"RECORD","record":{"str',
    ].join('\n');
    const { state, notes } = stateFromText(text, LABEL);
    expect(Object.fromEntries(parseState(state))).toEqual({ campaigns: { updated: 2 }, segments: { updated_at: 5 } });
    expect(notes).toEqual([
      { level: 'INFO', message: `${LABEL} holds 6 JSON lines: the last STATE of each of its 2 streams is used (3 other lines passed over: TRACE ×1, RECORD ×1, LOG ×1); its last line is cut off and was passed over` },
    ]);
  });

  it('takes raw STATE lines that are bare state messages too', () => {
    const text = [line(streamState('campaigns', { updated: 1 })), line(streamState('campaigns', { updated: 3 }))].join('\n') + '\n';
    expect(parseState(stateFromText(text, LABEL).state).get('campaigns')).toEqual({ updated: 3 });
  });

  it('says a single STATE message is used', () => {
    const { notes } = stateFromText(line({ type: 'STATE', state: streamState('campaigns', { updated: 1 }) }), LABEL);
    expect(notes).toEqual([{ level: 'INFO', message: `${LABEL} holds one STATE message: its state is used` }]);
  });

  it('says a GLOBAL state\'s stream states are used and its shared state is not', () => {
    const global = { type: 'GLOBAL', global: { shared_state: { cdc: 'lsn:5' }, stream_states: [{ stream_descriptor: { name: 'campaigns' }, stream_state: { updated: 1 } }] } };
    const { state, notes } = stateFromText(line([global]), LABEL);
    expect(parseState(state).get('campaigns')).toEqual({ updated: 1 });
    expect(notes).toEqual([{ level: 'INFO', message: `${LABEL} holds a GLOBAL state: its stream_states are used; its shared_state is not used (this connector keeps each stream's own state)` }]);
  });

  it.each<[string, string, RegExp]>([
    ['JSON lines without a STATE', [line({ type: 'LOG', log: {} }), line({ type: 'RECORD', record: {} })].join('\n'), /holds 2 JSON lines but no STATE message \(LOG ×1, RECORD ×1\): nothing to continue from\. --state expects/],
    ['text that is not JSON', 'campaigns: 2024-01-01\nsegments: yesterday', /is not valid JSON, nor JSON lines \(line 1 is not JSON\)/],
  ])('refuses %s, saying what it holds and what --state expects', (_case, text, pattern) => {
    const error = configErrorOf(() => stateFromText(text, LABEL));
    expect(error.message).toMatch(pattern);
    expect(error.message).toContain(STATE_EXPECTED);
  });
});

describe('stateProblems', () => {
  const streamCursor = clientSide('updated');
  const perCampaign = clientSide('updated', { perPartition: true });
  const windows = serverWindows('created', { windowSeconds: DAY, defaultStart: (now) => now - DAY });
  const perType = serverWindows('created', { perPartition: true, windowSeconds: DAY, defaultStart: (now) => now - DAY });

  it.each<[string, Parameters<typeof stateProblems>[0], Record<string, unknown>]>([
    ['a unix-seconds cursor', streamCursor, { updated: MAY_1 }],
    ['a numeric-string cursor', streamCursor, { updated: String(MAY_1) }],
    ['an ISO-8601 cursor', streamCursor, { updated: '2024-05-01T00:00:00Z' }],
    ['an empty state', streamCursor, {}],
    ['a null cursor', streamCursor, { updated: null }],
    ['a cursor and a list of ids', streamCursor, { updated: MAY_1, ids: [1, 2] }],
    ['a cursor, a list of ids and their newest cursor', streamCursor, { updated: MAY_1, ids: [1, 2], ids_cursor: MAY_1 }],
    ['per-partition cursors', perCampaign, { partitions: { '12': { updated: MAY_1 }, '13': {} } }],
    ['a stream-level cursor for a per-partition stream', perCampaign, { updated: MAY_1 }],
    ['a stream-level cursor beside per-partition cursors', perCampaign, { updated: MAY_1, partitions: { '12': { updated: MAY_1 } } }],
    ['a window cursor', windows, { created: MAY_1 }],
    ['a window cursor and when the full lookback was last read', windows, { created: MAY_1, full_lookback_read_at: MAY_1 - DAY }],
    ['per-partition window cursors, some with the full lookback\'s time', perType, { partitions: { all: { created: MAY_1, full_lookback_read_at: MAY_1 }, 'type=email': { created: MAY_1 } } }],
    ['a full lookback time in the future (it only makes a full re-read due)', perType, { partitions: { all: { created: MAY_1, full_lookback_read_at: MAY_1 + 1000 * DAY } } }],
    ['anything, for a stream that is not incremental', undefined, { whatever: 'x', ids: 'not a list' }],
  ])('accepts %s', (_case, strategy, state) => {
    expect(stateProblems(strategy, state)).toEqual([]);
  });

  it.each<[string, Parameters<typeof stateProblems>[0], Record<string, unknown>, RegExp]>([
    ['a cursor that is not a time', streamCursor, { updated: 'last tuesday' }, /^updated must be a unix timestamp or an ISO-8601 date-time, not "last tuesday"$/],
    ['a cursor that is an object', windows, { created: { at: 1 } }, /^created must be a unix timestamp/],
    ['partitions that are a list', perCampaign, { partitions: [1] }, /"partitions" must be an object/],
    ['partitions that are null', perCampaign, { partitions: null }, /"partitions" must be an object/],
    ['a partition that is not an object', perCampaign, { partitions: { '12': 5 } }, /partitions\["12"\] must be an object/],
    ['a partition cursor that is not a time', perCampaign, { partitions: { '12': { updated: 'x' } } }, /partitions\["12"\]\.updated must be a unix timestamp/],
    ['a stream-level cursor that is not a time on a per-partition stream', perCampaign, { updated: 'x' }, /^updated must be/],
    ['a stream-level cursor that is not a time beside per-partition cursors', perCampaign, { updated: 'x', partitions: { '12': { updated: MAY_1 } } }, /^updated must be/],
    ['a full lookback time that is not a time', perType, { partitions: { all: { created: MAY_1, full_lookback_read_at: 'yesterday' } } }, /^partitions\["all"\]\.full_lookback_read_at must be unix seconds, not "yesterday"$/],
    ['a stream-level full lookback time before 1970', windows, { created: MAY_1, full_lookback_read_at: -5 }, /^full_lookback_read_at must be unix seconds, not -5$/],
    ['ids that are not a list', streamCursor, { updated: MAY_1, ids: '1,2' }, /"ids" must be a list/],
    ['an ids_cursor that is not a time', streamCursor, { updated: MAY_1, ids: [1], ids_cursor: 'soon' }, /"ids_cursor" must be a unix timestamp or an ISO-8601 date-time, not "soon"/],
  ])('reports %s', (_case, strategy, state, pattern) => {
    const problems = stateProblems(strategy, state);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(pattern);
  });

  it('names a stream-level cursor in the future beside per-partition cursors, as it names a partition\'s', () => {
    const future = MAY_1 + 1000 * DAY;
    expect(futureCursors(perCampaign, { updated: future, partitions: { '12': { updated: future } } }, MAY_1)).toEqual([`updated (${future})`, `partitions["12"].updated (${future})`]);
  });

  it('reports every bad partition, not just the first', () => {
    expect(stateProblems(perCampaign, { partitions: { a: { updated: 'x' }, b: { updated: MAY_1 }, c: null } })).toHaveLength(2);
  });
});
