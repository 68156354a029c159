/**
 * The four metrics streams: the built CLI against the sandbox, whose clock follows the wall clock so both
 * sides agree on the current New York bucket. Every record is compared with the series the sandbox answers
 * for its parent (the current bucket still grows, so it may only have grown since the connector read it);
 * two incremental reads show the second re-reads only the last two buckets.
 */
import { sandboxClockEnv, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli } from '../helpers/cli.js';
import { expectRecordsMatchDiscoveredSchema } from './schema-check.js';

/** A second key, so the test's own ground-truth requests do not share the connector's rate budget. */
const TRUTH_KEY = 'ground-truth-key';
const STREAMS = [
  { name: 'transactional_metrics', kind: 'transactional_messages', path: 'transactional', idField: 'transactional_id' },
  { name: 'campaign_metrics', kind: 'campaigns', path: 'campaigns', idField: 'campaign_id' },
  { name: 'newsletter_metrics', kind: 'newsletters', path: 'newsletters', idField: 'newsletter_id' },
  { name: 'broadcast_metrics', kind: 'broadcasts', path: 'broadcasts', idField: 'broadcast_id' },
] as const;

let sb: Sandbox;
let config: Record<string, unknown>;

beforeAll(async () => {
  sb = await startSandbox({ seed: 42, now: Math.floor(Date.now() / 1000), realClock: true, keys: { 'sandbox-us-key': 'us', [TRUTH_KEY]: 'us' } });
  config = { app_api_key: 'sandbox-us-key', api_base_url: sb.url };
});
afterAll(() => sb.close());

async function series(path: string, id: number | string, period: string, steps: number): Promise<Record<string, number[]>> {
  // Ten requests a second per key, like the API: pace the test's own questions.
  await new Promise((resolve) => setTimeout(resolve, 110));
  const response = await fetch(`${sb.url}/${path}/${id}/metrics?period=${period}&steps=${steps}`, { headers: { authorization: `Bearer ${TRUTH_KEY}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { metric: { series: Record<string, number[]> } }).metric.series;
}

/** New York's calendar date and seconds since its midnight, at unix `t`. */
function newYork(t: number): { date: string; secondsIntoDay: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(t * 1000))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, secondsIntoDay: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second) };
}

const byParent = (records: Array<Record<string, any>>, idField: string) => {
  const groups = new Map<string, Array<Record<string, any>>>();
  for (const record of records) groups.set(String(record[idField]), [...(groups.get(String(record[idField])) ?? []), record]);
  for (const group of groups.values()) group.sort((a, b) => Date.parse(a.period_start) - Date.parse(b.period_start));
  return groups;
};

describe('metrics streams end to end', () => {
  it('emits 45 daily buckets per parent, the last one today in New York, each equal to the sandbox series', async () => {
    const result = await runCli(['read'], { config, catalog: configuredCatalog(STREAMS.map((s) => s.name)) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    const today = newYork(sb.now()).date;
    for (const stream of STREAMS) {
      const parents = sb.expected.listIds(stream.kind);
      const groups = byParent(result.records(stream.name), stream.idField);
      expect([...groups.keys()].sort()).toEqual(parents.map(String).sort());
      for (const id of parents) {
        const records = groups.get(String(id))!;
        expect(records).toHaveLength(45);
        expect(records.at(-1)!.period_start).toMatch(new RegExp(`^${today}T00:00:00-0[45]:00$`));
        const truth = await series(stream.path, id, 'days', 45);
        for (const name of Object.keys(truth)) {
          expect(records.slice(0, -1).map((r) => r[name])).toEqual(truth[name].slice(0, -1));
          expect(records.at(-1)![name]).toBeLessThanOrEqual(truth[name].at(-1)!);
        }
      }
      await expectRecordsMatchDiscoveredSchema(config, stream.name, result.records(stream.name));
      expect(result.records(stream.kind)).toEqual([]);
    }
  });

  it('reads metrics_steps hourly buckets when metrics_period is hours', async () => {
    const hourly = { ...config, metrics_period: 'hours', metrics_steps: 6 };
    const result = await runCli(['read'], { config: hourly, catalog: configuredCatalog(['transactional_metrics']) }, { env: sandboxClockEnv(sb) });
    expect(result.exitCode).toBe(0);
    const groups = byParent(result.records('transactional_metrics'), 'transactional_id');
    for (const [id, records] of groups) {
      expect(records.map((r) => r.period)).toEqual(Array(6).fill('hours'));
      const hours = records.map((r) => Date.parse(r.period_start) / 1000);
      expect(hours.at(-1)).toBe(Math.floor(sb.now() / 3600) * 3600);
      expect(hours.slice(1).map((h, i) => h - hours[i])).toEqual(Array(5).fill(3600));
      const truth = (await series('transactional', id, 'hours', 6)).sent;
      expect(records.slice(0, -1).map((r) => r.sent)).toEqual(truth.slice(0, -1));
    }
  });

  it('re-reads only the previous and the current bucket of each parent on the next incremental read', async () => {
    const catalog = configuredCatalog(STREAMS.map((s) => ({ name: s.name, syncMode: 'incremental' as const })));
    const first = await runCli(['read'], { config, catalog }, { env: sandboxClockEnv(sb) });
    expect(first.exitCode).toBe(0);
    // Move the sandbox on, but not past New York midnight, and the connector's clock with it (issue 21: it stayed
    // on the wall clock, hours behind the sandbox, before).
    const untilMidnight = 86_400 - newYork(sb.now()).secondsIntoDay;
    sb.advance(Math.max(0, Math.min(3 * 3600, untilMidnight - 900)));
    const second = await runCli(['read'], { config, catalog, state: first.finalState() }, { env: sandboxClockEnv(sb) });
    expect(second.exitCode).toBe(0);
    for (const stream of STREAMS) {
      const before = byParent(first.records(stream.name), stream.idField);
      const after = byParent(second.records(stream.name), stream.idField);
      // A parent deleted by the advance is no longer read.
      expect([...after.keys()].sort()).toEqual(sb.expected.listIds(stream.kind).map(String).sort());
      for (const [id, records] of after) {
        expect(records.map((r) => r.period_start)).toEqual(before.get(id)!.slice(-2).map((r) => r.period_start));
        const truth = await series(stream.path, id, 'days', 2);
        expect(records[0].sent).toBe(truth.sent[0]);
        expect(records[1].sent).toBeLessThanOrEqual(truth.sent[1]);
        expect(records[1].sent).toBeGreaterThanOrEqual(before.get(id)!.at(-1)!.sent);
      }
      const cursors = second.lastState(stream.name)?.partitions as Record<string, { period_start: string }>;
      for (const [id, records] of after) expect(cursors[id].period_start).toBe(records[1].period_start);
    }
  });
});
