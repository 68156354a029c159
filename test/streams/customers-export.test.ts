/**
 * customers by export against nock: the export's lifecycle (start, poll, link, file), the records it gives, and
 * what happens when a step goes wrong — a failed export, an expired link, a download cut off, a file without the
 * key column, a file that changed. The clock and the waits are fake: no test waits for real.
 */
import { gzipSync } from 'node:zlib';
import nock from 'nock';
import { customers } from '../../src/customerio/streams/customers.js';
import { exportSource, type ExportDeps } from '../../src/customerio/customers-export.js';
import type { StreamDefinition } from '../../src/engine/types.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

const EVERYONE = { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] };
// A storage host the connector declares (download-hosts.ts): Google Cloud Storage, as the X-Goog parameters say.
const STORAGE = 'https://storage.googleapis.com';
const SIGNATURE = 'c2lnbmF0dXJlLW5vdC10by1iZS1wcmludGVk';
const link = (n = 1) => `${STORAGE}/exports/7-${n}.csv?X-Goog-Expires=900&X-Goog-Signature=${SIGNATURE}${n}`;

const HEADER = 'cio_id,id,email,created_at,plan,company,unsubscribed';
const rowOf = (n: number) => `a${3_000_000 + n},${n},person${n}@example.com,1489014595,${n % 2 ? 'pro' : 'free'},${n % 3 ? '"Acme, Inc."' : ''},${n % 5 === 0}`;
const fileOf = (count: number, header = HEADER) => [header, ...Array.from({ length: count }, (_, i) => rowOf(i + 1))].join('\r\n') + '\r\n';

/** A fake clock that the fake sleep moves, so waits cost nothing and the waited time is exact. */
function fakeTime() {
  const time = { now: 1_700_000_000_000, slept: [] as number[] };
  const deps: ExportDeps = {
    now: () => time.now,
    sleep: async (ms) => {
      time.slept.push(ms);
      time.now += ms;
    },
    random: () => 0,
  };
  return { time, deps };
}

const withDeps = (deps: ExportDeps): StreamDefinition => ({ ...customers, source: exportSource(deps) });

/** The export answers: started, `pending` polls, then done (or failed). */
function exportLifecycle(api: nock.Scope, options: { pending?: number; status?: 'done' | 'failed'; total?: number; attributes?: string[] } = {}) {
  const body = options.attributes ? { filters: EVERYONE, attributes: options.attributes } : { filters: EVERYONE };
  api.post('/v1/exports/customers', body).reply(200, { export: { id: 7, status: 'pending', failed: false, total: 0, type: 'customers' } });
  if (options.pending) api.get('/v1/exports/7').times(options.pending).reply(200, { export: { id: 7, status: 'pending', failed: false, total: 0 } });
  const status = options.status ?? 'done';
  api.get('/v1/exports/7').reply(200, { export: { id: 7, status, failed: status === 'failed', total: options.total ?? 0 } });
  return api;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('customers by export', () => {
  it('starts an export with the filter, polls it, downloads its file without the API key, and emits one record per row', async () => {
    const { time, deps } = fakeTime();
    const api = exportLifecycle(nock(API), { pending: 3, total: 2500 })
      .get('/v1/exports/7/download')
      .reply(200, { url: link() });
    const storage = nock(STORAGE, { badheaders: ['authorization'] })
      .get('/exports/7-1.csv')
      .query(true)
      .reply(200, fileOf(2500), { 'content-type': 'text/csv' });
    const result = await readStreams([{ definition: withDeps(deps) }], { config: { customers_method: 'export' } });
    api.done();
    storage.done();
    const records = result.records('customers');
    expect(records).toHaveLength(2500);
    expect(new Set(records.map((r) => r.cio_id)).size).toBe(2500);
    expect(records[2]).toEqual({
      cio_id: 'a3000003',
      id: '3',
      email: 'person3@example.com',
      identifiers: { cio_id: 'a3000003', id: '3', email: 'person3@example.com' },
      attributes: { id: '3', email: 'person3@example.com', created_at: '1489014595', plan: 'pro', unsubscribed: 'false' },
      unsubscribed: false,
      devices: null,
      timestamps: null,
    });
    expect(records[0].attributes.company).toBe('Acme, Inc.');
    expectRecordsMatchSchema(customers, records);
    // Batches of 1000, handed on like pages: a STATE after every 1,000 records, and one at the end.
    const sequence = result.messages.filter((m) => m.type === 'RECORD' || m.type === 'STATE').map((m) => m.type);
    expect(sequence.filter((t) => t === 'STATE')).toHaveLength(3);
    expect(sequence.indexOf('STATE')).toBe(1000);
    expect(sequence.lastIndexOf('STATE')).toBe(sequence.length - 1);
    expect(result.statuses('customers')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    // Three pending polls, spaced by the poll policy (1 s at first), through the fake clock.
    expect(time.slept.reduce((a, b) => a + b, 0)).toBe(4000);
    expect(result.logs('WARN')).toEqual([expect.stringMatching(/^customers: read through a Customer.io export: devices and timestamps/)]);
    expect(result.logs('INFO').join('\n')).toMatch(/export 7 ready after 4 s \(2,500 people\); downloading/);
  });

  it('asks for the configured attributes and unsubscribed, and keeps only the configured ones', async () => {
    const api = exportLifecycle(nock(API), { attributes: ['plan', 'company', 'unsubscribed'] })
      .get('/v1/exports/7/download')
      .reply(200, { url: link() });
    nock(STORAGE).get('/exports/7-1.csv').query(true).reply(200, fileOf(10, 'cio_id,id,email,plan,company,unsubscribed').replace(/1489014595,/g, ''));
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export', customer_attributes: ['plan', 'company'] } });
    api.done();
    const records = result.records('customers');
    expect(records).toHaveLength(10);
    expect(records[4].attributes).toEqual({ plan: 'pro', company: 'Acme, Inc.' });
    expect(records[4].unsubscribed).toBe(true);
  });

  it.each([
    ['served with Content-Encoding: gzip', (text: string) => [gzipSync(text), { 'content-encoding': 'gzip' }] as const],
    ['a gzip file served as it is', (text: string) => [gzipSync(text), { 'content-type': 'application/gzip' }] as const],
    ['with a byte order mark and LF line ends', (text: string) => [Buffer.from(`\uFEFF${text.replace(/\r\n/g, '\n')}`), {}] as const],
  ])('reads the same records from a file %s', async (_name, encode) => {
    exportLifecycle(nock(API)).get('/v1/exports/7/download').reply(200, { url: link() });
    const [body, headers] = encode(fileOf(1200));
    nock(STORAGE).get('/exports/7-1.csv').query(true).reply(200, body, headers);
    const records = (await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } })).records('customers');
    expect(records.map((r) => r.cio_id)).toEqual(Array.from({ length: 1200 }, (_, i) => `a${3_000_001 + i}`));
    expect(records[1199].attributes.plan).toBe('free');
  });

  it('ends the stream with a transient_error naming the export when Customer.io fails it', async () => {
    exportLifecycle(nock(API), { pending: 1, status: 'failed' });
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    expect(result.records('customers')).toHaveLength(0);
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'transient_error', message: expect.stringMatching(/could not prepare export 7 \(status failed\).*customers_method to api/) })]);
    expect(result.statuses('customers')).toEqual(['STARTED', 'INCOMPLETE']);
  });

  it('gives up with a transient_error once the export has been pending longer than the longest wait', async () => {
    let polls = 0;
    nock(API)
      .post('/v1/exports/customers')
      .reply(200, { export: { id: 7, status: 'pending' } })
      .get('/v1/exports/7')
      .times(100)
      .reply(200, () => {
        polls++;
        return { export: { id: 7, status: 'pending' } };
      });
    const { deps } = fakeTime();
    const result = await readStreams([{ definition: withDeps({ ...deps, timings: { minMs: 1000, maxMs: 60_000, maxWaitMs: 30 * 60_000 } }) }], { config: { customers_method: 'export' } });
    expect(result.errors[0]).toMatchObject({ failure_type: 'transient_error', message: expect.stringMatching(/export 7 was still not ready after 30 minutes/) });
    // Half an hour in 49 polls: the waits grow with the time already waited (one every 2 s would be 900).
    expect(polls).toBe(49);
  });

  it('asks for a new link when storage refuses the first one as expired, and never prints the signature', async () => {
    const api = exportLifecycle(nock(API)).get('/v1/exports/7/download').reply(200, { url: link(1) }).get('/v1/exports/7/download').reply(200, { url: link(2) });
    const refusal = `<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Request has expired</Message><StringToSign>GOOG4 ${SIGNATURE}1</StringToSign></Error>`;
    const storage = nock(STORAGE).get('/exports/7-1.csv').query(true).reply(403, refusal).get('/exports/7-2.csv').query(true).reply(200, fileOf(5));
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    api.done();
    storage.done();
    expect(result.records('customers')).toHaveLength(5);
    expect(result.logs('WARN')).toContain('customers: export 7: storage.googleapis.com answered 403 (AccessDenied); downloading again in 500 ms from a new link');
    expect(JSON.stringify(result.messages)).not.toContain(SIGNATURE);
  });

  it('downloads again after a body cut short and skips the rows already emitted: every person once, none lost', async () => {
    const text = fileOf(2500);
    const api = exportLifecycle(nock(API)).get('/v1/exports/7/download').reply(200, { url: link(1) });
    const storage = nock(STORAGE)
      .get('/exports/7-1.csv')
      .query(true)
      .reply(200, cutShort(text, 1700)) // after a batch went out
      .get('/exports/7-1.csv')
      .query(true)
      .reply(200, text);
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    api.done();
    storage.done();
    const ids = result.records('customers').map((r) => r.cio_id);
    expect(ids).toEqual(Array.from({ length: 2500 }, (_, i) => `a${3_000_001 + i}`));
    expect(result.logs('WARN').join('\n')).toMatch(/the file ends inside a quoted field; downloading again in 500 ms, skipping the 1000 rows already read/);
    expect(result.logs('INFO').join('\n')).toMatch(/read 2,500 rows of the export file in 2 downloads/);
  });

  it('downloads again after a body that ends mid-row without a line end (a connection closed without Content-Length): no truncated person', async () => {
    const text = fileOf(3);
    // Row 3 stops after its email: four of the header's seven cells, no line end, no open quote.
    const cut = text.slice(0, text.indexOf(',1489014595', text.indexOf('a3000003,')));
    const storage = nock(STORAGE).get('/exports/7-1.csv').query(true).reply(200, cut).get('/exports/7-1.csv').query(true).reply(200, text);
    exportLifecycle(nock(API), { total: 3 }).get('/v1/exports/7/download').reply(200, { url: link(1) });
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    storage.done();
    expect(result.records('customers').map((r) => [r.cio_id, r.attributes?.plan])).toEqual([
      ['a3000001', 'pro'],
      ['a3000002', 'free'],
      ['a3000003', 'pro'],
    ]);
    expect(result.logs('WARN').join('\n')).toMatch(/the file ends in the middle of a row \(3 of the header's 7 cells, no line end\); downloading again/);
    expect(result.statuses('customers')).toContain('COMPLETE');
  });

  it('takes a new link to resume once the first is near its 15 minutes, even if storage would still take it', async () => {
    const { time, deps } = fakeTime();
    const text = fileOf(1500);
    const api = exportLifecycle(nock(API)).get('/v1/exports/7/download').reply(200, { url: link(1) }).get('/v1/exports/7/download').reply(200, { url: link(2) });
    const storage = nock(STORAGE)
      .get('/exports/7-1.csv')
      .query(true)
      .reply(200, () => {
        time.now += 16 * 60_000; // a slow platform: the first download outlives its link
        return cutShort(text, 1201);
      })
      .get('/exports/7-2.csv')
      .query(true)
      .reply(200, text);
    const result = await readStreams([{ definition: withDeps(deps) }], { config: { customers_method: 'export' } });
    api.done();
    storage.done();
    expect(result.records('customers')).toHaveLength(1500);
  });

  it('stops with a transient_error when a new download has another header than the first (the file changed)', async () => {
    exportLifecycle(nock(API)).get('/v1/exports/7/download').reply(200, { url: link(1) });
    const text = fileOf(1500);
    nock(STORAGE)
      .get('/exports/7-1.csv')
      .query(true)
      .reply(200, cutShort(text, 1201))
      .get('/exports/7-1.csv')
      .query(true)
      .reply(200, text.replace('plan,company', 'company,plan'));
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    expect(result.records('customers')).toHaveLength(1000);
    expect(result.errors[0]).toMatchObject({ failure_type: 'transient_error', message: expect.stringMatching(/file of export 7 changed between two downloads \(its header is not the same\)/) });
  });

  it('gives up after 6 failed downloads in a row with a transient_error', async () => {
    exportLifecycle(nock(API)).get('/v1/exports/7/download').times(6).reply(200, { url: link(1) });
    nock(STORAGE).get('/exports/7-1.csv').query(true).times(6).reply(503, 'busy');
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    expect(result.errors[0]).toMatchObject({ failure_type: 'transient_error', message: expect.stringMatching(/Could not download the file of export 7 after 6 attempts \(last: storage.googleapis.com answered 503\)/) });
  });

  it('reads customers through the API instead, with a WARN, when the file has no cio_id column', async () => {
    exportLifecycle(nock(API)).get('/v1/exports/7/download').reply(200, { url: link() });
    nock(STORAGE).get('/exports/7-1.csv').query(true).reply(200, 'id,email,plan\n1,a@example.com,pro\n');
    const search = nock(API)
      .post('/v1/customers', { filter: EVERYONE })
      .query({ limit: '1000' })
      .reply(200, { identifiers: [{ cio_id: 'a3000001', id: '1', email: 'a@example.com' }], ids: ['1'], next: '' })
      .post('/v1/customers/attributes')
      .query({ id_type: 'cio_id' })
      .reply(200, { customers: [{ customer: { id: '1', identifiers: { cio_id: 'a3000001', id: '1', email: 'a@example.com' }, attributes: { plan: 'pro' }, devices: [], timestamps: {}, unsubscribed: false } }] });
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    search.done();
    expect(result.records('customers')).toEqual([expect.objectContaining({ cio_id: 'a3000001', devices: [] })]);
    expect(result.logs('WARN')).toContain('customers: the export file has no cio_id column (columns: id, email, plan); reading customers through the API instead, so every record keeps its cio_id key');
  });

  it('asks for the link while polling an export answered without a status, and takes it once it comes', async () => {
    const api = nock(API)
      .post('/v1/exports/customers')
      .reply(200, { export: { id: 110, failed: false } })
      .get('/v1/exports/110/download')
      .reply(400, { errors: [{ detail: 'export not ready' }] })
      .get('/v1/exports/110')
      .reply(200, { export: { id: 110, failed: false } })
      .get('/v1/exports/110/download')
      .reply(200, { url: `${STORAGE}/110.csv?sig=x` });
    nock(STORAGE).get('/110.csv').query(true).reply(200, fileOf(3));
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    api.done();
    expect(result.records('customers')).toHaveLength(3);
    expect(result.logs('WARN')).not.toContainEqual(expect.stringMatching(/reported/));
  });

  it.each([
    ['not https', 'http://storage.googleapis.com/7.csv?sig=x', /it is plain http/],
    ['not on a storage host', 'https://collector.example.com/7.csv?sig=x', /collector\.example\.com is not a storage host/],
  ])('refuses a link that is %s, with a system_error naming why and never the link', async (_what, url, why) => {
    exportLifecycle(nock(API)).get('/v1/exports/7/download').reply(200, { url });
    // Without the operator's permission for a private network, which the test run gives (http would pass with it).
    const strict = { ...fakeTime().deps, links: { allowPrivate: false, extraHosts: [] } };
    const result = await readStreams([{ definition: withDeps(strict) }], { config: { customers_method: 'export' } });
    expect(result.errors[0]).toMatchObject({ failure_type: 'system_error', message: expect.stringMatching(/^Customer\.io's link to the file of export 7 is not followed: /) });
    expect(result.errors[0].message).toMatch(why);
    expect(JSON.stringify(result.errors)).not.toContain('sig=x');
  });

  it('skips rows without a cio_id and counts them in one WARN, as the API way does', async () => {
    exportLifecycle(nock(API)).get('/v1/exports/7/download').reply(200, { url: link() });
    nock(STORAGE).get('/exports/7-1.csv').query(true).reply(200, `${HEADER}\n${rowOf(1)}\n,2,b@example.com,,,,\n${rowOf(3)}\n,4,,,,,\n`);
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    expect(result.records('customers').map((r) => r.cio_id)).toEqual(['a3000001', 'a3000003']);
    expect(result.logs('WARN')).toContain('customers: skipped 2 people without a cio_id');
  });

  it('fails the stream (transient) when the file has fewer rows than the export reported, so an overwrite never drops the people missing', async () => {
    exportLifecycle(nock(API), { total: 4 }).get('/v1/exports/7/download').reply(200, { url: link() });
    nock(STORAGE).get('/exports/7-1.csv').query(true).reply(200, fileOf(3));
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    expect(result.statuses('customers')).toContain('INCOMPLETE');
    expect(result.statuses('customers')).not.toContain('COMPLETE');
    expect(result.errors).toEqual([
      expect.objectContaining({ failure_type: 'transient_error', message: 'The file of export 7 had 3 rows, but the export reported 4 people: the download was cut short. Run the sync again; if it keeps happening, set customers_method to api.' }),
    ]);
  });

  it('completes when the file has as many rows as the export reported, or more', async () => {
    exportLifecycle(nock(API), { total: 3 }).get('/v1/exports/7/download').reply(200, { url: link() });
    nock(STORAGE).get('/exports/7-1.csv').query(true).reply(200, fileOf(3));
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    expect(result.records('customers')).toHaveLength(3);
    expect(result.statuses('customers')).toContain('COMPLETE');
    expect(result.errors).toEqual([]);
  });
});

describe('customers_method auto', () => {
  it('reads through the API in a workspace under 50,000 people', async () => {
    const api = nock(API)
      .get('/v1/workspaces')
      .reply(200, { workspaces: [{ id: 13, people: 49_999 }] })
      .post('/v1/customers')
      .query(true)
      .reply(200, { identifiers: [], ids: [], next: '' });
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'auto' } });
    api.done();
    expect(result.logs('INFO')).toContain('customers: customers_method auto: 49,999 people in the workspace, so the API');
    expect(result.statuses('customers')).toContain('COMPLETE');
  });

  it('exports in a workspace of 50,000 people or more', async () => {
    const api = exportLifecycle(nock(API).get('/v1/workspaces').reply(200, { workspaces: [{ id: 13, people: 1_000_000 }] }))
      .get('/v1/exports/7/download')
      .reply(200, { url: link() });
    nock(STORAGE).get('/exports/7-1.csv').query(true).reply(200, fileOf(2));
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'auto' } });
    api.done();
    expect(result.records('customers')).toHaveLength(2);
    expect(result.logs('WARN')).toEqual([expect.stringMatching(/read through a Customer.io export: devices and timestamps/)]);
  });

  it('falls back to the API when the export fails, or the key may not export', async () => {
    exportLifecycle(nock(API).get('/v1/workspaces').reply(200, { workspaces: [{ people: 80_000 }] }), { status: 'failed' });
    const search = nock(API).post('/v1/customers').query(true).reply(200, { identifiers: [], ids: [], next: '' });
    const failed = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'auto' } });
    search.done();
    expect(failed.errors).toEqual([]);
    expect(failed.logs('WARN')).toContainEqual(expect.stringMatching(/could not prepare export 7 \(status failed\); reading customers through the API instead/));

    nock(API).get('/v1/workspaces').reply(200, { workspaces: [{ people: 80_000 }] }).post('/v1/exports/customers').reply(403, { errors: [{ detail: 'forbidden' }] });
    const again = nock(API).post('/v1/customers').query(true).reply(200, { identifiers: [], ids: [], next: '' });
    const refused = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'auto' } });
    again.done();
    expect(refused.errors).toEqual([]);
    expect(refused.logs('WARN')).toContainEqual(expect.stringMatching(/the export was refused \(POST \/exports\/customers answered 403: forbidden\)/));
  });

  it('with customers_method export, a refused export is the stream being unavailable, as for any 403', async () => {
    nock(API).post('/v1/exports/customers').reply(403, { errors: [{ detail: 'forbidden' }] });
    const result = await readStreams([{ definition: withDeps(fakeTime().deps) }], { config: { customers_method: 'export' } });
    expect(result.errors[0]).toMatchObject({ failure_type: 'config_error', message: expect.stringMatching(/Stream customers is not available to this App API key \(403/) });
  });
});

/**
 * The file cut short inside the quoted company of row `n` (rows with n % 3 ≠ 0 have one): what a download that
 * broke off looks like once read. (A connection dropped mid-body is the sandbox end-to-end tests' business: nock
 * cannot break a body off reliably once several test files have loaded it in one worker.)
 */
function cutShort(text: string, n: number): string {
  if (n % 3 === 0) throw new Error(`row ${n} has no quoted field`);
  return text.slice(0, text.indexOf('"Acme', text.indexOf(`a${3_000_000 + n},`)) + 3);
}
