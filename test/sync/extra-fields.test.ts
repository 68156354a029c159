/**
 * `sync` keeps every field `read` emits: a per-type activity's data keys land in typed data_<key> columns where
 * the type's keys are known and in `_cio_extra` where they cannot be (attribute names); a metric the API adds
 * after this connector was written lands in `_cio_extra` of the metrics table. Against the sandbox, with a small
 * proxy in front that adds such a metric to every metrics answer (the sandbox serves only the documented ones).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/command.js';
import { captureIo, catalogOf, configFor, inFile, onSandboxClock, startSmallSandbox, tempDuckdb } from './fixtures.js';

/** The metric the proxy adds: twice `sent` plus one, so each value can be checked against its row. */
const NEW_METRIC = 'whatsapp_read';

/** Forwards every request to the sandbox; adds NEW_METRIC to each metrics series it answers. */
function metricsAddingProxy(sb: Sandbox): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: sb.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        let body = Buffer.concat(chunks);
        if (answer.statusCode === 200 && /\/metrics(\?|$)/.test(req.url ?? '')) {
          const parsed = JSON.parse(body.toString('utf8'));
          const series = parsed.metric.series as Record<string, number[]>;
          series[NEW_METRIC] = series.sent.map((n) => 2 * n + 1);
          body = Buffer.from(JSON.stringify(parsed));
        }
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'content-length': String(body.length) });
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/v1`, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}

let sb: Sandbox;
let proxy: { url: string; close: () => Promise<void> };
beforeAll(async () => {
  sb = await startSmallSandbox();
  proxy = await metricsAddingProxy(sb);
});
afterAll(async () => {
  await proxy.close();
  await sb.close();
});

it('lands per-type activity data and metrics the connector does not know in the file, nothing dropped', async () => {
  const path = tempDuckdb();
  const config = { ...configFor(sb), api_base_url: proxy.url, activity_parsing: 'per_type', activity_types: ['sent_email', 'attribute_change'] };
  const catalog = catalogOf({ activities_sent_email: 'incremental', activities_attribute_change: 'incremental', campaign_metrics: 'incremental' });
  const result = await runSync({ rawConfig: config, rawCatalog: catalog, duckdbPath: path }, captureIo().io, onSandboxClock(sb, { progress: { tty: false } }));
  expect(result.exitCode).toBe(0);

  await inFile(path, async (w) => {
    // sent_email: its known data keys are typed columns; the sandbox's data (delivery_id, sent) is all in them.
    const columns = await w.rows(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'activities_sent_email' AND column_name LIKE 'data\\_%' ESCAPE '\\' ORDER BY ordinal_position`);
    expect(columns).toEqual([
      { column_name: 'data_delivery_id', data_type: 'VARCHAR' },
      { column_name: 'data_delivered', data_type: 'BIGINT' },
      { column_name: 'data_opened', data_type: 'VARCHAR' },
      { column_name: 'data_sent', data_type: 'VARCHAR' },
    ]);
    const sent = sb.expected.activityIds({ types: ['sent_email'], includeDeleted: true }).length;
    expect(sent).toBeGreaterThan(5);
    const [emails] = await w.rows(`
      SELECT count(*) AS n,
             count(*) FILTER (WHERE data_delivery_id = delivery_id) AS delivery_ids,
             count(*) FILTER (WHERE data_sent = CAST("timestamp" AS VARCHAR)) AS sent_times,
             count(*) FILTER (WHERE _cio_extra IS NULL) AS nothing_else
      FROM activities_sent_email`);
    expect(emails).toEqual({ n: String(sent), delivery_ids: String(sent), sent_times: String(sent), nothing_else: String(sent) });

    // attribute_change: the data key is the attribute's name, unknowable in advance: it is in _cio_extra, alone.
    const changes = await w.rows(`SELECT id, CAST(_cio_extra AS VARCHAR) AS extra FROM activities_attribute_change`);
    expect(changes).toHaveLength(sb.expected.activityIds({ types: ['attribute_change'], includeDeleted: true }).length);
    for (const { extra } of changes) {
      const fields = JSON.parse(String(extra));
      expect(Object.keys(fields)).toEqual([expect.stringMatching(/^data_(plan|country|company|first_name)$/)]);
      expect(Object.values(fields)[0]).toEqual({ from: expect.any(String), to: expect.any(String) });
    }

    // campaign_metrics: the documented metrics in their columns, the new one in _cio_extra, for every bucket.
    const [metrics] = await w.rows(`
      SELECT count(*) AS n,
             count(*) FILTER (WHERE CAST(_cio_extra->>'$.${NEW_METRIC}' AS BIGINT) = 2 * sent + 1) AS kept,
             count(*) FILTER (WHERE json_keys(_cio_extra) = ['${NEW_METRIC}']) AS only_it
      FROM campaign_metrics`);
    expect(Number(metrics.n)).toBeGreaterThan(0);
    expect(metrics).toEqual({ n: metrics.n, kept: metrics.n, only_it: metrics.n });
  });
});
