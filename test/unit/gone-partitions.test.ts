/**
 * Per-parent cursors of parents deleted in Customer.io: a complete read over the whole parent list drops them
 * from the final STATE (otherwise state grows with every campaign ever deleted). The pure rule
 * (partitionsStillLive), then the read loop against nock: when it prunes, and when it must not.
 */
import nock from 'nock';
import { Checkpoint, partitionsStillLive } from '../../src/engine/checkpoint.js';
import { clientSide } from '../../src/engine/incremental.js';
import { cursorPaginator, noPagination } from '../../src/engine/paginators.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { BASE, ReadRun } from './reader-harness.js';
import { DAY, MAY_1 } from './fixtures.js';

describe('partitionsStillLive', () => {
  const live = new Set(['1', '3']);

  it.each([
    ['drops the cursors of partitions not live', { partitions: { '1': { updated: 1 }, '2': { updated: 2 }, '3': { updated: 3 } } }, { partitions: { '1': { updated: 1 }, '3': { updated: 3 } } }, ['2']],
    ['keeps every other key of the state as it is', { partitions: { '2': { updated: 2 }, '1': { updated: 1 } }, ids: [11, 21], other: { a: 1 } }, { partitions: { '1': { updated: 1 } }, ids: [11, 21], other: { a: 1 } }, ['2']],
    ['drops every cursor when no partition is live', { partitions: { '7': { updated: 7 }, '8': { updated: 8 } } }, { partitions: {} }, ['7', '8']],
    ['leaves a state whose partitions are all live unchanged', { partitions: { '1': { updated: 1 } } }, { partitions: { '1': { updated: 1 } } }, []],
    ['leaves a state without partitions unchanged', { updated: 5, ids: [1] }, { updated: 5, ids: [1] }, []],
    ['leaves partitions that are not an object unchanged', { partitions: [1, 2] }, { partitions: [1, 2] }, []],
    ['leaves null partitions unchanged', { partitions: null }, { partitions: null }, []],
  ])('%s', (_case, state, expected, dropped) => {
    const before = structuredClone(state);
    const result = partitionsStillLive(state, live);
    expect(result.state).toEqual(expected);
    expect(result.dropped).toEqual(dropped);
    // Pure: the given state is not touched.
    expect(state).toEqual(before);
  });
});

describe('Checkpoint.keepPartitions', () => {
  it('drops gone partitions of a per-partition stream, cursors moved in this run included', () => {
    const checkpoint = new Checkpoint(clientSide('updated', { perPartition: true }), { partitions: { '1': { updated: 10 }, '9': { updated: 90 } }, ids: [1] });
    checkpoint.advance('2', 20);
    expect(checkpoint.keepPartitions(new Set(['1']))).toEqual(['2', '9']);
    expect(checkpoint.take().state).toEqual({ partitions: { '1': { updated: 10 } }, ids: [1] });
  });

  it('leaves a stream-level cursor alone (no partitions to drop)', () => {
    const checkpoint = new Checkpoint(clientSide('updated'), { updated: 10, partitions: { '9': { updated: 90 } } });
    expect(checkpoint.keepPartitions(new Set())).toEqual([]);
    expect(checkpoint.take().state).toEqual({ updated: 10, partitions: { '9': { updated: 90 } } });
  });
});

const campaign = (id: number) => ({ id, name: `Campaign ${id}`, updated: MAY_1 });
const action = (id: number, campaignId: number, updated: number) => ({ id, campaign_id: campaignId, name: `Email ${id}`, updated });

const campaigns = {
  name: 'campaigns',
  primaryKey: [['id']],
  request: { path: '/campaigns' },
  records: '$.campaigns[*]',
  paginate: noPagination,
} satisfies StreamDefinition;

const campaignActions = {
  name: 'campaign_actions',
  primaryKey: [['id']],
  parent: { stream: campaigns, key: (c) => String(c.id) },
  request: { path: ({ partition }) => `/campaigns/${String(partition.parent?.id)}/actions` },
  records: '$.actions[*]',
  paginate: cursorPaginator(),
  incremental: clientSide('updated', { perPartition: true }),
  concurrency: 1,
} satisfies StreamDefinition;

/** A grandchild: one partition per action, so its parent list is campaign_actions read over every campaign. */
const actionMetrics = {
  name: 'action_metrics',
  primaryKey: [['action_id']],
  parent: { stream: campaignActions, key: (a) => String(a.id) },
  request: { path: ({ partition }) => `/campaigns/${String(partition.parent?.campaign_id)}/actions/${partition.key}/metrics` },
  records: '$.metric',
  paginate: noPagination,
  transform: (record, ctx) => ({ action_id: Number(ctx.partition.key), ...record }),
  incremental: clientSide('updated', { perPartition: true }),
  concurrency: 1,
} satisfies StreamDefinition;

const byType = {
  name: 'activities',
  primaryKey: [['id']],
  request: { path: '/activities', query: ({ partition }) => ({ type: partition.values?.type as string }) },
  records: '$.activities[*]',
  paginate: noPagination,
  partitions: () => [{ key: 'type=event', values: { type: 'event' } }],
  incremental: clientSide('timestamp', { perPartition: true }),
} satisfies StreamDefinition;

const notFound = { errors: [{ detail: 'campaign not found', status: '404' }] };
const lastState = (run: ReadRun, name: string) => run.states(name).at(-1);
const dropNotes = (run: ReadRun) => run.logs().filter((m) => m.includes('dropped the saved cursor'));

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('Reader: cursors of parents no longer in Customer.io', () => {
  it('drops, from the final STATE only, the cursors of parents not in the list and of a parent that answered 404, with one INFO line', async () => {
    nock(BASE)
      .get('/campaigns')
      .reply(200, { campaigns: [campaign(1), campaign(2), campaign(3)] })
      .get('/campaigns/1/actions')
      .reply(200, { actions: [action(11, 1, MAY_1 + DAY)], next: '' })
      .get('/campaigns/2/actions')
      .reply(404, notFound)
      .get('/campaigns/3/actions')
      .reply(200, { actions: [action(31, 3, MAY_1)], next: '' });
    const state = { partitions: { '1': { updated: MAY_1 }, '2': { updated: MAY_1 }, '8': { updated: MAY_1 - DAY }, '9': { updated: MAY_1 - 2 * DAY } }, note: 'kept' };
    const run = new ReadRun();
    const [outcome] = await run.read([{ definition: campaignActions, syncMode: 'incremental', state }]);

    expect(outcome.error).toBeUndefined();
    expect(run.statuses('campaign_actions')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(lastState(run, 'campaign_actions')).toEqual({ partitions: { '1': { updated: MAY_1 + DAY }, '3': { updated: MAY_1 } }, note: 'kept' });
    // Checkpoints before the end keep every cursor: a read stopped midway has not seen the whole list.
    for (const mid of run.states('campaign_actions').slice(0, -1)) expect(Object.keys(mid.partitions).sort()).toEqual(['1', '2', '8', '9']);
    const info = run.logs('INFO').filter((m) => m.includes('dropped the saved cursor'));
    expect(info).toEqual(['campaign_actions: dropped the saved cursors of 3 campaigns no longer in Customer.io (2, 8, 9)']);
  });

  it('says "cursor" and the singular when one parent is gone, and says nothing when none is', async () => {
    nock(BASE)
      .get('/campaigns')
      .twice()
      .reply(200, { campaigns: [campaign(1)] })
      .get('/campaigns/1/actions')
      .twice()
      .reply(200, { actions: [], next: '' });
    const one = new ReadRun();
    await one.read([{ definition: campaignActions, syncMode: 'incremental', state: { partitions: { '1': { updated: MAY_1 }, '5': { updated: MAY_1 } } } }]);
    expect(dropNotes(one)).toEqual(['campaign_actions: dropped the saved cursor of 1 campaign no longer in Customer.io (5)']);
    const none = new ReadRun();
    await none.read([{ definition: campaignActions, syncMode: 'incremental', state: { partitions: { '1': { updated: MAY_1 } } } }]);
    expect(dropNotes(none)).toEqual([]);
    expect(lastState(none, 'campaign_actions')).toEqual({ partitions: { '1': { updated: MAY_1 } } });
  });

  it('keeps every cursor of a stream that fails, and says nothing about dropping', async () => {
    nock(BASE)
      .get('/campaigns')
      .reply(200, { campaigns: [campaign(1), campaign(3)] })
      .get('/campaigns/1/actions')
      .reply(200, { actions: [action(11, 1, MAY_1 + DAY)], next: '' })
      .get('/campaigns/3/actions')
      .reply(400, { errors: [{ detail: 'bad request', status: '400' }] });
    const state = { partitions: { '1': { updated: MAY_1 }, '9': { updated: MAY_1 - DAY } } };
    const run = new ReadRun();
    const [outcome] = await run.read([{ definition: campaignActions, syncMode: 'incremental', state }]);
    expect(outcome.error?.failureType).toBe('system_error');
    expect(run.statuses('campaign_actions').at(-1)).toBe('INCOMPLETE');
    expect(Object.keys(lastState(run, 'campaign_actions')!.partitions).sort()).toEqual(['1', '9']);
    expect(dropNotes(run)).toEqual([]);
  });

  it('keeps cursors of partitions that come from the config (an activity type taken out may come back)', async () => {
    nock(BASE).get('/activities').query({ type: 'event' }).reply(200, { activities: [{ id: 'e1', type: 'event', timestamp: MAY_1 + DAY }] });
    const state = { partitions: { 'type=event': { timestamp: MAY_1 }, 'type=page': { timestamp: MAY_1 - DAY } } };
    const run = new ReadRun();
    await run.read([{ definition: byType, syncMode: 'incremental', state }]);
    expect(run.statuses('activities').at(-1)).toBe('COMPLETE');
    expect(lastState(run, 'activities')).toEqual({ partitions: { 'type=event': { timestamp: MAY_1 + DAY }, 'type=page': { timestamp: MAY_1 - DAY } } });
    expect(dropNotes(run)).toEqual([]);
  });

  it('keeps every cursor when the parent list itself was not read in full (one of its own parents answered 404)', async () => {
    nock(BASE)
      .get('/campaigns')
      .reply(200, { campaigns: [campaign(1), campaign(2)] })
      .get('/campaigns/1/actions')
      .reply(200, { actions: [action(11, 1, MAY_1)], next: '' })
      .get('/campaigns/2/actions')
      .reply(404, notFound)
      .get('/campaigns/1/actions/11/metrics')
      .reply(200, { metric: { updated: MAY_1 + DAY, sent: 3 } });
    // Action 21 belongs to campaign 2, whose actions could not be listed: its cursor must stay.
    const state = { partitions: { '11': { updated: MAY_1 }, '21': { updated: MAY_1 } } };
    const run = new ReadRun();
    await run.read([{ definition: actionMetrics, syncMode: 'incremental', state }]);
    expect(run.statuses('action_metrics').at(-1)).toBe('COMPLETE');
    expect(lastState(run, 'action_metrics')).toEqual({ partitions: { '11': { updated: MAY_1 + DAY }, '21': { updated: MAY_1 } } });
    expect(dropNotes(run)).toEqual([]);
  });

  it('prunes nothing in full refresh (no cursors are kept)', async () => {
    nock(BASE)
      .get('/campaigns')
      .reply(200, { campaigns: [campaign(1)] })
      .get('/campaigns/1/actions')
      .reply(200, { actions: [], next: '' });
    const run = new ReadRun();
    await run.read([{ definition: campaignActions, syncMode: 'full_refresh', state: { partitions: { '9': { updated: MAY_1 } } } }]);
    expect(lastState(run, 'campaign_actions')).toEqual({});
    expect(dropNotes(run)).toEqual([]);
  });
});
