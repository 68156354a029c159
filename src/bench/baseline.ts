/**
 * The throughput baseline, run as its own process like the connector: the same pages the connector fetches
 * (activities 100 a page; every transactional message's deliveries, 1000 a page, in the same window), each
 * fetched over a keep-alive connection, JSON.parse'd, and every record JSON.stringify'd, in a bare loop one
 * page after another. No selection, no transform, no protocol, no stdout: the floor of the work.
 *
 * `node dist/bench/baseline.js '{"baseUrl":…,"apiKey":…,"startTs":…,"endTs":…}'` prints `{"records":N,"pages":N}`.
 */
import { Agent, request } from 'node:http';

interface Plan {
  baseUrl: string;
  apiKey: string;
  startTs: number;
  endTs: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(path: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = request(`${plan.baseUrl}${path}`, { agent, headers: { authorization: `Bearer ${plan.apiKey}`, accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${path} answered ${res.statusCode}`));
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let records = 0;
let pages = 0;
let bytes = 0;

/** Every page of a cursor pass: parse, stringify each record, follow `next`. */
async function pass(path: string, key: string): Promise<void> {
  let start = '';
  for (;;) {
    const separator = path.includes('?') ? '&' : '?';
    const body = await get(start ? `${path}${separator}start=${encodeURIComponent(start)}` : path);
    pages++;
    const list = (body[key] as unknown[] | undefined) ?? [];
    for (const record of list) {
      bytes += JSON.stringify(record).length;
      records++;
    }
    const next = body.next;
    if (list.length === 0 || typeof next !== 'string' || next === '') return;
    start = next;
  }
}

await pass('/activities?limit=100', 'activities');
const templates = ((await get('/transactional')).messages as Array<{ id: number }>) ?? [];
pages++;
for (const { id } of templates) await pass(`/transactional/${id}/messages?limit=1000&start_ts=${plan.startTs}&end_ts=${plan.endTs}`, 'messages');
agent.destroy();
process.stdout.write(`${JSON.stringify({ records, pages, bytes })}\n`);
