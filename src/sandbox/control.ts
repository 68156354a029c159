/**
 * `/__sandbox/*`: the same controls as the Sandbox object, over HTTP, for the CLI sandbox and child
 * processes. No auth, never rate limited or faulted, not counted in the stats.
 *
 *   GET  /__sandbox/stats            GET  /__sandbox/expected (now + counts per stream)
 *   POST /__sandbox/advance?seconds=N
 *   GET|POST /__sandbox/faults       (POST body: FaultRule[])
 *   POST /__sandbox/reset-stats      POST /__sandbox/latency?ms=N
 *   POST /__sandbox/rate-limit       (body: {"perSecond":N,"retryAfter":bool} or false)
 *   GET  /__sandbox/health           GET  /__sandbox/now (the virtual clock, unix seconds as plain text: for
 *                                    CIO_TEST_CLOCK=$(curl -s …/__sandbox/now) in a shell)
 *   GET  /__sandbox/exports          (every customers export: polls, links, downloads)
 *   POST /__sandbox/exports          (body: ExportBehaviour, unset fields take their defaults)
 *   POST /__sandbox/change           (body: ListChange: delete or edit list objects now)
 *   GET|POST /__sandbox/list-changes (POST body: ListChangeRule[]: changes right after given answers)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errorBody, parseJsonBody, readBody, sendJson } from './http.js';
import type { FaultRule, ListChange, ListChangeRule, RateLimitOption, Sandbox } from './types.js';

type Controls = Omit<Sandbox, 'close'>;

function number(url: URL, name: string): number {
  const value = Number(url.searchParams.get(name));
  if (url.searchParams.get(name) === null || !Number.isFinite(value) || value < 0) {
    throw new ApiError(400, `${name} must be a non-negative number`, { parameter: name });
  }
  return value;
}

function rateLimit(body: unknown): RateLimitOption {
  if (body === false) return false;
  const limit = body as { perSecond?: unknown; retryAfter?: unknown } | null;
  if (!limit || typeof limit.perSecond !== 'number' || limit.perSecond < 1) {
    throw new ApiError(400, 'body must be false or {"perSecond": N, "retryAfter": true|false}', { pointer: '/perSecond' });
  }
  return { perSecond: limit.perSecond, retryAfter: limit.retryAfter !== false };
}

async function route(req: IncomingMessage, url: URL, sandbox: Controls, getFaults: () => FaultRule[], getChanges: () => ListChangeRule[]): Promise<unknown> {
  const action = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
  const body = req.method === 'POST' ? parseJsonBody(await readBody(req)) : undefined;
  switch (action) {
    case 'GET /__sandbox/health':
      return { ok: true, now: sandbox.now() };
    case 'GET /__sandbox/stats':
      return sandbox.stats();
    case 'POST /__sandbox/reset-stats':
      sandbox.resetStats();
      return { ok: true };
    case 'POST /__sandbox/advance':
      sandbox.advance(number(url, 'seconds'));
      return { ok: true, now: sandbox.now() };
    case 'GET /__sandbox/faults':
      return { faults: getFaults() };
    case 'POST /__sandbox/faults':
      try {
        sandbox.setFaults((body ?? []) as FaultRule[]);
      } catch (error) {
        throw new ApiError(400, (error as Error).message, { pointer: '/' });
      }
      return { ok: true, faults: getFaults() };
    case 'POST /__sandbox/latency':
      sandbox.setLatency(number(url, 'ms'));
      return { ok: true };
    case 'POST /__sandbox/rate-limit':
      sandbox.setRateLimit(rateLimit(body));
      return { ok: true };
    case 'GET /__sandbox/exports':
      return { exports: sandbox.exportLog() };
    case 'POST /__sandbox/exports':
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'body must be an object of export behaviour', { pointer: '/' });
      sandbox.setExportBehaviour(body as Parameters<Controls['setExportBehaviour']>[0]);
      return { ok: true };
    case 'POST /__sandbox/change':
      return attempt(() => sandbox.changeLists(body as ListChange));
    case 'GET /__sandbox/list-changes':
      return { rules: getChanges() };
    case 'POST /__sandbox/list-changes':
      return attempt(() => sandbox.setListChanges((body ?? []) as ListChangeRule[]));
    case 'GET /__sandbox/expected':
      return { now: sandbox.now(), counts: sandbox.expected.counts() };
    default:
      throw new ApiError(404, `no control endpoint ${action}`);
  }
}

/** A control that validates its body by throwing a TypeError: a 400 with the reason. */
function attempt(apply: () => void): { ok: true } {
  try {
    apply();
  } catch (error) {
    throw new ApiError(400, (error as Error).message, { pointer: '/' });
  }
  return { ok: true };
}

export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, sandbox: Controls, getFaults: () => FaultRule[], getChanges: () => ListChangeRule[] = () => []): Promise<void> {
  if (req.method === 'GET' && url.pathname.replace(/\/+$/, '') === '/__sandbox/now') {
    const text = String(sandbox.now());
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
    return;
  }
  try {
    sendJson(res, 200, await route(req, url, sandbox, getFaults, getChanges));
  } catch (error) {
    if (error instanceof ApiError) sendJson(res, error.status, errorBody(error.status, error.detail, error.source));
    else sendJson(res, 500, errorBody(500, (error as Error).message));
  }
}
