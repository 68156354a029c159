/**
 * `sync`'s summary counts each stream's requests from the HTTP client's own per-stream counts (no request
 * function replaced at run time): each figure is what the sandbox received for that stream's endpoint, and a
 * parent list read for itself and for its children is one request, counted under its own stream.
 */
import type { Sandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/command.js';
import { captureIo, catalogOf, configFor, onSandboxClock, startSmallSandbox, tempDuckdb } from './fixtures.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSmallSandbox();
});
afterAll(() => sb.close());

it('reports per stream the requests the sandbox received for it', async () => {
  const catalog = catalogOf({ campaigns: 'incremental', campaign_actions: 'incremental', segments: 'full_refresh' });
  const result = await runSync({ rawConfig: configFor(sb), rawCatalog: catalog, duckdbPath: tempDuckdb() }, captureIo().io, onSandboxClock(sb));
  expect(result.exitCode).toBe(0);
  const requests = Object.fromEntries(result.rows.map((r) => [r.stream, r.requests]));
  const received = sb.stats().byEndpoint;
  expect(received['GET /v1/campaigns']).toBe(1);
  expect(requests).toEqual({
    campaigns: 1,
    campaign_actions: received['GET /v1/campaigns/{id}/actions'],
    segments: received['GET /v1/segments'],
  });
  // 4 campaigns of 12 actions, 10 a page: 2 pages each at least.
  expect(requests.campaign_actions).toBeGreaterThanOrEqual(8);
});
