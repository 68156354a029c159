/** Airbyte's stream names beside this connector's: what discover offers, what a selection reads, how it is printed. */
import { Writable } from 'node:stream';
import { earliestState, planAliases, withAliases } from '../../src/customerio/airbyte/aliases.js';
import { mirrorAliases, renamed } from '../../src/customerio/airbyte/mirror.js';
import { streamsFor } from '../../src/customerio/streams/index.js';
import { offeredStream, toAirbyteStream } from '../../src/engine/discover.js';
import { entityCursor } from '../../src/engine/incremental.js';
import type { AirbyteMessage } from '../../src/protocol/messages.js';
import { ProtocolSink } from '../../src/protocol/sink.js';
import { ConnectorError } from '../../src/errors.js';
import { Output } from '../../src/protocol/output.js';
import { MAY_1, testConfig } from './fixtures.js';

const perCampaign = entityCursor('updated', { perPartition: true });
const strategyOf = (name: string) => (name === 'campaign_actions' ? perCampaign : undefined);

describe('withAliases', () => {
  const offered = withAliases(streamsFor(testConfig()));
  const stream = (name: string) => toAirbyteStream(offered.find((d) => d.name === name)!);

  it("offers Airbyte's people and campaigns_actions right after the streams they name, every other stream once", () => {
    const names = offered.map((d) => d.name);
    expect(names.slice(names.indexOf('customers'), names.indexOf('customers') + 2)).toEqual(['customers', 'people']);
    expect(names.slice(names.indexOf('campaign_actions'), names.indexOf('campaign_actions') + 2)).toEqual(['campaign_actions', 'campaigns_actions']);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBe(streamsFor(testConfig()).length + 2);
  });

  it("gives them Airbyte's primary key, cursor and sync modes", () => {
    expect(stream('people')).toMatchObject({ source_defined_primary_key: [['cio_id']], supported_sync_modes: ['full_refresh'] });
    expect(stream('people').default_cursor_field).toBeUndefined();
    expect(stream('campaigns_actions')).toMatchObject({ source_defined_primary_key: [['id']], supported_sync_modes: ['full_refresh', 'incremental'], default_cursor_field: ['updated'], source_defined_cursor: true });
    expect(offeredStream(offered.find((d) => d.name === 'campaigns_actions')!)).toEqual({ name: 'campaigns_actions', syncModes: ['full_refresh', 'incremental'], cursorField: ['updated'] });
  });

  it("declares campaigns_actions.id as text (Airbyte's column), campaign_actions.id as it was, and the rest the same", () => {
    const alias = stream('campaigns_actions').json_schema.properties as Record<string, { type: unknown }>;
    const own = stream('campaign_actions').json_schema.properties as Record<string, { type: unknown }>;
    expect(alias.id.type).toEqual(['string', 'null']);
    expect(own.id.type).toEqual(['integer', 'string', 'null']);
    expect(Object.keys(alias).sort()).toEqual(Object.keys(own).sort());
    expect(stream('people').json_schema).toEqual(stream('customers').json_schema);
  });
});

describe('planAliases', () => {
  const state = (updated: number) => ({ partitions: { '1': { updated } }, ids: [updated] });

  it.each<[string, Array<{ name: string; syncMode: 'full_refresh' | 'incremental' }>, Record<string, Record<string, unknown>>, unknown]>([
    ['a stream under its own name: read as it is, nothing renamed', [{ name: 'campaign_actions', syncMode: 'incremental' }], { campaign_actions: state(5) }, [{ name: 'campaign_actions', syncMode: 'incremental', state: state(5), printAs: [] }]],
    ["an alias alone: the stream it names, with the alias's state, printed under the alias", [{ name: 'campaigns_actions', syncMode: 'incremental' }], { campaigns_actions: state(5) }, [{ name: 'campaign_actions', syncMode: 'incremental', state: state(5), printAs: [{ name: 'campaigns_actions' }] }]],
    ['both names, incremental: read once from the earlier cursor of each partition, printed under both', [{ name: 'campaign_actions', syncMode: 'incremental' }, { name: 'campaigns_actions', syncMode: 'incremental' }], { campaign_actions: state(9), campaigns_actions: state(5) }, [{ name: 'campaign_actions', syncMode: 'incremental', state: { partitions: { '1': { updated: 5 } }, ids: [9, 5], ids_cursor: 9 }, printAs: [{ name: 'campaign_actions' }, { name: 'campaigns_actions' }] }]],
    ['both names, one without a state: read from the start', [{ name: 'campaign_actions', syncMode: 'incremental' }, { name: 'campaigns_actions', syncMode: 'incremental' }], { campaign_actions: state(9) }, [{ name: 'campaign_actions', syncMode: 'incremental', state: undefined, printAs: [{ name: 'campaign_actions' }, { name: 'campaigns_actions' }] }]],
    ['both names, one full refresh: everything, incrementally from nothing (so the other gets a state)', [{ name: 'campaign_actions', syncMode: 'full_refresh' }, { name: 'campaigns_actions', syncMode: 'incremental' }], { campaigns_actions: state(5) }, [{ name: 'campaign_actions', syncMode: 'incremental', state: undefined, printAs: [{ name: 'campaign_actions' }, { name: 'campaigns_actions' }] }]],
    ['people and customers, full refresh: customers read once', [{ name: 'people', syncMode: 'full_refresh' }, { name: 'customers', syncMode: 'full_refresh' }], {}, [{ name: 'customers', syncMode: 'full_refresh', state: undefined, printAs: [{ name: 'people' }, { name: 'customers' }] }]],
  ])('%s', (_case, selected, states, expected) => {
    const plan = planAliases(selected, new Map(Object.entries(states)), strategyOf);
    expect(plan.map((p) => ({ ...p, printAs: p.printAs.map(({ name }) => ({ name })) }))).toEqual(expected);
  });

  it('keeps the order of the catalog, each stream once', () => {
    const plan = planAliases(
      [{ name: 'campaigns', syncMode: 'full_refresh' }, { name: 'people', syncMode: 'full_refresh' }, { name: 'campaigns_actions', syncMode: 'full_refresh' }, { name: 'customers', syncMode: 'full_refresh' }],
      new Map(),
      strategyOf,
    );
    expect(plan.map((p) => p.name)).toEqual(['campaigns', 'customers', 'campaign_actions']);
  });
});

describe('earliestState', () => {
  it.each<[string, Array<Record<string, unknown> | undefined>, unknown]>([
    ['each partition at the earlier cursor, the stream-level one too', [{ updated: 10, partitions: { a: { updated: 50 }, b: { updated: 20 } } }, { updated: 15, partitions: { a: { updated: 40 } } }], { updated: 10, partitions: { a: { updated: 40 }, b: { updated: 15 } } }],
    ['a partition one state lacks, with no stream-level cursor there: read in full', [{ partitions: { a: { updated: 50 }, b: { updated: 20 } } }, { partitions: { a: { updated: 40 } } }], { partitions: { a: { updated: 40 } } }],
    ['cursors as text and as numbers compare as times', [{ partitions: { a: { updated: String(MAY_1) } } }, { partitions: { a: { updated: MAY_1 - 1 } } }], { partitions: { a: { updated: MAY_1 - 1 } } }],
    ['the ids of both, once each', [{ partitions: {}, ids: [1, 2] }, { partitions: {}, ids: [2, 3] }], { partitions: {}, ids: [1, 2, 3] }],
    ['nothing when one of them is nothing', [{ updated: 1 }, undefined], undefined],
    ['the ids of both with the later ids_cursor (a deletion never dated before a row a destination holds)', [{ partitions: {}, ids: [1], ids_cursor: 50 }, { partitions: {}, ids: [2], ids_cursor: 70 }], { partitions: {}, ids: [1, 2], ids_cursor: 70 }],
    ['an ids_cursor of one of them only', [{ partitions: {}, ids: [1], ids_cursor: String(MAY_1) }, { partitions: {} }], { partitions: {}, ids: [1], ids_cursor: String(MAY_1) }],
    [
      'a memory saved without ids_cursor stands for its own newest cursor',
      [{ partitions: { a: { updated: 90 } }, ids: [1] }, { partitions: { a: { updated: 40 } }, ids: [2], ids_cursor: 60 }],
      { partitions: { a: { updated: 40 } }, ids: [1, 2], ids_cursor: 90 },
    ],
  ])('%s', (_case, states, expected) => {
    expect(earliestState(states, perCampaign)).toEqual(expected);
  });

  it('takes the earlier cursor of a stream read with one cursor', () => {
    expect(earliestState([{ updated: 30 }, { updated: 20, ids: [1] }], entityCursor('updated'))).toEqual({ updated: 20, ids: [1], ids_cursor: 20 });
    expect(earliestState([{ updated: 30, ids: [1], ids_cursor: 35 }, { updated: 20, ids: [1, 2], ids_cursor: 25 }], entityCursor('updated'))).toEqual({ updated: 20, ids: [1, 2], ids_cursor: 35 });
  });
});

describe('mirrorAliases', () => {
  function capture() {
    let text = '';
    const sink = new ProtocolSink(
      new Output(
        new Writable({
          write(chunk, _encoding, done) {
            text += String(chunk);
            done();
          },
        }),
      ),
    );
    return { sink, lines: () => text.trim().split('\n').map((l) => JSON.parse(l) as AirbyteMessage) };
  }
  const record = (data: Record<string, unknown>) => ({ data, json: JSON.stringify(data) });

  it('passes every event of a stream on under each name it is selected under, records reshaped for that name', () => {
    const { sink, lines } = capture();
    const plan = planAliases([{ name: 'campaign_actions', syncMode: 'incremental' }, { name: 'campaigns_actions', syncMode: 'incremental' }], new Map(), strategyOf);
    const mirrored = mirrorAliases(sink, plan);
    mirrored.emit({ type: 'page', stream: 'campaign_actions', records: [record({ id: 12, campaign_id: 1 })], state: { partitions: {} }, at: 5 });
    mirrored.emit({ type: 'ended', stream: 'campaign_actions', complete: true, at: 6 });
    mirrored.emit({ type: 'error', stream: 'campaign_actions', error: new ConnectorError('boom', 'system_error'), at: 7 });
    mirrored.emit({ type: 'page', stream: 'campaigns', records: [record({ id: 1 })], state: {}, at: 5 });
    mirrored.emit({ type: 'log', level: 'INFO', message: 'done' });
    const printed = lines().map((m) => JSON.stringify(m));
    expect(lines().filter((m) => m.type === 'RECORD')).toEqual([
      { type: 'RECORD', record: { stream: 'campaign_actions', data: { id: 12, campaign_id: 1 }, emitted_at: 5 } },
      { type: 'RECORD', record: { stream: 'campaigns_actions', data: { id: '12', campaign_id: 1 }, emitted_at: 5 } },
      { type: 'RECORD', record: { stream: 'campaigns', data: { id: 1 }, emitted_at: 5 } },
    ]);
    expect(printed.filter((l) => l.includes('"STATE"')).map((l) => JSON.parse(l).state.stream.stream_descriptor.name)).toEqual(['campaign_actions', 'campaigns_actions', 'campaigns']);
    expect(printed.filter((l) => l.includes('STREAM_STATUS')).map((l) => JSON.parse(l).trace.stream_status.stream_descriptor.name)).toEqual(['campaign_actions', 'campaigns_actions']);
    expect(printed.filter((l) => l.includes('"ERROR"')).map((l) => JSON.parse(l).trace.error.stream_descriptor.name)).toEqual(['campaign_actions', 'campaigns_actions']);
    expect(printed.filter((l) => l.includes('"LOG"'))).toHaveLength(1);
  });

  it('passes a stream selected only under an alias on under the alias alone', () => {
    const { sink, lines } = capture();
    const mirrored = mirrorAliases(sink, planAliases([{ name: 'people', syncMode: 'full_refresh' }], new Map(), strategyOf));
    mirrored.emit({ type: 'page', stream: 'customers', records: [record({ cio_id: 'a1' })], state: {}, at: 5 });
    expect(lines().filter((m) => m.type === 'RECORD')).toEqual([{ type: 'RECORD', record: { stream: 'people', data: { cio_id: 'a1' }, emitted_at: 5 } }]);
  });

  it('asks the sink whether it wants a state under every name a stream goes on under, with its records once per name', () => {
    const asked: Array<[string, number]> = [];
    const inner = { emit: () => undefined, drained: async () => undefined, close: () => undefined, flush: async () => undefined, stateWanted: (stream: string, incoming: number) => (asked.push([stream, incoming]), stream === 'campaigns_actions') };
    const plan = planAliases([{ name: 'campaign_actions', syncMode: 'incremental' }, { name: 'campaigns_actions', syncMode: 'incremental' }], new Map(), strategyOf);
    const mirrored = mirrorAliases(inner, plan);
    expect(mirrored.stateWanted?.('campaign_actions', 10)).toBe(true);
    expect(asked).toEqual([['campaign_actions', 20], ['campaigns_actions', 20]]);
    expect(mirrored.stateWanted?.('campaigns', 10)).toBe(false);
    expect(asked.at(-1)).toEqual(['campaigns', 10]);
  });

  it('is the sink itself when nothing is selected under another name', () => {
    const { sink } = capture();
    expect(mirrorAliases(sink, planAliases([{ name: 'customers', syncMode: 'full_refresh' }], new Map(), strategyOf))).toBe(sink);
  });

  it('leaves a null action id null under the alias', () => {
    const event = renamed({ type: 'page', stream: 'campaign_actions', records: [record({ id: null })], state: {}, at: 1 }, 'campaigns_actions', (r) => (typeof r.id === 'number' ? { ...r, id: String(r.id) } : r));
    expect(event).toMatchObject({ stream: 'campaigns_actions', records: [{ data: { id: null }, json: '{"id":null}' }] });
  });
});
