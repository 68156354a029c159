/**
 * The receiver over HTTP, in this process: signatures, every event of the contract, duplicates, odd bodies, limits,
 * a full disk, the read API, /healthz and /metrics — and no secret in anything it says.
 */
import { connect } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS } from '../../src/webhooks/contract.js';
import type { Receiver } from '../../src/webhooks/server.js';
import { scratchDir } from '../helpers/scratch.js';
import { faultyFiles, type Faults } from './faulty-files.js';
import { event, eventOf, KEY, OTHER_KEY, post, READ_TOKEN, readAll, readPage, send, startReceiver } from './helpers.js';

const running: Receiver[] = [];
const logs: string[] = [];
const said: string[] = [];
async function receiver(fields: Record<string, unknown> = {}, options: Parameters<typeof startReceiver>[1] = {}): Promise<Receiver> {
  const r = await startReceiver(fields, { log: (m) => logs.push(m), ...options });
  running.push(r);
  return r;
}
/** A POST whose answer is kept, to look for secrets in everything the receiver said. */
async function heard(promise: Promise<{ status: number; body: string }>) {
  const answer = await promise;
  said.push(answer.body);
  return answer;
}

afterEach(async () => {
  for (const r of running.splice(0)) await r.close(100);
});

afterAll(() => {
  const everything = [...logs, ...said].join('\n');
  for (const secret of [KEY, OTHER_KEY, READ_TOKEN, 'whsec-new-key', 'metrics-token-0123456789abcdef']) expect(everything).not.toContain(secret);
});

describe('signatures', () => {
  it('stores an event signed with the key, and answers 401 to one signed with another key, a wrong signature or none, keeping none of them', async () => {
    const r = await receiver();
    const good = JSON.stringify(event());
    expect(await heard(post(r, good))).toMatchObject({ status: 200, body: expect.stringContaining('"stored"') });
    const refused = [
      await heard(post(r, JSON.stringify(event()), { key: OTHER_KEY })),
      await heard(post(r, JSON.stringify(event()), { signature: 'ab'.repeat(32) })),
      await heard(post(r, JSON.stringify(event()), { signature: 'not-hex' })),
      await heard(send(`${r.url}${r.config.path}`, { headers: { 'x-cio-timestamp': '1613063089' }, body: JSON.stringify(event()) })),
      await heard(send(`${r.url}${r.config.path}`, { body: JSON.stringify(event()) })),
    ];
    expect(refused.map((a) => [a.status, JSON.parse(a.body).error])).toEqual([
      [401, 'bad_signature'],
      [401, 'bad_signature'],
      [401, 'malformed_signature'],
      [401, 'missing_signature'],
      [401, 'missing_signature'],
    ]);
    expect((await readAll(r)).map((l) => l.b)).toEqual([good]);
  });

  it('accepts the contract’s test vector as sent', async () => {
    const r = await receiver({}, { env: { CIO_WEBHOOK_SIGNING_KEYS: 'whsec-test-key', CIO_WEBHOOK_READ_TOKEN: READ_TOKEN } });
    const body = '{"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","metric":"sent"}';
    const answer = await post(r, body, { timestamp: '1613063089', signature: 'ee293c738e9b78f1bfb968f3c5b481861e22d775f5fca96d5dec312ee4a08bb6' });
    expect(answer.status).toBe(200);
    // No object_type: stored all the same, flagged.
    expect((await readAll(r)).map((l) => [l.id, l.ts, l.f])).toEqual([['01E4C4CT6YDC7Y5M7FE1GWWPQJ', 1613063089, ['unknown_object_type']]]);
  });

  it('accepts events signed with either key during a rotation', async () => {
    const r = await receiver({}, { env: { CIO_WEBHOOK_SIGNING_KEYS: `whsec-new-key, ${KEY}`, CIO_WEBHOOK_READ_TOKEN: READ_TOKEN } });
    expect((await post(r, JSON.stringify(event()), { key: KEY })).status).toBe(200);
    expect((await post(r, JSON.stringify(event()), { key: 'whsec-new-key' })).status).toBe(200);
    expect((await post(r, JSON.stringify(event()), { key: OTHER_KEY })).status).toBe(401);
    expect(await readAll(r)).toHaveLength(2);
  });

  it('checks no timestamp age unless told to, and then only beyond 8 days', async () => {
    const now = 1_900_000_000_000;
    const open = await receiver({}, { clock: () => now });
    expect((await post(open, JSON.stringify(event()), { timestamp: '1000000000' })).status).toBe(200);
    const strict = await receiver({ max_timestamp_age_seconds: 8 * 86_400 }, { clock: () => now });
    const sevenDaysOld = String(now / 1000 - 7 * 86_400);
    expect((await post(strict, JSON.stringify(event()), { timestamp: sevenDaysOld })).status).toBe(200);
    const answer = await post(strict, JSON.stringify(event()), { timestamp: String(now / 1000 - 9 * 86_400) });
    expect([answer.status, JSON.parse(answer.body).error]).toEqual([401, 'stale_timestamp']);
    expect(await readAll(strict)).toHaveLength(1);
  });
});

describe('events', () => {
  it('stores every object type and metric of the contract unflagged, and reads each back byte for byte', async () => {
    const r = await receiver();
    const bodies = Object.entries(METRICS).flatMap(([type, metrics]) => metrics.map((metric) => JSON.stringify(event(type, metric))));
    expect(bodies).toHaveLength(69);
    for (const body of bodies) expect((await post(r, body)).status).toBe(200);
    const stored = await readAll(r, 10);
    expect(stored.map((l) => l.b)).toEqual(bodies);
    expect(stored.every((l) => l.f.length === 0)).toBe(true);
    expect(stored.map((l) => l.id)).toEqual(bodies.map((b) => JSON.parse(b).event_id));
  });

  it('answers a duplicate 200 without storing it again, one after the other, at the same time, and after a restart', async () => {
    const fields = { store_dir: scratchDir('cio-webhooks-store-') };
    const r = await receiver(fields);
    const body = JSON.stringify(event());
    expect(JSON.parse((await post(r, body)).body).status).toBe('stored');
    expect(JSON.parse((await post(r, body)).body).status).toBe('duplicate');
    const together = JSON.stringify(event());
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(r, together)));
    expect(answers.map((a) => JSON.parse(a.body).status).sort()).toEqual([...Array(9).fill('duplicate'), 'stored']);
    // The same event resent later (a retry after a timeout) is signed again with a new timestamp: still the same event.
    expect(JSON.parse((await post(r, body, { timestamp: '1613066689' })).body).status).toBe('duplicate');
    await r.close(100);
    const again = await receiver(fields);
    expect(JSON.parse((await post(again, body)).body).status).toBe('duplicate');
    expect((await readAll(again)).map((l) => l.b)).toEqual([body, together]);
    const metrics = (await send(`${again.url}/metrics`, { method: 'GET' })).body;
    expect(metrics).toContain('cio_webhooks_duplicates_total 1');
  });

  it.each([
    ['text that is not JSON', 'this is not JSON', ['not_json', 'no_event_id']],
    ['an empty body', '', ['not_json', 'no_event_id']],
    ['an event of an unknown object type', JSON.stringify({ ...event(), object_type: 'fax' }), ['unknown_object_type']],
    ['an event of an unknown metric', JSON.stringify({ ...event(), metric: 'teleported' }), ['unknown_metric']],
    ['a batch of events in an array', JSON.stringify([event(), event()]), ['not_an_object', 'no_event_id']],
    ['the vendor’s email_sent example (it fails the vendor’s own schema)', '{"data":{"action_id":42,"broadcast_id":9,"customer_id":"42","delivery_id":"RAECAAFwnUSneIa0ZXkmb9lXXXXXXX==","identifiers":{"id":"42"},"recipient":"test@example.com"},"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","metric":"sent","object_type":"email","timestamp":1613063089}', []],
  ])('stores %s as received, flagged, and answers 200', async (_what, body, flags) => {
    const r = await receiver();
    expect((await post(r, body)).status).toBe(200);
    const [line] = await readAll(r);
    expect([line.b, line.f]).toEqual([body, flags]);
  });

  it('stores a body that is not UTF-8 as base64', async () => {
    const r = await receiver();
    const body = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    expect((await post(r, body)).status).toBe(200);
    const [line] = await readAll(r);
    expect([Buffer.from(line.b64, 'base64').equals(body), line.f, line.b]).toEqual([true, ['not_utf8', 'no_event_id'], undefined]);
  });
});

describe('limits', () => {
  it('stores a body over max_body_bytes cut and flagged (its whole signature checked), and refuses one over 16 times the limit with 413', async () => {
    const r = await receiver({ max_body_bytes: 1024, max_buffered_bytes: 1 << 20 });
    const long = JSON.stringify({ ...event(), data: { content: 'x'.repeat(5000) } });
    expect((await post(r, long)).status).toBe(200);
    const [line] = await readAll(r);
    expect([line.id, line.f, line.size, Buffer.byteLength(line.b)]).toEqual([JSON.parse(long).event_id, ['too_large'], long.length, 1024]);
    expect((await post(r, long.replace('xxxx', 'xxxy'), { signature: 'ab'.repeat(32) })).status).toBe(401);
    expect((await heard(post(r, JSON.stringify({ ...event(), data: { content: 'x'.repeat(20_000) } })))).status).toBe(413);
    expect(await readAll(r)).toHaveLength(1);
  });

  it('answers 503 (busy) beyond max_concurrent_requests, while a slow request is being read', async () => {
    const r = await receiver({ max_concurrent_requests: 1 });
    const socket = connect(Number(new URL(r.url).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST ${r.config.path} HTTP/1.1\r\nHost: x\r\nx-cio-timestamp: 1613063089\r\nx-cio-signature: ${'ab'.repeat(32)}\r\nContent-Length: 100\r\n\r\n{"ev`);
    // Until the receiver holds the slow request, a second one may still get in: wait for it to count it.
    while (!(await send(`${r.url}/metrics`, { method: 'GET' })).body.includes('cio_webhooks_inflight_requests 1')) await new Promise((res) => setTimeout(res, 10));
    const busy = await post(r, JSON.stringify(event()));
    expect([busy.status, JSON.parse(busy.body).error]).toEqual([503, 'busy']);
    socket.destroy();
  });

  it('closes a connection whose headers do not arrive in time (slowloris)', async () => {
    const r = await receiver({ headers_timeout_seconds: 1, request_timeout_seconds: 2 });
    const socket = connect(Number(new URL(r.url).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`POST ${r.config.path} HTTP/1.1\r\nHost: x\r\n`);
    const trickle = setInterval(() => socket.writable && socket.write('x-a: b\r\n'), 200);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
  });

  it('answers 404 elsewhere and 405 to other methods, counting them', async () => {
    const r = await receiver();
    expect((await send(`${r.url}/../../etc/passwd`, { method: 'GET' })).status).toBe(404);
    expect((await send(`${r.url}${r.config.path}`, { method: 'GET' })).status).toBe(405);
    expect((await send(`${r.url}/events`, { method: 'POST', body: '{}' })).status).toBe(405);
    const metrics = (await send(`${r.url}/metrics`, { method: 'GET' })).body;
    expect(metrics).toContain('cio_webhooks_rejected_total{reason="not_found"} 1');
    expect(metrics).toContain('cio_webhooks_rejected_total{reason="method_not_allowed"} 2');
  });
});

describe('a store that fails', () => {
  it.each<[string, Faults, RegExp]>([
    ['a full disk', { write: 'ENOSPC' }, /disk is full \(ENOSPC\)/],
    ['an fsync that fails', { sync: 'EIO' }, /I\/O error \(EIO\)/],
  ])('answers 503 saying why on %s, keeps nothing of the event, and stores it when it is sent again after the disk recovers', async (_what, fault, why) => {
    const faults: Faults = {};
    const r = await receiver({}, { files: faultyFiles(faults) });
    const first = JSON.stringify(event());
    expect((await post(r, first)).status).toBe(200);
    Object.assign(faults, fault);
    const body = JSON.stringify(event());
    const refused = await heard(post(r, body));
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'unstorable', message: expect.stringMatching(why) });
    const health = await send(`${r.url}/healthz`, { method: 'GET' });
    expect([health.status, JSON.parse(health.body).reason]).toEqual([503, expect.stringMatching(why)]);
    expect((await readAll(r)).map((l) => l.b)).toEqual([first]);
    Object.assign(faults, { write: undefined, sync: undefined });
    expect(JSON.parse((await post(r, body)).body).status).toBe('stored');
    expect((await readAll(r)).map((l) => l.b)).toEqual([first, body]);
    expect((await send(`${r.url}/healthz`, { method: 'GET' })).status).toBe(200);
    expect((await send(`${r.url}/metrics`, { method: 'GET' })).body).toContain('cio_webhooks_rejected_total{reason="unstorable"} 1');
  });

  it('runs with a store it cannot open, answering 503 with the reason, and opens it once it can', async () => {
    const dir = scratchDir('cio-webhooks-');
    const blocked = join(dir, 'store');
    writeFileSync(blocked, 'a file where the folder should be');
    const r = await receiver({ store_dir: blocked }, { reopenMs: 50 });
    const answer = await heard(post(r, JSON.stringify(event())));
    expect([answer.status, JSON.parse(answer.body).message]).toEqual([503, expect.stringMatching(/cannot open the store/)]);
    expect((await send(`${r.url}/healthz`, { method: 'GET' })).status).toBe(503);
    expect((await readPage(r)).status).toBe(503);
    rmSync(blocked);
    while ((await send(`${r.url}/healthz`, { method: 'GET' })).status !== 200) await new Promise((res) => setTimeout(res, 20));
    expect((await post(r, JSON.stringify(event()))).status).toBe(200);
  });
});

describe('the read API', () => {
  it('wants the read token (not a signing key), and pages in order after any position', async () => {
    const r = await receiver();
    const bodies = Array.from({ length: 5 }, () => JSON.stringify(event()));
    for (const body of bodies) await post(r, body);
    for (const token of ['', KEY, `${READ_TOKEN}x`]) expect((await readPage(r, '', token)).status).toBe(401);
    const first = (await readPage(r, 'limit=2')).page!;
    expect(first.head).toMatchObject({ first: 0, after: 0, events: 2 });
    expect(first.lines.map(eventOf).map((e) => e.event_id)).toEqual(bodies.slice(0, 2).map((b) => JSON.parse(b).event_id));
    const rest = (await readPage(r, `after=${first.head.next}`)).page!;
    expect(rest.lines.map((l) => l.b)).toEqual(bodies.slice(2));
    expect(rest.head.next).toBe(rest.head.end);
    const empty = (await readPage(r, `after=${rest.head.end}`)).page!;
    expect([empty.head.events, empty.lines]).toEqual([0, []]);
    // `until` fixes the end of a read: events stored after it are left for the next read.
    await post(r, JSON.stringify(event()));
    expect((await readPage(r, `after=${first.head.next}&until=${rest.head.end}`)).page!.lines).toHaveLength(3);
  });

  it('answers 410 with the first position kept to a reader retention has outrun, 400 and 416 to positions that are not this store’s', async () => {
    const r = await receiver({ segment_bytes: 4096, retention_bytes: 8192 }, { retentionEveryMs: 20 });
    for (let i = 0; i < 60; i++) await post(r, JSON.stringify(event('email', 'sent', { content: 'x'.repeat(200) })));
    while (r.holder.journal!.first === 0) await new Promise((res) => setTimeout(res, 20));
    const gone = await readPage(r, 'after=0');
    expect(gone.status).toBe(410);
    expect(JSON.parse(gone.body)).toMatchObject({ error: 'gone', first: r.holder.journal!.first, store_id: r.holder.journal!.storeId });
    expect((await readPage(r, `after=${r.holder.journal!.first + 3}`)).status).toBe(400);
    expect((await readPage(r, `after=${r.holder.journal!.committed + 1}`)).status).toBe(416);
    expect((await readPage(r, 'after=-1')).status).toBe(400);
    expect((await readPage(r, 'limit=0')).status).toBe(400);
  });
});

describe('health and metrics', () => {
  it('says what it received, stored, rejected and how long fsyncs take, as Prometheus text', async () => {
    const r = await receiver();
    await post(r, JSON.stringify(event()));
    await post(r, 'not json');
    await post(r, JSON.stringify(event()), { key: OTHER_KEY });
    const health = await send(`${r.url}/healthz`, { method: 'GET' });
    expect([health.status, JSON.parse(health.body).status]).toEqual([200, 'ok']);
    const metrics = await send(`${r.url}/metrics`, { method: 'GET' });
    said.push(metrics.body);
    expect(metrics.body).toContain('cio_webhooks_received_total{outcome="stored"} 2');
    expect(metrics.body).toContain('cio_webhooks_rejected_total{reason="bad_signature"} 1');
    expect(metrics.body).toContain('cio_webhooks_flagged_total{flag="not_json"} 1');
    expect(metrics.body).toMatch(/cio_webhooks_fsync_seconds_count [1-9]/);
    expect(metrics.body).toContain('cio_webhooks_store_up 1');
  });

  it('wants the metrics token on /metrics when one is set', async () => {
    const r = await receiver({}, { env: { CIO_WEBHOOK_SIGNING_KEYS: KEY, CIO_WEBHOOK_READ_TOKEN: READ_TOKEN, CIO_WEBHOOK_METRICS_TOKEN: 'metrics-token-0123456789abcdef' } });
    expect((await send(`${r.url}/metrics`, { method: 'GET' })).status).toBe(401);
    expect((await send(`${r.url}/metrics`, { method: 'GET', headers: { authorization: 'Bearer metrics-token-0123456789abcdef' } })).status).toBe(200);
    expect((await send(`${r.url}/healthz`, { method: 'GET' })).status).toBe(200);
  });
});
