/**
 * The sandbox playing Customer.io's reporting webhook against a server made here: signed events that agree with the
 * deliveries as the clock moves, one at a time, retried with backoff (virtual time), held back behind a failing one,
 * timed out after the timeout, dropped after 7 days, and now and then sent twice or out of order.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { retryWait, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { knownMetric } from '../../src/webhooks/contract.js';
import { verify } from '../../src/webhooks/signature.js';

const KEY = 'whsec-sandbox-test';

interface Received {
  timestamp: string;
  signature: string;
  body: string;
  event: Record<string, any>;
}

/** A webhook endpoint that records what it gets and answers what `answer` says (a status, or a delay in ms first). */
async function endpoint(answer: (event: Record<string, any>, n: number) => number | { delayMs: number; status: number } = () => 200) {
  const received: Received[] = [];
  let inFlight = 0;
  let mostAtOnce = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    inFlight++;
    mostAtOnce = Math.max(mostAtOnce, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const event = JSON.parse(body);
      received.push({ timestamp: String(req.headers['x-cio-timestamp']), signature: String(req.headers['x-cio-signature']), body, event });
      const reply = answer(event, received.length);
      const { delayMs, status } = typeof reply === 'number' ? { delayMs: 0, status: reply } : reply;
      setTimeout(() => {
        inFlight--;
        if (!res.destroyed) res.writeHead(status).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    mostAtOnce: () => mostAtOnce,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

let sb: Sandbox;
const closing: Array<() => Promise<void>> = [];
beforeEach(async () => {
  sb = await startSandbox({ sizes: { messages: 3000, deliveries: 600 } });
});
afterEach(async () => {
  await sb.close();
  for (const close of closing.splice(0)) await close();
});

it('posts, one at a time, signed events of the deliveries that happened since it started, agreeing with /v1/messages', async () => {
  const hook = await endpoint();
  closing.push(hook.close);
  const sender = sb.startWebhooks({ url: hook.url, signingKey: KEY, duplicateShare: 0, disorderShare: 0 });
  const start = sb.now();
  sb.advance(6 * 3600);
  await sender.flush();
  expect(hook.received.length).toBeGreaterThan(20);
  expect(hook.mostAtOnce()).toBe(1);
  for (const r of hook.received) {
    expect(verify([KEY], r.timestamp, r.signature, r.body)).toBe(true);
    expect(Number(r.timestamp)).toBe(start + 6 * 3600);
    expect(knownMetric(r.event.object_type, r.event.metric)).toBe(true);
    expect(r.event.timestamp).toBeGreaterThan(start);
    expect(r.event.timestamp).toBeLessThanOrEqual(start + 6 * 3600);
    expect(r.event.event_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(r.event.data.identifiers).toEqual(expect.objectContaining({ cio_id: expect.any(String) }));
  }
  // In timestamp order, each event once.
  const times = hook.received.map((r) => r.event.timestamp);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(new Set(hook.received.map((r) => r.event.event_id)).size).toBe(hook.received.length);
  // What the webhook said happened is what the API shows for that delivery.
  const messages = new Map<string, Record<string, any>>();
  for (let start2 = ''; ; ) {
    const res = await fetch(`${sb.url}/messages?limit=1000${start2 ? `&start=${start2}` : ''}`, { headers: { authorization: 'Bearer sandbox-us-key' } });
    const page = (await res.json()) as { messages: Array<Record<string, any>>; next: string };
    for (const m of page.messages) messages.set(m.id, m);
    if (!page.next || page.messages.length === 0) break;
    start2 = page.next;
  }
  const fromMessages = hook.received.filter((r) => messages.has(r.event.data.delivery_id));
  expect(fromMessages.length).toBeGreaterThan(10);
  for (const r of fromMessages) expect(messages.get(r.event.data.delivery_id)!.metrics[r.event.metric]).toBe(r.event.timestamp);
  expect(sender.delivered).toEqual(hook.received.map((r) => r.event.event_id));
});

it('holds every later event back while one fails, retries it an hour later (same signature), then sends the rest in order', async () => {
  let failing = true;
  const hook = await endpoint(() => (failing ? 500 : 200));
  closing.push(hook.close);
  const sender = sb.startWebhooks({ url: hook.url, signingKey: KEY, duplicateShare: 0, disorderShare: 0 });
  sb.advance(3 * 3600);
  await sender.flush();
  expect(hook.received).toHaveLength(1);
  const first = hook.received[0];
  sb.advance(1800);
  await sender.flush();
  expect(hook.received).toHaveLength(1);
  failing = false;
  sb.advance(1800);
  await sender.flush();
  expect(hook.received[1].body).toBe(first.body);
  // Not signed again [inferred]: the retry repeats the first attempt's timestamp and signature.
  expect([hook.received[1].timestamp, hook.received[1].signature]).toEqual([first.timestamp, first.signature]);
  expect(hook.received.length).toBeGreaterThan(3);
  expect(sender.pending).toBe(0);
  expect(sender.attempts.filter((a) => a.eventId === first.event.event_id).map((a) => a.attempt)).toEqual([1, 2]);
});

it('counts an answer later than the timeout as a failure and sends the event again (the receiver then has it twice)', async () => {
  const hook = await endpoint((_e, n) => (n === 1 ? { delayMs: 400, status: 200 } : 200));
  closing.push(hook.close);
  const sender = sb.startWebhooks({ url: hook.url, signingKey: KEY, timeoutMs: 100, duplicateShare: 0, disorderShare: 0 });
  sb.advance(3 * 3600);
  await sender.flush();
  expect(sender.attempts[0].outcome).toEqual({ error: 'timeout' });
  expect(hook.received).toHaveLength(1);
  // A timeout is retried after the ordinary backoff (30 s), not the hour.
  sb.advance(30);
  await sender.flush();
  expect(hook.received[1].event.event_id).toBe(hook.received[0].event.event_id);
});

it('gives an event up 7 days after its first try, and goes on with the next', async () => {
  // Fewer deliveries: the 8 days held back behind the failing event all go out at the end.
  await sb.close();
  sb = await startSandbox({ sizes: { messages: 300, deliveries: 60 } });
  let failing = true;
  const hook = await endpoint(() => (failing ? 404 : 200));
  closing.push(hook.close);
  const sender = sb.startWebhooks({ url: hook.url, signingKey: KEY, duplicateShare: 0, disorderShare: 0 });
  sb.advance(3600);
  await sender.flush();
  const doomed = hook.received[0].event.event_id;
  for (let day = 0; day < 8; day++) {
    sb.advance(86_400);
    await sender.flush();
    if (day === 6) failing = false;
  }
  expect(sender.expired).toContain(doomed);
  expect(sender.delivered).not.toContain(doomed);
  expect(sender.delivered.length).toBeGreaterThan(0);
});

it('sends some events twice and some out of timestamp order, as asked', async () => {
  const hook = await endpoint();
  closing.push(hook.close);
  const sender = sb.startWebhooks({ url: hook.url, signingKey: KEY, duplicateShare: 0.2, disorderShare: 0.2 });
  sb.advance(12 * 3600);
  await sender.flush();
  const ids = hook.received.map((r) => r.event.event_id);
  expect(new Set(ids).size).toBeLessThan(ids.length);
  const times = hook.received.map((r) => r.event.timestamp);
  expect(times.some((t, i) => i > 0 && t < times[i - 1])).toBe(true);
});

it.each([
  [1, { status: 500 }, 3600],
  [2, { status: 500 }, 7200],
  [1, { status: 503 }, 30],
  [3, { status: 503 }, 120],
  [1, { error: 'ECONNREFUSED' }, 3600],
  [1, { error: 'timeout' }, 30],
  [20, { status: 503 }, 6 * 3600],
])('waits before retry %d after %j: %d virtual seconds', (attempt, outcome, seconds) => {
  expect(retryWait(attempt, outcome)).toBe(seconds);
});
