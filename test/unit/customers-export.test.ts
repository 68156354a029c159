/** The export way's pure policy: poll spacing, reading export answers, choosing the method, and rows → records. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AUTO_EXPORT_PEOPLE, columnPlan, exportAttributes, methodFor, personFromRow, workspacePeople } from '../../src/customerio/customers-export.js';
import { DEFAULT_POLL_TIMINGS, exportInfo, pollDelay, pollTimingsFromEnv } from '../../src/customerio/exports.js';

/** Polls made before an export ready after `readyMs` is seen done, and how late it is seen. */
function pollsUntil(readyMs: number): { polls: number; lateMs: number } {
  let t = 0;
  let polls = 0;
  while (t < readyMs) {
    t += pollDelay(t);
    polls++;
  }
  return { polls, lateMs: t - readyMs };
}

describe('pollDelay', () => {
  it.each([
    [0, 1000],
    [2000, 1000],
    [4000, 1000],
    [10_000, 2500],
    [100_000, 25_000],
    [240_000, 60_000],
    [3_600_000, 60_000],
  ])('after %d ms of waiting, waits %d ms', (elapsed, delay) => {
    expect(pollDelay(elapsed)).toBe(delay);
  });

  it.each([
    [10_000, 9],
    [240_000, 23],
    [600_000, 29],
    [1_800_000, 49],
  ])('sees an export ready after %d ms in %d polls, at most a quarter (or a second) late', (readyMs, polls) => {
    const seen = pollsUntil(readyMs);
    expect(seen.polls).toBe(polls);
    expect(seen.lateMs).toBeLessThanOrEqual(Math.max(1000, readyMs * 0.25));
  });

  it('takes its shortest wait and the longest total wait from the environment', () => {
    expect(pollTimingsFromEnv({})).toEqual(DEFAULT_POLL_TIMINGS);
    expect(pollTimingsFromEnv({ CIO_EXPORT_POLL_MS: '50', CIO_EXPORT_MAX_WAIT_MS: '600000' })).toEqual({ minMs: 50, maxMs: 60_000, maxWaitMs: 600_000 });
    expect(pollTimingsFromEnv({ CIO_EXPORT_POLL_MS: 'soon' }).minMs).toBe(1000);
  });
});

describe('exportInfo', () => {
  it.each([
    ['pending, wrapped', { export: { id: 7, status: 'pending', failed: false, total: 0 } }, { id: '7', status: 'pending', total: 0, statusKnown: true }],
    ['done with its total', { export: { id: 7, status: 'done', failed: false, total: 1234 } }, { id: '7', status: 'done', total: 1234, statusKnown: true }],
    ['failed by status', { export: { id: 7, status: 'failed' } }, { id: '7', status: 'failed', total: undefined, statusKnown: true }],
    ['failed by the flag, whatever the status', { export: { id: 7, status: 'done', failed: true } }, { id: '7', status: 'failed', total: undefined, statusKnown: true }],
    ['without a status (older answers): pending until a link says otherwise', { export: { id: '110', failed: false } }, { id: '110', status: 'pending', total: undefined, statusKnown: false }],
    ['flat, not wrapped', { id: 8, status: 'done' }, { id: '8', status: 'done', total: undefined, statusKnown: true }],
  ])('%s', (_name, body, info) => {
    expect(exportInfo(body)).toEqual(info);
  });

  it.each([[null], [{}], [{ export: { status: 'done' } }], [{ export: { id: '' } }], ['text']])('is null without an id: %j', (body) => {
    expect(exportInfo(body)).toBeNull();
  });
});

describe('methodFor and workspacePeople', () => {
  it.each([
    ['api', 10_000_000, 'api'],
    ['export', 10, 'export'],
    ['auto', AUTO_EXPORT_PEOPLE - 1, 'api'],
    ['auto', AUTO_EXPORT_PEOPLE, 'export'],
    ['auto', undefined, 'api'],
  ] as const)('%s with %s people reads by %s', (setting, people, method) => {
    expect(methodFor(setting, people)).toBe(method);
  });

  it.each([
    [{ workspaces: [{ id: 13, people: 25_666 }] }, 25_666],
    [{ workspaces: [{ id: 1, people: 10 }, { id: 2, people: '70000' }] }, 70_000],
    [{ workspaces: [{ id: 1 }] }, undefined],
    [{ workspaces: null }, undefined],
    [{}, undefined],
  ])('reads %j as %s people', (body, people) => {
    expect(workspacePeople(body)).toBe(people);
  });
});

describe('rows of an export file as customers records', () => {
  const header = ['cio_id', 'id', 'email', 'created_at', 'plan', 'company', 'unsubscribed'];
  const row = ['a3000001', '1', 'ada@example.com', '1489014595', 'pro', '', 'false'];

  it('maps identity columns to the key and identifiers, every other column to attributes, empty cells left out', () => {
    expect(personFromRow(columnPlan(header), row, [])).toEqual({
      cio_id: 'a3000001',
      id: '1',
      email: 'ada@example.com',
      identifiers: { cio_id: 'a3000001', id: '1', email: 'ada@example.com' },
      attributes: { id: '1', email: 'ada@example.com', created_at: '1489014595', plan: 'pro', unsubscribed: 'false' },
      unsubscribed: false,
      devices: null,
      timestamps: null,
    });
  });

  it('keeps only the configured attributes, as the API way does, and still reads unsubscribed from its column', () => {
    const record = personFromRow(columnPlan(header), [...row.slice(0, 6), 'TRUE'], ['plan', 'company', 'missing']);
    expect(record.attributes).toEqual({ plan: 'pro' });
    expect(record.unsubscribed).toBe(true);
  });

  it('finds the key column under other spellings, tolerates short rows, and gives null where a column is missing', () => {
    const plan = columnPlan(['Customer.io ID', 'Email', 'plan']);
    expect(plan).toMatchObject({ cioId: 0, id: -1, email: 1 });
    expect(personFromRow(plan, ['b1'], [])).toMatchObject({ cio_id: 'b1', id: null, email: null, attributes: {}, unsubscribed: null });
    expect(columnPlan(['id', 'email']).cioId).toBe(-1);
  });

  it('takes the first non-empty cell of a name given twice', () => {
    const plan = columnPlan(['cio_id', 'plan', 'plan']);
    expect(personFromRow(plan, ['c1', '', 'basic'], []).attributes).toEqual({ plan: 'basic' });
    expect(personFromRow(plan, ['c1', 'pro', 'basic'], []).attributes).toEqual({ plan: 'pro' });
  });

  it('asks the export for the configured attributes and unsubscribed, or for all of them', () => {
    expect(exportAttributes({ customerAttributes: [] })).toBeUndefined();
    expect(exportAttributes({ customerAttributes: ['plan', 'unsubscribed'] })).toEqual(['plan', 'unsubscribed']);
    expect(exportAttributes({ customerAttributes: ['plan'] })).toEqual(['plan', 'unsubscribed']);
  });
});

describe('allowedHosts', () => {
  it('lets the export file be downloaded from the inferred storage hosts, besides the two API hosts', () => {
    const metadata = parse(readFileSync(new URL('../../metadata.yaml', import.meta.url), 'utf8')) as { data: { allowedHosts: { hosts: string[] } } };
    const hosts = metadata.data.allowedHosts.hosts;
    expect(hosts).toEqual(expect.arrayContaining(['api.customer.io', 'api-eu.customer.io', 'storage.googleapis.com']));
    // Airbyte's patterns are host names, a leading `*.` for any subdomain: no scheme, path or port.
    for (const host of hosts) expect(host).toMatch(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });
});
