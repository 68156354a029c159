/**
 * Issue 9, hostile API data: records with unexpected types, extra fields, deep nesting, huge strings, `null`
 * where an object was documented, elements that are not objects, keys missing or of the wrong type. Served by
 * a tiny inline API; read in-process through main(). Every record is either printed and valid against the
 * stream's discovered schema, or skipped with a WARN naming the stream and its key — and the stream goes on:
 * the good records before and after, and the pages after, are all printed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configuredCatalog } from '../helpers/catalog.js';
import type { Message } from '../helpers/cli.js';
import { errorsOf, logsOf, runInProcess, runRecorded } from './support/run.js';
import { newSchemaAjv } from '../helpers/schema.js';

const NOW = Math.floor(Date.now() / 1000) - 3600;
const campaign = (id: number) => ({ id, deduplicate_id: `${id}:${NOW}`, name: `Campaign ${id}`, created: NOW - 86_400, updated: NOW - id, active: true, state: 'running', actions: [{ type: 'email', id: id * 10 }], tags: ['t'], type: 'segment' });
const activity = (n: number) => ({ id: `act_${n}`, type: 'event', name: 'signed_up', timestamp: NOW - n, customer_id: String(n), customer_identifiers: { id: String(n), email: `p${n}@example.com`, cio_id: `c${n}` }, data: { plan: 'pro' } });
/** 20,000 levels of `{"down": …}`: JSON.parse takes it, JSON.stringify overflows the stack. Spliced in as text. */
const DEEP = '__DEEP__';
const DEEP_JSON = '{"down":'.repeat(20_000) + '"bottom"' + '}'.repeat(20_000);

/** Records that break their documented shape; `fine` ones must come out as they are (give or take coercion). */
const CAMPAIGNS: unknown[] = [
  campaign(1),
  { ...campaign(3), name: 12345, tags: 5, active: 'yes', surprise: { nested: [1, { a: null }] } },
  { ...campaign(5), actions: null, tags: null, created: null, msg_templates: 'none' },
  { ...campaign(7), description: 'x'.repeat(2_000_000) },
  { ...campaign(9), deep: DEEP },
  null,
  'campaign 11',
  42,
  [campaign(11)],
  { ...campaign(13), id: undefined },
  { ...campaign(15), id: { $oid: 'abc' } },
  { ...campaign(17), actions: [null, 'x', { id: { deep: true }, type: 7 }] },
  { ...campaign(19), updated: 'last tuesday', created: '2024-01-01T00:00:00Z' },
  campaign(21),
  { ...campaign(23), updated: NOW + 400 * 86_400 },
];
const FINE_CAMPAIGNS = [1, 21, 23];

const ACTIVITY_PAGES: Record<string, { activities: unknown; next: string }> = {
  '': { activities: [activity(1), { ...activity(2), data: 'not an object', timestamp: 'soon' }, { ...activity(3), customer_identifiers: null, deep: DEEP }, { ...activity(4), id: null }], next: 'p2' },
  p2: { activities: [activity(5), activity(6)], next: 'p3' },
  p3: { activities: null, next: '' },
};

let server: Server;
let base = '';

function route(req: IncomingMessage, url: URL): { status?: number; body: unknown } {
  const path = url.pathname.replace(/^\/v1/, '');
  if (path === '/campaigns') return { body: { campaigns: CAMPAIGNS } };
  if (path === '/activities') return { body: ACTIVITY_PAGES[url.searchParams.get('start') ?? ''] };
  if (path === '/transactional') return { body: { messages: null } };
  if (path === '/exports') return { body: { exports: null } };
  if (path === '/segments') return { body: { segments: [{ id: 1, name: null, type: { dynamic: true }, tags: 'a,b', created_at: NOW, updated_at: NOW }, { id: '2', name: 'manual' }] } };
  if (path === '/customers' && req.method === 'POST') {
    return { body: { identifiers: [{ cio_id: 'c1', email: 'a@example.com', id: 1 }, { cio_id: null, email: null, id: null }, 'c3', { cio_id: 'c4', email: { not: 'a string' } }], ids: [], next: '' } };
  }
  if (path === '/customers/attributes') {
    return { body: { customers: [{ customer: null }, { customer: { id: '1', identifiers: { cio_id: 'c1' }, attributes: ['not', 'an', 'object'], timestamps: null, devices: 'none' } }, 7, { customer: { identifiers: { cio_id: 'c4' }, attributes: { deep: DEEP } } }] } };
  }
  return { status: 404, body: { errors: [{ detail: `no route ${path}`, status: '404' }] } };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const { status = 200, body } = route(req, new URL(req.url ?? '/', 'http://localhost'));
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body).split(`"${DEEP}"`).join(DEEP_JSON));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  process.env.CIO_MAX_TRIES = '1';
});
afterAll(async () => {
  delete process.env.CIO_MAX_TRIES;
  await new Promise((resolve) => server.close(resolve));
});

const config = () => ({ app_api_key: 'hostile-data-key-0123456789', api_base_url: base });
const STREAMS = ['campaigns', 'activities', 'customers', 'segments', 'transactional_messages', 'exports'];

let schemas: Map<string, (data: unknown) => boolean>;
async function discoveredValidators() {
  if (schemas) return schemas;
  const run = await runInProcess(['discover'], { config: config() });
  const ajv = newSchemaAjv();
  ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)));
  schemas = new Map(run.messages[0].catalog.streams.map((s: { name: string; json_schema: object }) => [s.name, ajv.compile(s.json_schema)]));
  return schemas;
}

function recordsOf(messages: Message[], stream: string): Array<Record<string, unknown>> {
  return messages.filter((m) => m.type === 'RECORD' && m.record.stream === stream).map((m) => m.record.data);
}

describe('hostile API data', () => {
  let messages: Message[];
  let warnings: string[];
  beforeAll(async () => {
    const run = await runInProcess(['read'], { config: config(), catalog: configuredCatalog(STREAMS.map((name) => ({ name, syncMode: name === 'campaigns' ? 'incremental' : 'full_refresh' }))) });
    messages = run.messages;
    warnings = logsOf(messages, 'WARN');
    console.log(warnings.map((w) => w.slice(0, 250)).join('\n'));
  });

  it('never fails a stream: every stream COMPLETE, no error', () => {
    expect(errorsOf(messages)).toEqual([]);
    for (const stream of STREAMS) {
      const statuses = messages.filter((m) => m.trace?.stream_status?.stream_descriptor?.name === stream).map((m) => m.trace.stream_status.status);
      expect({ stream, last: statuses.at(-1) }).toEqual({ stream, last: 'COMPLETE' });
    }
  });

  it('prints only records valid against the discovered schema of their stream', async () => {
    const validators = await discoveredValidators();
    for (const stream of STREAMS) {
      const validate = validators.get(stream)!;
      for (const record of recordsOf(messages, stream)) expect({ stream, id: record.id ?? record.cio_id, valid: validate(record) }).toEqual({ stream, id: record.id ?? record.cio_id, valid: true });
    }
  });

  it('prints every well-formed record, before and after the hostile ones, and the pages after them', () => {
    const campaignIds = recordsOf(messages, 'campaigns').map((r) => r.id);
    for (const id of FINE_CAMPAIGNS) expect(campaignIds).toContain(id);
    expect(recordsOf(messages, 'campaigns').find((r) => r.id === 1)).toMatchObject(campaign(1));
    const activityIds = recordsOf(messages, 'activities').map((r) => r.id);
    for (const id of ['act_1', 'act_5', 'act_6']) expect(activityIds).toContain(id);
    expect(recordsOf(messages, 'customers').map((r) => r.cio_id)).toContain('c1');
  });

  it('accounts for every campaign the API sent: printed, or named in a WARN with the stream and its key', () => {
    const printed = new Set(recordsOf(messages, 'campaigns').map((r) => String(r.id)));
    const campaignWarnings = warnings.filter((w) => w.startsWith('campaigns: '));
    const notObjects = CAMPAIGNS.filter((c) => c === null || typeof c !== 'object' || Array.isArray(c));
    expect(campaignWarnings).toContain(`campaigns: skipped ${notObjects.length} element(s) of the answer to GET /campaigns that are not objects`);
    for (const sent of CAMPAIGNS) {
      if (!notObjects.includes(sent)) {
        const id = (sent as { id?: unknown }).id;
        const key = id === undefined ? 'without its primary key (id)' : `id=${typeof id === 'object' ? JSON.stringify(id) : String(id)}`;
        const fate = printed.has(String(id)) ? 'printed' : campaignWarnings.some((w) => w.includes(`skipped record ${key}:`)) ? 'skipped, said' : 'lost';
        expect({ key, fate }).not.toEqual({ key, fate: 'lost' });
      }
    }
    // Each record changed on the way is said too, naming the fields.
    expect(campaignWarnings).toContainEqual(expect.stringMatching(/^campaigns: record id=3: set name, active, tags to null/));
    expect(campaignWarnings).toContainEqual(expect.stringMatching(/^campaigns: skipped record id=9: it cannot be printed as JSON/));
  });

  it('a record dated in the future or with a cursor that is not a time does not become the saved cursor', () => {
    const states = messages.filter((m) => m.type === 'STATE' && m.state.stream.stream_descriptor.name === 'campaigns');
    const cursor = states.at(-1)!.state.stream.stream_state.updated;
    expect(typeof cursor).toBe('number');
    expect(cursor).toBeLessThanOrEqual(NOW);
  });

  it('the same read through the built CLI: the same records, valid protocol, no crash', async () => {
    const result = await runRecorded(['read'], { config: config(), catalog: configuredCatalog(STREAMS) }, { env: { CIO_MAX_TRIES: '1' } });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.records('campaigns').map((r) => r.id).sort()).toEqual(recordsOf(messages, 'campaigns').map((r) => r.id).sort());
    expect(result.stderr).toBe('');
  });
});
