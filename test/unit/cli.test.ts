/**
 * Each command's output through `main(argv, output)` (src/cli.ts) with an Output over a PassThrough, the API
 * answered by nock. Every printed line is parsed and validated against the Airbyte protocol schema.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import nock from 'nock';
import { main } from '../../src/cli.js';
import { Output } from '../../src/protocol/output.js';
import { PROJECT_ROOT } from '../../src/resources.js';
import { writeInputs, type CliFiles } from '../helpers/cli.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { parseProtocolLines } from '../helpers/protocol.js';
import { API_KEY, DAY, MAY_1 } from './fixtures.js';

const BASE = 'http://cio.test/v1';
const config = { app_api_key: API_KEY, api_base_url: BASE };
const WORKSPACES = { workspaces: [{ id: '13', name: 'Workspace 1', messages_sent: 100202, billable_messages_sent: 75124, people: 25666, object_types: 4, objects: 10 }] };
const campaign = (id: number, updated: number) => ({ id, deduplicate_id: `${id}:${updated}`, name: `Campaign ${id}`, created: MAY_1 - 30 * DAY, updated, active: true, state: 'running', actions: [{ type: 'email', id: id * 10 }], tags: ['onboarding'], type: 'segment' });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Message = Record<string, any>;

async function run(args: string[], files: CliFiles = {}): Promise<{ code: number; messages: Message[]; text: string }> {
  const sink = new PassThrough();
  let text = '';
  sink.setEncoding('utf8');
  sink.on('data', (chunk: string) => (text += chunk));
  const code = await main([...args, ...writeInputs(files)], new Output(sink));
  await new Promise((resolve) => setImmediate(resolve));
  return { code, messages: parseProtocolLines(text), text };
}

const ofType = (messages: Message[], type: string) => messages.filter((m) => m.type === type);
const errors = (messages: Message[]) => messages.filter((m) => m.trace?.type === 'ERROR').map((m) => m.trace.error);

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('main spec', () => {
  it('prints one SPEC whose connectionSpecification is spec.json, and exits 0', async () => {
    const { code, messages } = await run(['spec']);
    expect(code).toBe(0);
    expect(messages).toHaveLength(1);
    expect(messages[0].spec.connectionSpecification).toEqual(JSON.parse(readFileSync(join(PROJECT_ROOT, 'spec.json'), 'utf8')));
    expect(messages[0].spec.connectionSpecification.properties.app_api_key.airbyte_secret).toBe(true);
  });
});

describe('main check', () => {
  it('prints CONNECTION_STATUS SUCCEEDED after asking for the workspaces with the key', async () => {
    const scope = nock(BASE, { reqheaders: { authorization: `Bearer ${API_KEY}` } }).get('/workspaces').reply(200, WORKSPACES);
    const { code, messages } = await run(['check'], { config });
    expect(scope.isDone()).toBe(true);
    expect(code).toBe(0);
    expect(messages).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED', message: 'Connected to workspace Workspace 1 (id 13)' } }]);
  });

  it('prints CONNECTION_STATUS FAILED and still exits 0 when the key is refused, never printing the key', async () => {
    nock(BASE).get('/workspaces').reply(401, { errors: [{ detail: `invalid key ${API_KEY}`, status: '401' }] });
    const { code, messages, text } = await run(['check'], { config });
    expect(code).toBe(0);
    expect(messages).toHaveLength(1);
    expect(messages[0].connectionStatus.status).toBe('FAILED');
    expect(messages[0].connectionStatus.message).toMatch(/rejected the App API key \(401: invalid key \*\*\*\*\)/);
    expect(text).not.toContain(API_KEY);
  });

  it('prints CONNECTION_STATUS FAILED naming the field for an invalid config, without any request', async () => {
    const { code, messages } = await run(['check'], { config: { ...config, region: 'mars' } });
    expect(code).toBe(0);
    expect(messages).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: 'Invalid config: "region" must be one of us, eu' } }]);
  });
});

describe('main discover', () => {
  it('prints one CATALOG with every stream, unique names, object schemas without $ref, and cursors for incremental streams', async () => {
    const { code, messages } = await run(['discover'], { config });
    expect(code).toBe(0);
    expect(messages).toHaveLength(1);
    const streams: Message[] = messages[0].catalog.streams;
    const names = streams.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['workspaces', 'campaigns', 'campaign_actions', 'activities', 'messages', 'segments']));
    expect(new Set(names).size).toBe(names.length);
    for (const stream of streams) {
      expect(stream.json_schema.type).toBe('object');
      expect(JSON.stringify(stream.json_schema)).not.toContain('"$ref"');
      expect(stream.supported_sync_modes).toContain('full_refresh');
      expect(stream.source_defined_primary_key.length).toBeGreaterThan(0);
      if (stream.supported_sync_modes.includes('incremental')) {
        expect(stream.source_defined_cursor).toBe(true);
        expect(stream.default_cursor_field).toHaveLength(1);
      }
    }
    expect(streams.find((s) => s.name === 'campaigns')?.default_cursor_field).toEqual(['updated']);
  });

  it('exits 1 with one config_error trace naming the field for an invalid config', async () => {
    const { code, messages } = await run(['discover'], { config: { ...config, requests_per_second: 50 } });
    expect(code).toBe(1);
    expect(errors(messages)).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringContaining('"requests_per_second" must be <= 10') })]);
  });
});

describe('main read', () => {
  it('prints the records, a STATE and the statuses of a full refresh, and exits 0', async () => {
    nock(BASE).get('/workspaces').reply(200, WORKSPACES);
    const { code, messages } = await run(['read'], { config, catalog: configuredCatalog(['workspaces']) });
    expect(code).toBe(0);
    expect(ofType(messages, 'RECORD').map((m) => m.record)).toEqual([
      { stream: 'workspaces', data: { ...WORKSPACES.workspaces[0], id: 13 }, emitted_at: expect.any(Number) },
    ]);
    const statuses = messages.filter((m) => m.trace?.type === 'STREAM_STATUS').map((m) => m.trace.stream_status.status);
    expect(statuses).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    const states = ofType(messages, 'STATE');
    expect(states.length).toBeGreaterThanOrEqual(1);
    expect(states[0].state).toMatchObject({ type: 'STREAM', stream: { stream_descriptor: { name: 'workspaces' } }, sourceStats: { recordCount: 1 } });
    expect(ofType(messages, 'LOG').at(-1)?.log.message).toMatch(/^Read 1 records in .* with 1 requests/);
    expect(errors(messages)).toEqual([]);
  });

  it.each([
    ['the per-stream array', [{ type: 'STREAM', stream: { stream_descriptor: { name: 'campaigns' }, stream_state: { updated: MAY_1 } } }]],
    ['the legacy single object', { campaigns: { updated: MAY_1 } }],
  ])('reads incrementally from a state given as %s', async (_case, state) => {
    nock(BASE).get('/campaigns').reply(200, { campaigns: [campaign(1, MAY_1 - DAY), campaign(2, MAY_1 + DAY)] });
    const { code, messages } = await run(['read'], { config, catalog: configuredCatalog([{ name: 'campaigns', syncMode: 'incremental' }]), state });
    expect(code).toBe(0);
    expect(ofType(messages, 'RECORD').map((m) => m.record.data.id)).toEqual([2]);
    expect(ofType(messages, 'STATE').at(-1)?.state.stream.stream_state).toMatchObject({ updated: MAY_1 + DAY });
  });

  it('reads on, with one WARN naming them, past state entries of streams it does not read: not offered any more, or not selected', async () => {
    nock(BASE).get('/campaigns').reply(200, { campaigns: [campaign(2, MAY_1 + DAY)] });
    const entry = (name: string, stream_state: Record<string, unknown>) => ({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state } });
    const state = [
      entry('campaigns', { updated: MAY_1 }),
      // An activity type removed from activity_types, a custom stream removed from the config.
      entry('activities_page', { timestamp: MAY_1 }),
      entry('topics', { whatever: true }),
      // Offered but not selected today, with a state this read could not use: not its business either.
      entry('segments', { updated_at: 'yesterday' }),
    ];
    const { code, messages } = await run(['read'], { config, catalog: configuredCatalog([{ name: 'campaigns', syncMode: 'incremental' }]), state });
    expect(code).toBe(0);
    expect(errors(messages)).toEqual([]);
    expect(ofType(messages, 'LOG').filter((m) => m.log.level === 'WARN').map((m) => m.log.message)).toEqual([
      'The state has entries for streams this read does not read: "activities_page", "topics" (not offered with this config: a removed activity type or custom stream?); "segments" (not selected in the catalog). They are not checked and are left as they are.',
    ]);
    expect(ofType(messages, 'RECORD').map((m) => m.record.data.id)).toEqual([2]);
    // Only the stream read gets a STATE: the others' entries stay as the platform has them.
    expect(new Set(ofType(messages, 'STATE').map((m) => m.state.stream.stream_descriptor.name))).toEqual(new Set(['campaigns']));
  });

  it('exits 1 after a 401 with a config_error about the key, the key itself never printed', async () => {
    nock(BASE).get('/workspaces').reply(401, { errors: [{ detail: 'invalid credentials', status: '401' }] });
    const { code, messages, text } = await run(['read'], { config, catalog: configuredCatalog(['workspaces']) });
    expect(code).toBe(1);
    expect(errors(messages)).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/rejected the App API key \(401: invalid credentials\)/) })]);
    expect(messages.filter((m) => m.trace?.type === 'STREAM_STATUS').map((m) => m.trace.stream_status.status)).toEqual(['STARTED', 'INCOMPLETE']);
    expect(text).not.toContain(API_KEY);
  });

  it.each<[string, CliFiles, RegExp]>([
    ['an unknown stream in the catalog', { config, catalog: configuredCatalog(['workspace']) }, /selects stream "workspace", which this connector does not offer/],
    ['incremental for a full-refresh stream', { config, catalog: configuredCatalog([{ name: 'workspaces', syncMode: 'incremental' }]) }, /"workspaces" does not support incremental/],
    ['a state that is a string', { config, catalog: configuredCatalog(['workspaces']), state: '"campaigns"' }, /JSON list of STREAM state messages/],
    ['a catalog that is not JSON', { config, catalog: '{"streams": [' }, /--catalog file .* is not valid JSON/],
    ['a catalog file that is empty', { config, catalog: ' ' }, /--catalog file .* is empty/],
  ])('exits 1 with one config_error for %s, before any request', async (_case, files, pattern) => {
    const { code, messages } = await run(['read'], files);
    expect(code).toBe(1);
    expect(messages).toHaveLength(1);
    expect(errors(messages)).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(pattern) })]);
  });

  /** The state file's text (JSON.stringify itself cannot write the deepest one). */
  const stateOf = (streamState: string) => `[{"type":"STREAM","stream":{"stream_descriptor":{"name":"campaigns"},"stream_state":${streamState}}}]`;
  /** A stream_state nested `depth` lists deep under one key: JSON.parse reads it, anything recursive would not. */
  const deep = (depth: number) => `{"updated":1714521600,"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;

  it.each<[string, string, RegExp]>([
    ['a cursor that is not a time', '{"updated":"yesterday"}', /^The state of stream "campaigns" is not usable: updated must be a unix timestamp/],
    ['a state nested 100,000 levels deep', deep(100_000), /^The state of stream "campaigns" is not usable: it is nested more than 64 levels deep \(a state this connector writes has at most 4\)\. Reset that stream's state\.$/],
    ['a state nested 65 levels deep', deep(65), /is nested more than 64 levels deep/],
  ])('exits 1 for a state with %s: one config_error naming the stream, which gets its statuses, before any request', async (_case, streamState, pattern) => {
    const { code, messages } = await run(['read'], { config, catalog: configuredCatalog([{ name: 'campaigns', syncMode: 'incremental' }]), state: stateOf(streamState) });
    expect(code).toBe(1);
    expect(messages.map((m) => (m.trace.type === 'ERROR' ? 'ERROR' : m.trace.stream_status.status))).toEqual(['STARTED', 'ERROR', 'INCOMPLETE']);
    expect(errors(messages)).toEqual([expect.objectContaining({ failure_type: 'config_error', stream_descriptor: { name: 'campaigns' }, message: expect.stringMatching(pattern) })]);
  });

  it('takes a state as deep as the ones it writes', async () => {
    nock(BASE).get('/campaigns').reply(200, { campaigns: [] });
    const { code } = await run(['read'], { config, catalog: configuredCatalog([{ name: 'campaigns', syncMode: 'incremental' }]), state: stateOf(deep(60)) });
    expect(code).toBe(0);
  });

  it('exits 1 when read has no --catalog', async () => {
    const { code, messages } = await run(['read'], { config });
    expect(code).toBe(1);
    expect(errors(messages)[0].message).toMatch(/"read" needs --catalog FILE/);
  });
});

describe('main with a bad command line', () => {
  it.each<[string[], RegExp]>([
    [[], /No command given/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['check'], /"check" needs --config FILE/],
    [['discover', '--config'], /--config/],
    [['discover', '--verbose'], /verbose/],
    [['check', '--config', '/nonexistent/config.json'], /--config file not found: \/nonexistent\/config\.json/],
    [['check', '--config', '/tmp'], /--config \/tmp is a directory/],
  ])('%j exits 1 with one config_error trace', async (args, pattern) => {
    const { code, messages } = await run(args);
    expect(code).toBe(1);
    expect(messages).toHaveLength(1);
    expect(errors(messages)).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(pattern) })]);
  });

  it('does not quote a config file that is not JSON (it may hold the key)', async () => {
    const { code, text } = await run(['check'], { config: `{"app_api_key": "${API_KEY}", oops` });
    expect(code).toBe(1);
    expect(text).toMatch(/not valid JSON \(syntax error at character \d+\)/);
    expect(text).not.toContain(API_KEY);
  });
});
