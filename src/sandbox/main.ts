/**
 * `npm run sandbox -- --port 8080 --seed 7 --activities 1000000 --customers 200000 --latency 250
 * --rate-limit 10 --no-retry-after --real-clock …`: run the sandbox until killed. Prints the URLs and
 * keys for humans, then one JSON line (`{"ready":true,…}`) for child-process callers.
 */
import { startSandbox } from './server.js';
import { DEFAULT_SIZES, type FaultRule, type SandboxOptions, type SandboxSizes } from './types.js';

const USAGE = `usage: npm run sandbox -- [options]
  --port N              listen on 127.0.0.1:N (default: a free port)
  --seed N              data seed (default 42)
  --now SECONDS         virtual clock start, unix seconds (default: the current time, so the connector's
                        own clock and the data's last 30 days agree)
  --real-clock          let the virtual clock follow the wall clock
  --latency MS          added latency on every API request
  --rate-limit N|off    requests per second per key (default 10)
  --no-retry-after      answer 429 without Retry-After
  --flat-customer-attributes   answer customers/attributes without {"customer": …} wrappers
  --no-deletes          advancing the clock never deletes list objects
  --activities-order O  newest_first (default), oldest_first or shuffled: the order /v1/activities lists in
  --delivery-bounds S,E how the delivery lists read start_ts,end_ts: inclusive (default) or exclusive each
  --design-studio-scope S  as_documented (default), whole_subtree or direct_children: how Design Studio listings
                        read direct_descendants_only (never seen live)
  --faults JSON         fault rules, e.g. '[{"path":"/activities","kind":"status","status":503,"share":0.2}]'
  --exports JSON        how customers exports behave, e.g. '{"prepareMs":10000,"encoding":"gzip","expiredLinks":1}'
  --webhook-url URL     play Customer.io's reporting webhook: POST signed events to URL as the clock moves
                        (needs --webhook-key; the signing key may also come from CIO_WEBHOOK_SIGNING_KEYS)
  --webhook-key KEY     the webhook's signing key
  --<size> N            any size: ${Object.keys(DEFAULT_SIZES).map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join(', ')}`;

/** The reporting webhook to play, when asked for (--webhook-url). */
const webhook: { url?: string; key?: string } = {};

function parseArgs(argv: string[]): SandboxOptions {
  const opts: SandboxOptions = {};
  const sizes: Partial<SandboxSizes> = {};
  let perSecond = 10;
  let retryAfter = true;
  let limited = true;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer`);
      return n;
    };
    const size = flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (flag === '--port') opts.port = int();
    else if (flag === '--seed') opts.seed = int();
    else if (flag === '--now') opts.now = int();
    else if (flag === '--real-clock') opts.realClock = true;
    else if (flag === '--latency') opts.latencyMs = int();
    else if (flag === '--rate-limit') {
      const v = value();
      if (v === 'off' || v === '0') limited = false;
      else perSecond = Number(v);
      if (limited && !(perSecond >= 1)) throw new Error('--rate-limit needs a number of requests per second, or off');
    } else if (flag === '--no-retry-after') retryAfter = false;
    else if (flag === '--flat-customer-attributes') opts.flatCustomerAttributes = true;
    else if (flag === '--no-deletes') opts.churn = { deleteOnAdvance: false };
    else if (flag === '--activities-order') {
      const order = value();
      if (order !== 'newest_first' && order !== 'oldest_first' && order !== 'shuffled') throw new Error('--activities-order needs newest_first, oldest_first or shuffled');
      opts.activitiesOrder = order;
    }
    else if (flag === '--delivery-bounds') {
      const [start, end] = value().split(',');
      const reading = (v: string | undefined) => (v === 'inclusive' || v === 'exclusive' ? v : undefined);
      if (!reading(start) || !reading(end)) throw new Error('--delivery-bounds needs two of inclusive|exclusive, e.g. exclusive,inclusive');
      opts.deliveryBounds = { start: reading(start), end: reading(end) };
    }
    else if (flag === '--design-studio-scope') {
      const scope = value();
      if (scope !== 'as_documented' && scope !== 'whole_subtree' && scope !== 'direct_children') throw new Error('--design-studio-scope needs as_documented, whole_subtree or direct_children');
      opts.designStudioScope = scope;
    }
    else if (flag === '--faults') opts.faults = JSON.parse(value()) as FaultRule[];
    else if (flag === '--exports') opts.exports = JSON.parse(value()) as SandboxOptions['exports'];
    else if (flag === '--webhook-url') webhook.url = value();
    else if (flag === '--webhook-key') webhook.key = value();
    else if (size in DEFAULT_SIZES) sizes[size as keyof SandboxSizes] = int();
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  opts.sizes = sizes;
  // A person pointing the connector at this server expects "now" to be now: the connector's time windows end
  // at its own clock. (Tests that want fixed data pass --now, or use startSandbox's fixed default.)
  opts.now ??= Math.floor(Date.now() / 1000);
  opts.rateLimit = limited ? { perSecond, retryAfter } : false;
  webhook.key ??= process.env.CIO_WEBHOOK_SIGNING_KEYS?.split(/[\s,]+/)[0];
  if (webhook.url && !webhook.key) throw new Error('--webhook-url needs --webhook-key (or CIO_WEBHOOK_SIGNING_KEYS)');
  return opts;
}

async function main(): Promise<void> {
  let opts: SandboxOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const sandbox = await startSandbox(opts);
  const keys = Object.entries(sandbox.keys).map(([key, region]) => `${key} (${region})`).join(', ');
  process.stdout.write(
    [
      'Customer.io sandbox listening',
      `  US api_base_url: ${sandbox.url}`,
      `  EU api_base_url: ${sandbox.euUrl}`,
      `  region template: ${sandbox.regionUrlTemplate}`,
      `  keys:            ${keys}`,
      `  controls:        ${sandbox.controlUrl}/stats, ${sandbox.controlUrl}/now, POST ${sandbox.controlUrl}/advance?seconds=N`,
      `  a config:        ${JSON.stringify({ app_api_key: Object.keys(sandbox.keys).find((k) => sandbox.keys[k] === 'us'), api_base_url: sandbox.url })}`,
      '  after an advance, run the connector on this clock: CIO_TEST_CLOCK=$(curl -s ' + `${sandbox.controlUrl}/now)`,
      // The connector sends its key only to https public hosts unless the operator allows this one (docs/security.md).
      `  connector env:   CIO_ALLOW_PRIVATE_NETWORK=1 (the sandbox is plain http on 127.0.0.1)`,
      JSON.stringify({ ready: true, url: sandbox.url, euUrl: sandbox.euUrl, regionUrlTemplate: sandbox.regionUrlTemplate, controlUrl: sandbox.controlUrl, port: sandbox.port, keys: sandbox.keys }),
      '',
    ].join('\n'),
  );
  if (webhook.url) {
    const sender = sandbox.startWebhooks({ url: webhook.url, signingKey: webhook.key! });
    // With --real-clock, events happen as time passes: look for them every second (advance wakes it too).
    if (opts.realClock) setInterval(() => sender.wake(), 1000).unref();
    process.stdout.write(`  reporting webhook: POST to ${webhook.url} as the clock moves\n`);
  }
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
