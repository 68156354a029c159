/**
 * The sandbox's customers exports at the HTTP level: the lifecycle (pending for its polls and preparation time,
 * then done or failed), signed links that expire, a storage host that takes no App API key, and a file written
 * from the seeded people in the format chosen (plain, gzip either way, CRLF, BOM, with or without cio_id).
 */
import { gunzipSync } from 'node:zlib';
import { CsvParser } from '../../src/customerio/csv.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call } from './helpers.js';

const EVERYONE = { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, sizes: { customers: 300 } });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.setExportBehaviour({}));

async function startedExport(body: unknown = { filters: EVERYONE }): Promise<number> {
  const reply = await call(sandbox, '/exports/customers', { body });
  expect(reply.status).toBe(200);
  return reply.body.export.id;
}

async function doneExport(body?: unknown): Promise<number> {
  const id = await startedExport(body);
  for (let i = 0; i < 5; i++) if ((await call(sandbox, `/exports/${id}`)).body.export.status === 'done') return id;
  throw new Error('not done');
}

const rowsOf = (text: string) => {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
};

describe('sandbox customers exports', () => {
  it('starts pending, answers pending for its polls, then done with the total of people its filter keeps', async () => {
    sandbox.setExportBehaviour({ pendingPolls: 2 });
    const started = await call(sandbox, '/exports/customers', { body: { filters: { and: [{ attribute: { field: 'plan', operator: 'eq', value: 'pro' } }] } } });
    expect(started.body.export).toMatchObject({ id: expect.any(Number), type: 'customers', status: 'pending', failed: false, total: 0, created_at: sandbox.now() });
    const id = started.body.export.id;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sandbox, `/exports/${id}`)).body.export);
    expect(statuses.map((e) => e.status)).toEqual(['pending', 'pending', 'done']);
    expect(statuses[2].total).toBeGreaterThan(50);
    expect(statuses[2].total).toBeLessThan(200);
    expect(sandbox.exportLog().find((e) => e.id === id)).toMatchObject({ polls: 3, status: 'done', settledAtMs: expect.any(Number) });
  });

  it('stays pending until its preparation time has passed, however often it is polled', async () => {
    sandbox.setExportBehaviour({ pendingPolls: 0, prepareMs: 400 });
    const id = await startedExport();
    expect((await call(sandbox, `/exports/${id}`)).body.export.status).toBe('pending');
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await call(sandbox, `/exports/${id}`)).body.export.status).toBe('done');
  });

  it('fails exports on demand, with status failed and failed: true, and gives them no link', async () => {
    sandbox.setExportBehaviour({ fail: true, pendingPolls: 0 });
    const id = await startedExport();
    expect((await call(sandbox, `/exports/${id}`)).body.export).toMatchObject({ status: 'failed', failed: true });
    expect((await call(sandbox, `/exports/${id}/download`)).status).toBe(400);
  });

  it('refuses a missing or malformed filters, attributes that are not strings, and unknown exports', async () => {
    expect((await call(sandbox, '/exports/customers', { body: { filter: EVERYONE } })).status).toBe(400);
    const bad = await call(sandbox, '/exports/customers', { body: { filters: { and: [] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].source).toEqual({ pointer: '/filters/and' });
    expect((await call(sandbox, '/exports/customers', { body: { filters: EVERYONE, attributes: [1] } })).status).toBe(400);
    expect((await call(sandbox, '/exports/999999')).status).toBe(404);
    expect((await call(sandbox, '/exports/customers', { body: { filters: EVERYONE }, key: null })).status).toBe(401);
  });

  it('hands out a link to a CSV file of every person kept, cio_id, id and email first, then the attributes', async () => {
    const id = await doneExport();
    const { url } = (await call(sandbox, `/exports/${id}/download`)).body;
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${sandbox.port}/__storage/exports/${id}\\.csv\\?X-Expires=\\d+&X-Signature=[0-9a-f]{64}$`));
    const file = await fetch(url);
    expect(file.status).toBe(200);
    const rows = rowsOf(await file.text());
    expect(rows[0]).toEqual(['cio_id', 'id', 'email', 'created_at', 'first_name', 'last_name', 'plan', 'country', 'company', 'lifetime_value', 'unsubscribed']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(sandbox.expected.customerCioIds());
    // Missing values are empty cells: people without an id, without a company.
    expect(rows.some((r) => r[1] === '')).toBe(true);
    expect(rows.some((r) => r[8] === '')).toBe(true);
    expect(sandbox.exportLog().find((e) => e.id === id)?.downloads).toEqual([expect.objectContaining({ rows: 300, complete: true })]);
  });

  it('writes only the requested attributes as columns', async () => {
    const id = await doneExport({ filters: EVERYONE, attributes: ['plan', 'email', 'unsubscribed'] });
    const rows = rowsOf(await (await fetch((await call(sandbox, `/exports/${id}/download`)).body.url)).text());
    expect(rows[0]).toEqual(['cio_id', 'id', 'email', 'plan', 'unsubscribed']);
  });

  it('refuses a request to storage that carries an Authorization header, a wrong signature, or an expired link', async () => {
    const id = await doneExport();
    const { url } = (await call(sandbox, `/exports/${id}/download`)).body;
    const withKey = await fetch(url, { headers: { Authorization: 'Bearer sandbox-us-key' } });
    expect(withKey.status).toBe(400);
    expect(await withKey.text()).toContain('<Code>InvalidArgument</Code>');
    const forged = await fetch(url.replace(/X-Signature=[0-9a-f]/, 'X-Signature=g'));
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    sandbox.setExportBehaviour({ expiredLinks: 1 });
    const expired = await fetch((await call(sandbox, `/exports/${id}/download`)).body.url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message><SignatureProvided>[0-9a-f]{64}</);
    expect((await fetch((await call(sandbox, `/exports/${id}/download`)).body.url)).status).toBe(200);
  });

  it('serves the file gzipped by Content-Encoding or as a gzip file, with CRLF and a BOM, or without cio_id', async () => {
    sandbox.setExportBehaviour({ encoding: 'gzip-file', crlf: true, bom: true });
    const id = await doneExport();
    const raw = await fetch((await call(sandbox, `/exports/${id}/download`)).body.url);
    expect(raw.headers.get('content-type')).toBe('application/gzip');
    const text = gunzipSync(Buffer.from(await raw.arrayBuffer())).toString('utf8');
    expect(text.startsWith('\uFEFFcio_id,id,email,')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(302);

    sandbox.setExportBehaviour({ encoding: 'gzip', withoutCioId: true });
    // fetch undoes a Content-Encoding: the header says it was there, the text comes decoded.
    const again = await fetch((await call(sandbox, `/exports/${id}/download`)).body.url);
    expect(again.headers.get('content-encoding')).toBe('gzip');
    expect((await again.text()).split('\n')[0]).toBe('id,email,created_at,first_name,last_name,plan,country,company,lifetime_value,unsubscribed');
  });

  it('breaks the first downloads off after some rows when asked to', async () => {
    sandbox.setExportBehaviour({ cutDownloads: { afterRows: 100, count: 1 } });
    const id = await doneExport();
    const { url } = (await call(sandbox, `/exports/${id}/download`)).body;
    await expect(fetch(url).then((r) => r.text())).rejects.toThrow();
    expect(rowsOf(await (await fetch(url)).text())).toHaveLength(301);
    expect(sandbox.exportLog().find((e) => e.id === id)?.downloads.map((d) => [d.rows, d.complete])).toEqual([
      [100, false],
      [300, true],
    ]);
  });

  it('counts neither storage requests nor controls in the API stats', async () => {
    const id = await doneExport();
    sandbox.resetStats();
    await (await fetch((await call(sandbox, `/exports/${id}/download`)).body.url)).text();
    expect(sandbox.stats().total).toBe(1);
  });
});
