/**
 * Issue 9: a key revoked in the middle of a sync (401) stops the whole read at once with a config_error
 * that says the key was rejected; a parent deleted in the middle of a sync (404 on its children) is
 * skipped with a LOG naming the stream and the parent, and the read goes on.
 */
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runRecorded } from './support/run.js';
import { coverage, duplicates, emittedKeys, expectedKeys } from './support/truth.js';

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 5, sizes: { activities: 800, customers: 600, campaigns: 6, actionsPerCampaign: 25, messages: 300, segments: 4, segmentMembers: 300 }, rateLimit: false });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.setFaults([]);
  sb.resetStats();
});

describe('a key revoked in the middle of a sync (401)', () => {
  const STREAMS = ['activities', 'customers', 'campaign_actions', 'messages', 'segment_memberships'];

  it('stops every stream at once with one config_error saying the key was rejected, and exits non-zero', async () => {
    sb.setFaults([{ kind: 'unauthorized', after: 10 }]);
    const result = await runRecorded(['read'], { config, catalog: configuredCatalog(STREAMS) }, { env: sandboxClockEnv(sb) });

    expect(result.exitCode).not.toBe(0);
    const errors = result.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0].failure_type).toBe('config_error');
    expect(errors[0].message).toMatch(/rejected the App API key \(401/);
    expect(errors[0].message).toMatch(/revoked/);
    for (const stream of STREAMS) expect(result.statuses(stream).at(-1)).toBe('INCOMPLETE');

    // A 401 is never retried, and nothing new starts after it: only requests already in flight arrive later.
    const requests = sb.stats().requests;
    const first401 = requests.findIndex((r) => r.status === 401);
    expect(first401).toBeGreaterThanOrEqual(10);
    expect(requests.length - first401 - 1).toBeLessThan(5);
    // Nothing is printed for a stream after its INCOMPLETE, and no RECORD after the ERROR.
    const errorAt = result.messages.findIndex((m) => m.trace?.type === 'ERROR');
    expect(result.messages.slice(errorAt).filter((m) => m.type === 'RECORD' || m.type === 'STATE')).toEqual([]);
  });

  it('says the same when the 401 meets the second request of a page (customers attributes)', async () => {
    sb.setFaults([{ kind: 'unauthorized', path: '/customers/attributes', after: 2 }]);
    const result = await runRecorded(['read'], { config, catalog: configuredCatalog(['customers', 'campaign_actions']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).not.toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ failure_type: 'config_error' });
    expect(result.errors[0].message).toMatch(/rejected the App API key/);
  });
});

describe('a parent deleted in the middle of a sync (404)', () => {
  it.each([
    ['campaign_actions', 'campaigns', (id: string) => `/v1/campaigns/${id}/actions`],
    ['segment_memberships', 'segments', (id: string) => `/v1/segments/${id}/membership`],
  ] as const)('%s: skips the vanished parent with a LOG naming stream and parent, reads every other parent, exits 0', async (stream, kind, pathOf) => {
    const parents = sb.expected.listIds(kind).map((id) => String(Number(id)));
    const gone = parents[1];
    sb.setFaults([{ kind: 'status', status: 404, path: pathOf(gone) }]);
    const result = await runRecorded(['read'], { config, catalog: configuredCatalog([stream]) }, { env: sandboxClockEnv(sb) });

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.statuses(stream).at(-1)).toBe('COMPLETE');
    const notes = result.logs().filter((m) => m.includes(stream) && m.includes(gone) && /404/.test(m));
    expect(notes).toHaveLength(1);
    expect(sb.stats().faults.status).toBe(1);

    const prefix = stream === 'segment_memberships' ? `${gone}/` : undefined;
    const goneKeys = new Set(
      stream === 'campaign_actions' ? sb.expected.campaignActionIds(Number(gone)).map((id) => String(Number(id))) : expectedKeys(sb, stream).filter((k) => k.startsWith(prefix!)),
    );
    expect(goneKeys.size).toBeGreaterThan(0);
    const truth = expectedKeys(sb, stream).filter((k) => !goneKeys.has(k));
    expect(duplicates(emittedKeys(result, stream))).toEqual([]);
    const { missing, unexpected } = coverage([result], stream, truth);
    expect({ missing, unexpected }).toEqual({ missing: [], unexpected: [] });
  });

  it('a parent that vanishes between two pages of its children keeps the pages already read and goes on', async () => {
    const parents = sb.expected.listIds('campaigns').map((id) => String(Number(id)));
    // Page 1 of the second campaign's actions answers; page 2 onwards is gone.
    sb.setFaults([{ kind: 'status', status: 404, path: `/v1/campaigns/${parents[1]}/actions`, after: 1 }]);
    const result = await runRecorded(['read'], { config, catalog: configuredCatalog(['campaign_actions']) }, { env: sandboxClockEnv(sb) });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.logs('WARN').filter((m) => m.includes('campaign_actions') && m.includes(parents[1]))).toHaveLength(1);
    const keys = emittedKeys(result, 'campaign_actions');
    expect(duplicates(keys)).toEqual([]);
    const ofGone = sb.expected.campaignActionIds(Number(parents[1])).map((id) => String(Number(id)));
    expect(ofGone.filter((k) => keys.includes(k))).toHaveLength(10);
    const others = expectedKeys(sb, 'campaign_actions').filter((k) => !ofGone.includes(k));
    expect(others.filter((k) => !keys.includes(k))).toEqual([]);
  });
});
