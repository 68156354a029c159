/**
 * The receiver killed with SIGKILL while events pour in (the built CLI, as it runs in the image): every event that
 * got a 2xx before the kill is in the store after a restart — counted one by one — each once, and the store reads
 * back as whole events (the write the kill interrupted is cut off by recovery).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { CLI, PROJECT_ROOT } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';
import { signatureOf } from '../../src/webhooks/signature.js';
import { KEY, READ_TOKEN } from './helpers.js';

interface Running {
  child: ChildProcess;
  url: string;
}

function startCli(configFile: string): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'serve-webhooks', '--config', configFile], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', CIO_WEBHOOK_SIGNING_KEYS: KEY, CIO_WEBHOOK_READ_TOKEN: READ_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      const port = /listening on [^:]+:(\d+)/.exec(out)?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk));
    child.on('exit', (code) => reject(new Error(`serve-webhooks exited with ${code} before listening: ${err}`)));
  });
}

/** One signed POST; resolves with the status, or 0 when the connection broke (the kill). */
function postEvent(url: string, id: string): Promise<number> {
  const body = JSON.stringify({ event_id: id, object_type: 'email', metric: 'delivered', timestamp: 1613063089, data: { delivery_id: `d-${id}`, identifiers: { id } } });
  const timestamp = '1613063089';
  return new Promise((resolve) => {
    const req = request(`${url}/customerio/reporting-webhook`, { method: 'POST', headers: { 'x-cio-timestamp': timestamp, 'x-cio-signature': signatureOf(KEY, timestamp, body), 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function readIds(url: string): Promise<string[]> {
  const ids: string[] = [];
  let after = '';
  for (;;) {
    const res = await fetch(`${url}/events?limit=5000${after}`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    const [head, ...lines] = (await res.text()).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    ids.push(...lines.map((l: { id: string }) => l.id));
    if (lines.length === 0 || head.next >= head.end) return ids;
    after = `&after=${head.next}`;
  }
}

it('loses no event it answered 2xx when SIGKILLed under load, twice over, and stores none twice', async () => {
  const dir = scratchDir('cio-webhooks-kill-');
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ store_dir: join(dir, 'store'), host: '127.0.0.1', port: 0 }));
  const acknowledged = new Set<string>();
  let sent = 0;
  for (let round = 0; round < 2; round++) {
    const { child, url } = await startCli(configFile);
    let killed = false;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // 16 senders at once, each posting new events until the receiver dies; the kill comes once 400 were answered.
    const answeredThisRound = { n: 0 };
    const senders = Array.from({ length: 16 }, async (_, worker) => {
      while (!killed) {
        const id = `kill-${round}-${worker}-${sent++}`;
        const status = await postEvent(url, id);
        if (status >= 200 && status < 300) {
          acknowledged.add(id);
          if (++answeredThisRound.n === 400 && !killed) {
            killed = true;
            child.kill('SIGKILL');
          }
        } else if (status === 0) break;
      }
    });
    await Promise.all(senders);
    await exited;
    expect(answeredThisRound.n).toBeGreaterThanOrEqual(400);
  }
  const { child, url } = await startCli(configFile);
  try {
    const stored = await readIds(url);
    const missing = [...acknowledged].filter((id) => !stored.includes(id));
    expect(missing).toEqual([]);
    expect(new Set(stored).size).toBe(stored.length);
    // Events the kill caught between the write and the answer may be stored without a 2xx: their senders retry, and
    // the retry is answered as a duplicate. Nothing else is in the store.
    expect(stored.every((id) => id.startsWith('kill-'))).toBe(true);
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged.size);
    const again = await postEvent(url, [...acknowledged][0]);
    expect(again).toBe(200);
    expect(await readIds(url)).toHaveLength(stored.length);
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
});
