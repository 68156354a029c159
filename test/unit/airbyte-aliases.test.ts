/** Airbyte's stream names beside this connector's: what discover offers, what a selection reads, how it is printed. */
import { Writable } from 'node:stream';
import { earliestState, planAliases, withAliases } from '../../src/customerio/airbyte/aliases.js';
import { mirrorAliases, renamed } from '../../src/customerio/airbyte/mirror.js';
import { streamsFor } from '../../src/customerio/streams/index.js';
import { offeredStream, toAirbyteStream } from '../../src/engine/discover.js';
import { entityCursor } from '../../src/engine/incremental.js';
import { recordMessage, stateMessage, statusMessage, errorMessage, type AirbyteMessage } from '../../src/protocol/messages.js';
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
    ['both names, incremental: read once from the earlier cursor of each partition, printed under both', [{ name: 'campaign_actions', syncMode: 'incremental' }, { name: 'campaigns_actions', syncMode: 'incremental' }], { campaign_actions: state(9), campaigns_actions: state(5) }, [{ name: 'campaign_actions', syncMode: 'incremental', state: { partitions: { '1': { updated: 5 } }, ids: [9, 5] }, printAs: [{ name: 'campaign_actions' }, { name: 'campaigns_actions' }] }]],
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
  ])('%s', (_case, states, expected) => {
    expect(earliestState(states, perCampaign)).toEqual(expected);
  });

  it('takes the earlier cursor of a stream read with one cursor', () => {
    expect(earliestState([{ updated: 30 }, { updated: 20, ids: [1] }], entityCursor('updated'))).toEqual({ updated: 20, ids: [1] });
  });
});

describe('mirrorAliases', () => {
  function capture() {
    let text = '';
    const output = new Output(
      new Writable({
        write(chunk, _encoding, done) {
          text += String(chunk);
          done();
        },
      }),
    );
    return { output, lines: () => text.trim().split('\n').map((l) => JSON.parse(l) as AirbyteMessage) };
  }

  it('prints every message of a stream under each name it is selected under, records reshaped for that name', () => {
    const { output, lines } = capture();
    const plan = planAliases([{ name: 'campaign_actions', syncMode: 'incremental' }, { name: 'campaigns_actions', syncMode: 'incremental' }], new Map(), strategyOf);
    const mirrored = mirrorAliases(output, plan);
    mirrored.batch(() => {
      mirrored.emit(recordMessage('campaign_actions', { id: 12, campaign_id: 1 }, 5));
      mirrored.emit(stateMessage('campaign_actions', { partitions: {} }, 1));
    });
    mirrored.emit(statusMessage('campaign_actions', 'COMPLETE', 6));
    mirrored.emit(errorMessage('boom', 'system_error', 7, { stream: 'campaign_actions' }));
    mirrored.emit(recordMessage('campaigns', { id: 1 }, 5));
    mirrored.log('INFO', 'done');
    const printed = lines().map((m) => JSON.stringify(m));
    expect(lines().filter((m) => m.type === 'RECORD')).toEqual([
      { type: 'RECORD', record: { stream: 'campaign_actions', data: { id: 12, campaign_id: 1 }, emitted_at: 5 } },
      { type: 'RECORD', record: { stream: 'campaigns_actions', data: { id: '12', campaign_id: 1 }, emitted_at: 5 } },
      { type: 'RECORD', record: { stream: 'campaigns', data: { id: 1 }, emitted_at: 5 } },
    ]);
    expect(printed.filter((l) => l.includes('"STATE"')).map((l) => JSON.parse(l).state.stream.stream_descriptor.name)).toEqual(['campaign_actions', 'campaigns_actions']);
    expect(printed.filter((l) => l.includes('STREAM_STATUS')).map((l) => JSON.parse(l).trace.stream_status.stream_descriptor.name)).toEqual(['campaign_actions', 'campaigns_actions']);
    expect(printed.filter((l) => l.includes('"ERROR"')).map((l) => JSON.parse(l).trace.error.stream_descriptor.name)).toEqual(['campaign_actions', 'campaigns_actions']);
    expect(printed.filter((l) => l.includes('"LOG"'))).toHaveLength(1);
  });

  it('prints a stream selected only under an alias under the alias alone', () => {
    const { output, lines } = capture();
    const mirrored = mirrorAliases(output, planAliases([{ name: 'people', syncMode: 'full_refresh' }], new Map(), strategyOf));
    mirrored.emit(recordMessage('customers', { cio_id: 'a1' }, 5));
    expect(lines()).toEqual([{ type: 'RECORD', record: { stream: 'people', data: { cio_id: 'a1' }, emitted_at: 5 } }]);
  });

  it('is the output itself when nothing is selected under another name', () => {
    const { output } = capture();
    expect(mirrorAliases(output, planAliases([{ name: 'customers', syncMode: 'full_refresh' }], new Map(), strategyOf))).toBe(output);
  });

  it('leaves a null action id null under the alias', () => {
    const message = renamed(recordMessage('campaign_actions', { id: null }, 1), 'campaigns_actions', (r) => (typeof r.id === 'number' ? { ...r, id: String(r.id) } : r));
    expect(message).toEqual({ type: 'RECORD', record: { stream: 'campaigns_actions', data: { id: null }, emitted_at: 1 } });
  });
});
