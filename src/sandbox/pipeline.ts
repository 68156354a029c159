/**
 * One API request, start to finish: stats arrival → latency → fault plan → (body, auth, rate limit,
 * handler) → answer, possibly mangled by a fault. The order matters: faults act before auth and the
 * limiter, like failures in front of the real API (a load balancer resetting a connection does not
 * spend the key's budget), and `truncate` cuts the real answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, splitHostPath } from './auth.js';
import type { ListChanges } from './changes.js';
import type { FaultInjector } from './faults.js';
import { ApiError, errorBody, parseJsonBody, readBody, sendJson, sendText } from './http.js';
import { type RateLimiter, rateLimitError } from './ratelimit.js';
import type { Router } from './router.js';
import type { StatsRecorder } from './stats.js';
import type { FaultKind, FaultRule, Region } from './types.js';
import type { World } from './world.js';

export interface PipelineDeps {
  world: World;
  router: Router;
  keys: Record<string, Region>;
  limiter: RateLimiter;
  faults: FaultInjector;
  /** Lists changed right after given answers (changes.ts). */
  changes?: ListChanges;
  stats: StatsRecorder;
  /** The earliest moment a request handled now may have arrived (stalls.ts); the rate limit counts it from then. */
  earliestArrival?: () => number;
  latencyMs: () => number;
  /** A timer the server can cancel on close (latency past the client's timeout must not hold close()). */
  sleep: (ms: number) => Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** A plain-text answer instead of JSON. */
  text?: string;
}

/**
 * An unrouted path, as seen live (`/v1/esp`, `/v1/sending_domains`): a plain-text `404 page not found`, not the JSON
 * 404 of a routed path whose resource does not exist. Answered whatever the key [inferred: only seen with a good
 * one; the text is a router's, which answers before anything checks the key].
 */
const UNROUTED: Answer = { status: 404, body: undefined, headers: {}, text: '404 page not found' };

let references = 0;

export async function handleApiRequest(req: IncomingMessage, res: ServerResponse, url: URL, deps: PipelineDeps): Promise<void> {
  const arrived = Date.now();
  const method = req.method ?? 'GET';
  const counted = Math.min(arrived, deps.earliestArrival?.() ?? arrived);
  deps.stats.arrived(arrived, counted);
  const host = splitHostPath(url.pathname);
  const match = host ? deps.router.match(method, host.rest) : null;
  const plan = deps.faults.plan(method, url.pathname);
  const fault: FaultKind | undefined = plan.terminal?.kind ?? (plan.delayMs > 0 ? 'latency' : undefined);
  const finish = (status: number) =>
    deps.stats.finished(
      { method, path: url.pathname, query: url.search.slice(1), status, at: arrived, endpoint: match?.endpoint ?? `${method} (unknown path)`, durationMs: Date.now() - arrived, ...(fault ? { fault } : {}) },
      plan.kinds,
    );

  const delay = deps.latencyMs() + plan.delayMs;
  if (delay > 0) await deps.sleep(delay);
  if (res.destroyed || req.socket.destroyed) return finish(0); // the client gave up while we waited

  const terminal = plan.terminal;
  if (terminal && terminal.kind !== 'truncate') return finish(applyFault(terminal, req, res, url));

  const answer = await answerApi(req, url, host, match, deps, { at: arrived, earliest: counted });
  if (terminal?.kind === 'truncate' && answer.text === undefined) {
    truncate(res, answer);
    return finish(answer.status);
  }
  // Dated by the virtual clock, like the API's own answers by its clock (the connector buckets metrics by it).
  const date = new Date(deps.world.clock.now() * 1000).toUTCString();
  if (answer.text !== undefined) sendText(res, answer.status, answer.text, { Date: date });
  else sendJson(res, answer.status, answer.body, { Date: date, ...answer.headers });
  // Only now: the answer was made from the list as it was (a change between two pages of one read).
  if (answer.status === 200) deps.changes?.answered(method, url.pathname, answer.body);
  finish(answer.status);
}

async function answerApi(
  req: IncomingMessage,
  url: URL,
  host: ReturnType<typeof splitHostPath>,
  match: ReturnType<Router['match']>,
  deps: PipelineDeps,
  arrived: { at: number; earliest: number },
): Promise<Answer> {
  if (!host || !match) return UNROUTED;
  try {
    const body = req.method === 'POST' ? parseJsonBody(await readBody(req)) : undefined;
    if (match.auth) deps.limiter.admit(authenticate(req.headers, host.region, deps.keys), arrived.at, arrived.earliest);
    const request = { method: req.method ?? 'GET', region: host.region, path: host.rest, params: match.params, query: url.searchParams, body };
    return { status: 200, body: match.handler(request, deps.world), headers: {} };
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, body: errorBody(error.status, error.detail, error.source), headers: error.headers };
    process.stderr.write(`sandbox: ${req.method} ${url.pathname} failed: ${(error as Error).stack ?? String(error)}\n`);
    return { status: 500, body: errorBody(500, 'internal error in the sandbox'), headers: {} };
  }
}

/** Carry out a fault that replaces the answer; returns the status sent (0 = none). */
function applyFault(rule: FaultRule, req: IncomingMessage, res: ServerResponse, url: URL): number {
  switch (rule.kind) {
    case 'reset':
      req.socket.destroy();
      return 0;
    case 'unauthorized':
      sendJson(res, 401, errorBody(401, 'Unauthorized request: the App API key is missing or not valid.'));
      return 401;
    case 'rate_limit': {
      const error = rateLimitError(10, rule.retryAfter ?? true, ++references);
      sendJson(res, 429, errorBody(429, error.detail), error.headers);
      return 429;
    }
    case 'invalid_json': {
      const text = '<html><head><title>502 Bad Gateway</title></head><body>upstream answered {"activities": [</body></html>';
      if (!res.destroyed) {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
        res.end(text);
      }
      return 200;
    }
    case 'echo_headers': {
      // A misbehaving upstream that reflects the request, credentials included: the connector must redact.
      const status = rule.status ?? 400;
      const headers = { ...req.headers };
      const body = errorBody(status, `bad request; request headers were ${JSON.stringify(headers)}`);
      sendJson(res, status, { ...body, request: { method: req.method, path: url.pathname, headers } });
      return status;
    }
    default: {
      const status = rule.status ?? 500;
      sendJson(res, status, errorBody(status, `injected failure (${status})`), rule.retryAfter ? { 'Retry-After': '1' } : {});
      return status;
    }
  }
}

/** Promise the whole body with Content-Length, send half, and end the connection. */
function truncate(res: ServerResponse, answer: Answer): void {
  const full = Buffer.from(JSON.stringify(answer.body));
  if (res.destroyed) return;
  res.writeHead(answer.status, { ...answer.headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(full.length) });
  res.write(full.subarray(0, Math.floor(full.length / 2)), () => res.socket?.destroy());
}
