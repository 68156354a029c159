/**
 * startSandbox(): a local HTTP server (node:http, 127.0.0.1 only) that behaves like the Customer.io
 * App API, plus the handle tests use to steer it (clock, faults, rate limit, latency) and to read what
 * happened (stats) and what should have been read (expected).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyChange, ListChanges, validateChange } from './changes.js';
import { handleControl } from './control.js';
import { createExpected } from './expected.js';
import { ExportStore } from './exports.js';
import { FaultInjector } from './faults.js';
import { handleApiRequest, type PipelineDeps } from './pipeline.js';
import { RateLimiter } from './ratelimit.js';
import { Router } from './router.js';
import { registerCampaigns } from './routes/campaigns.js';
import { registerMessages } from './routes/messages.js';
import { registerMisc } from './routes/misc.js';
import { registerObjects } from './routes/objects.js';
import { registerPeople } from './routes/people.js';
import { registerExports } from './routes/exports.js';
import { registerDesignStudio } from './routes/design-studio.js';
import { StallWatch } from './stalls.js';
import { StatsRecorder } from './stats.js';
import { handleStorage } from './storage.js';
import { trackSandbox } from './one-clock.js';
import { DEFAULT_KEYS, DEFAULT_NOW, DEFAULT_SEED, type Sandbox, type SandboxOptions } from './types.js';
import { createWorld } from './world.js';
import { WebhookSender, type WebhookSenderOptions } from './webhooks/sender.js';

export function buildRouter(exports: ExportStore = new ExportStore()): Router {
  const router = new Router();
  registerPeople(router);
  registerMessages(router);
  registerCampaigns(router);
  registerMisc(router);
  registerExports(router, exports);
  registerObjects(router);
  registerDesignStudio(router);
  return router;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const world = createWorld({
    seed,
    // A sandbox on the wall clock starts at the wall clock's now (issue 21: not at DEFAULT_NOW, running from there).
    now: opts.now ?? (opts.realClock ? Math.floor(Date.now() / 1000) : DEFAULT_NOW),
    realClock: opts.realClock ?? false,
    sizes: opts.sizes ?? {},
    churn: opts.churn,
    flatCustomerAttributes: opts.flatCustomerAttributes ?? false,
    activitiesOrder: opts.activitiesOrder,
    deliveryBounds: opts.deliveryBounds,
    designStudioScope: opts.designStudioScope,
  });
  const keys = { ...(opts.keys ?? DEFAULT_KEYS) };
  const faults = new FaultInjector(seed, opts.faults ?? []);
  const limiter = new RateLimiter(opts.rateLimit ?? { perSecond: 10, retryAfter: true });
  const stats = new StatsRecorder();
  const stalls = new StallWatch();
  const exportStore = new ExportStore(opts.exports);
  const changes = new ListChanges(world);
  changes.set(opts.listChanges ?? []);
  let latency = Math.max(0, opts.latencyMs ?? 0);
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  const senders = new Set<WebhookSender>();

  const deps: PipelineDeps = {
    world,
    router: buildRouter(exportStore),
    keys,
    limiter,
    faults,
    changes,
    stats,
    earliestArrival: () => stalls.earliestArrival(),
    latencyMs: () => latency,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
  };

  const expected = createExpected(world);
  const controls = {
    url: '',
    euUrl: '',
    regionUrlTemplate: '',
    controlUrl: '',
    port: 0,
    keys,
    now: () => world.clock.now(),
    advance: (seconds: number) => {
      world.clock.advance(seconds);
      // Reporting webhooks send what the clock's move made happen (in the background: flush() waits for it).
      for (const sender of senders) sender.wake();
    },
    startWebhooks: (options: WebhookSenderOptions) => {
      const sender = new WebhookSender(world, options);
      senders.add(sender);
      return sender;
    },
    setFaults: (rules: Parameters<FaultInjector['set']>[0]) => faults.set(rules),
    setRateLimit: (limit: Parameters<RateLimiter['set']>[0]) => limiter.set(limit),
    setLatency: (ms: number) => {
      latency = Math.max(0, ms);
    },
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    expected,
    setExportBehaviour: (behaviour: Parameters<ExportStore['setBehaviour']>[0]) => exportStore.setBehaviour(behaviour),
    exportLog: () => exportStore.records(),
    changeLists: (change: Parameters<typeof applyChange>[1]) => {
      validateChange(world, change);
      applyChange(world, change);
    },
    setListChanges: (rules: Parameters<ListChanges['set']>[0]) => changes.set(rules),
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const work = url.pathname.startsWith('/__sandbox')
      ? handleControl(req, res, url, controls, () => faults.rules(), () => changes.rules())
      : url.pathname.startsWith('/__storage/')
        ? handleStorage(req, res, url, exportStore, world)
        : handleApiRequest(req, res, url, deps);
    work.catch((error: unknown) => {
      if (!closing) process.stderr.write(`sandbox: unhandled ${(error as Error).stack ?? String(error)}\n`);
      res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  exportStore.base = base;
  // Known by its origin to the runners' one-clock check (one-clock.ts) until it closes.
  const untrack = trackSandbox({ url: `${base}/v1`, now: controls.now });

  return {
    ...controls,
    url: `${base}/v1`,
    euUrl: `${base}/eu/v1`,
    regionUrlTemplate: `${base}/{region}/v1`,
    controlUrl: `${base}/__sandbox`,
    port,
    close: async () => {
      closing = true;
      stalls.stop();
      untrack();
      await Promise.all([...senders].map((sender) => sender.stop()));
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
