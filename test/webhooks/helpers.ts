/**
 * Test helpers for the reporting-webhook receiver: a receiver in this process on a free port with its store in a
 * scratch folder, signed POSTs as Customer.io sends them, and the read API read to its end.
 */
import { request } from 'node:http';
import { parseReceiverConfig, type ReceiverConfig } from '../../src/webhooks/config.js';
import { Receiver, type ReceiverOptions } from '../../src/webhooks/server.js';
import { signatureOf } from '../../src/webhooks/signature.js';
import { scratchDir } from '../helpers/scratch.js';

export const KEY = 'whsec-test-key';
export const OTHER_KEY = 'whsec-other-key';
export const READ_TOKEN = 'read-token-for-tests-0123456789';
export const WEBHOOK_PATH = '/customerio/reporting-webhook';

export async function startReceiver(fields: Record<string, unknown> = {}, options: ReceiverOptions & { env?: NodeJS.ProcessEnv } = {}): Promise<Receiver> {
  const config: ReceiverConfig = parseReceiverConfig(
    { store_dir: scratchDir('cio-webhooks-store-'), host: '127.0.0.1', port: 0, ...fields },
    options.env ?? { CIO_WEBHOOK_SIGNING_KEYS: KEY, CIO_WEBHOOK_READ_TOKEN: READ_TOKEN },
  );
  return Receiver.start(config, { log: () => undefined, ...options });
}

export interface Sent {
  status: number;
  body: string;
}

/** A raw HTTP request (fetch would refuse some of the odd ones tests send), resolving with the status and body. */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs `body` signed as Customer.io signs it (with `key`, at `timestamp`). */
export function post(receiver: Receiver, body: string | Buffer, options: { key?: string; timestamp?: string; signature?: string; headers?: Record<string, string> } = {}): Promise<Sent> {
  // Any time will do: the receiver checks no age unless told to (tests of that set a clock and a timestamp).
  const timestamp = options.timestamp ?? '1613063089';
  const signature = options.signature ?? signatureOf(options.key ?? KEY, timestamp, body);
  return send(`${receiver.url}${receiver.config.path}`, {
    headers: { 'content-type': 'application/json', 'x-cio-timestamp': timestamp, 'x-cio-signature': signature, ...options.headers },
    body,
  });
}

export interface ReadPage {
  head: { store_id: string; first: number; end: number; after: number; next: number; events: number };
  lines: Array<Record<string, any>>;
}

export async function readPage(receiver: Receiver, query = '', token = READ_TOKEN): Promise<{ status: number; page?: ReadPage; body: string }> {
  const res = await send(`${receiver.url}/events${query ? `?${query}` : ''}`, { method: 'GET', headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) return { status: res.status, body: res.body };
  const [head, ...lines] = res.body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
  return { status: 200, page: { head, lines }, body: res.body };
}

/** Every stored line, read page by page from the start. */
export async function readAll(receiver: Receiver, limit = 1000): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  let after: number | undefined;
  for (;;) {
    const { status, page, body } = await readPage(receiver, `limit=${limit}${after !== undefined ? `&after=${after}` : ''}`);
    if (status !== 200 || !page) throw new Error(`read API answered ${status}: ${body}`);
    out.push(...page.lines);
    if (page.lines.length === 0 || page.head.next >= page.head.end) return out;
    after = page.head.next;
  }
}

/** The event of a stored line, parsed from its body. */
export const eventOf = (line: Record<string, any>) => JSON.parse(line.b as string) as Record<string, any>;

let counter = 0;
/** A well-formed event with a fresh event_id (ULID-like, 26 characters). */
export function event(objectType = 'email', metric = 'sent', data: Record<string, unknown> = {}): Record<string, any> {
  counter++;
  return {
    event_id: `01TEST${String(counter).padStart(20, '0')}`,
    object_type: objectType,
    metric,
    timestamp: 1_700_000_000 + counter,
    data: { identifiers: { id: `p${counter}`, email: `p${counter}@example.com`, cio_id: `c${counter}` }, delivery_id: `d${counter}`, ...data },
  };
}
