import { spawn } from 'node:child_process';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call } from './helpers.js';

describe('sandbox stats and controls', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false });
  });
  beforeEach(() => sandbox.resetStats());
  afterAll(() => sandbox.close());

  it('counts what was served: total, per status, per endpoint pattern, and logs each request', async () => {
    await call(sandbox, '/campaigns');
    await call(sandbox, '/campaigns/1/actions');
    await call(sandbox, '/campaigns/3/actions?limit=5');
    await call(sandbox, '/campaigns', { key: 'wrong' });
    await call(sandbox, '/campaigns', { base: sandbox.euUrl, key: 'sandbox-eu-key' });
    const stats = sandbox.stats();
    expect(stats.total).toBe(5);
    expect(stats.byStatus).toEqual({ '200': 4, '401': 1 });
    expect(stats.byEndpoint).toEqual({ 'GET /v1/campaigns': 3, 'GET /v1/campaigns/{id}/actions': 2 });
    expect(stats.byEndpointStatus['GET /v1/campaigns']).toEqual({ '200': 2, '401': 1 });
    expect(stats.requests.map((r) => [r.method, r.path, r.query, r.status])).toEqual([
      ['GET', '/v1/campaigns', '', 200],
      ['GET', '/v1/campaigns/1/actions', '', 200],
      ['GET', '/v1/campaigns/3/actions', 'limit=5', 200],
      ['GET', '/v1/campaigns', '', 401],
      ['GET', '/eu/v1/campaigns', '', 200],
    ]);
    expect(stats.requests[0].at).toBeGreaterThan(Date.now() - 60_000);
    expect(stats.peakPerSecond).toBeGreaterThanOrEqual(1);
  });

  it('measures the busiest second: the most arrivals in any rolling 1000 ms', async () => {
    await Promise.all(Array.from({ length: 8 }, () => call(sandbox, '/segments')));
    expect(sandbox.stats().peakPerSecond).toBe(8); // all within one rolling second, whichever wall-clock seconds they straddle
  });

  it('does not count control requests, and serves stats, reset and expected counts over HTTP', async () => {
    await call(sandbox, '/segments');
    const stats = await (await fetch(`${sandbox.controlUrl}/stats`)).json();
    expect(stats.total).toBe(1);
    expect((await fetch(`${sandbox.controlUrl}/reset-stats`, { method: 'POST' })).status).toBe(200);
    expect(sandbox.stats().total).toBe(0);
    const expected = await (await fetch(`${sandbox.controlUrl}/expected`)).json();
    expect(expected.now).toBe(sandbox.now());
    expect(expected.counts).toMatchObject({ customers: 2500, campaigns: 4, exports: 0, activities: sandbox.expected.activityIds({ includeDeleted: true }).length });
    expect(sandbox.stats().total).toBe(0);
  });

  it('adds latency to every API request when asked', async () => {
    sandbox.setLatency(250);
    try {
      const started = Date.now();
      await call(sandbox, '/segments');
      expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    } finally {
      sandbox.setLatency(0);
    }
  });
});

describe('sandbox CLI', () => {
  it('prints its URLs and a ready line, serves the API, and stops on SIGTERM', async () => {
    const child = spawn('node_modules/.bin/tsx', ['src/sandbox/main.ts', '--port', '0', '--seed', '7', '--activities', '1000', '--rate-limit', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const ready = await new Promise<{ url: string; controlUrl: string }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve(JSON.parse(line));
        });
        child.on('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
      });
      const reply = await fetch(`${ready.url}/workspaces`, { headers: { Authorization: 'Bearer sandbox-us-key' } });
      expect(reply.status).toBe(200);
      const expected = await (await fetch(`${ready.controlUrl}/expected`)).json();
      expect(expected.counts.activities).toBeGreaterThan(900);
      expect(expected.counts.activities).toBeLessThanOrEqual(1000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});
