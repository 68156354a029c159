/**
 * subscription_channels, optouts and transactional_message_contents (full refresh only: no cursor the API gives) read
 * by the built CLI from the sandbox, beside an incremental stream in the same read: each lands exactly the sandbox's
 * records, before and after the sandbox's clock moves (a template deleted, others edited), at the request cost the
 * README gives.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { expectStreamsMatchDiscoveredSchemas } from './schema-check.js';

const STREAMS = ['subscription_channels', 'optouts', 'transactional_message_contents'];

let sb: Sandbox;
let config: Record<string, unknown>;
beforeAll(async () => {
  // 2,500 people with opt-outs: three pages of 1000.
  sb = await startSandbox({ seed: 11, sizes: { customers: 3000, optouts: 2500, transactionalMessages: 6, subscriptionChannels: 4 } });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());

type Row = Record<string, unknown>;
const key = (row: Row) => JSON.stringify([row.transactional_id ?? null, row.id ?? row.cio_id]);
const sorted = (rows: Row[]) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));

function expectExactly(result: CliResult): void {
  expect(result.errors).toEqual([]);
  for (const stream of STREAMS) expect(result.statuses(stream).at(-1)).toBe('COMPLETE');
  // Channels are numbered from 1.
  expect(result.records('subscription_channels').map((r) => r.id)).toEqual(Array.from({ length: sb.expected.counts().subscription_channels }, (_, j) => j + 1));
  // An opt-out's "" customer_id is a person without an id: null.
  const optouts = sb.expected.optouts().map((row) => ({ ...row, customer_id: row.customer_id === '' ? null : row.customer_id }));
  expect(sorted(result.records('optouts'))).toEqual(sorted(optouts));
  expect(sorted(result.records('transactional_message_contents'))).toEqual(sorted(sb.expected.transactionalContents()));
}

describe('subscription channels, opt-outs and transactional contents, end to end', () => {
  it('land exactly the sandbox\'s records, each valid against its discovered schema, at one request per page and per template', async () => {
    sb.resetStats();
    const result = await runCli(['read'], { config, catalog: configuredCatalog(STREAMS) }, { env: { CIO_TEST_CLOCK: String(sb.now()) } });
    expect(result.exitCode).toBe(0);
    expectExactly(result);
    expect(result.records('optouts').some((r) => r.customer_id === null)).toBe(true);
    expect(result.records('transactional_message_contents').every((r) => r.recipient === null && r.preheader_text === null)).toBe(true);
    await expectStreamsMatchDiscoveredSchemas(config, STREAMS, (name) => result.records(name));
    const requests = sb.stats().byEndpoint;
    expect(requests['GET /v1/subscription_channels']).toBe(1);
    expect(requests['GET /v1/optouts']).toBe(3);
    expect(requests['GET /v1/transactional/{id}/contents']).toBe(sb.expected.counts().transactional_messages);
  });

  it('land exactly the sandbox\'s records again after the clock moves, read beside an incremental stream from its state', async () => {
    const catalog = configuredCatalog([...STREAMS, { name: 'transactional_messages', syncMode: 'incremental' }]);
    const first = await runCli(['read'], { config, catalog }, { env: { CIO_TEST_CLOCK: String(sb.now()) } });
    expect(first.exitCode).toBe(0);
    sb.advance(3 * 3600);
    const second = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: { CIO_TEST_CLOCK: String(sb.now()) } });
    expect(second.exitCode).toBe(0);
    expectExactly(second);
    // A template was deleted on the advance: its contents are gone from the read, nothing else is.
    expect(second.records('transactional_message_contents').length).toBeLessThan(first.records('transactional_message_contents').length);
  });
});
