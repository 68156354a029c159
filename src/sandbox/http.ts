/**
 * The HTTP vocabulary shared by the server and the route handlers: the errors envelope, JSON
 * answers, body reading and query-parameter parsing (with the 400s the real API gives).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Region } from './types.js';

export interface ErrorSource {
  pointer?: string;
  parameter?: string;
}

/** An answer other than 200, thrown by handlers and turned into `{"errors":[…]}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly source?: ErrorSource,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function errorBody(status: number, detail: string, source?: ErrorSource): { errors: Array<Record<string, unknown>> } {
  const error: Record<string, unknown> = { detail, status: String(status) };
  if (source) error.source = source;
  return { errors: [error] };
}

export function notFound(what: string): ApiError {
  return new ApiError(404, `${what} not found`);
}

export interface ApiRequest {
  method: string;
  region: Region;
  /** The path after the version prefix, e.g. `/campaigns/3/actions`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** A plain-text answer (the API's unrouted 404). */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

const MAX_BODY = 1_000_000;

/** The request body as text (at most 1 MB, else a 413). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new ApiError(413, 'request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'request body is not valid JSON', { pointer: '/' });
  }
}

interface IntOptions {
  default: number;
  min?: number;
  /** Values above are clamped to max, like the real API does with `limit`. */
  max?: number;
}

/** An integer query parameter: absent → default, not an integer or below min → 400, above max → max. */
export function intParam(query: URLSearchParams, name: string, opts: IntOptions): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return opts.default;
  const value = Number(raw);
  const min = opts.min ?? 1;
  if (!Number.isInteger(value) || value < min) {
    throw new ApiError(400, `${name} must be an integer of at least ${min}`, { parameter: name });
  }
  return opts.max !== undefined ? Math.min(value, opts.max) : value;
}

/** An optional unix-seconds parameter (`start_ts`, `end_ts`). */
export function optionalSeconds(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ApiError(400, `${name} must be a unix timestamp in seconds`, { parameter: name });
  return value;
}

export function boolParam(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  return raw === 'true' || raw === '1';
}

/** A positive integer path id, or a 404 (ids that cannot exist are simply unknown). */
export function pathId(params: Record<string, string>, name = 'id'): number {
  const value = Number(params[name]);
  if (!Number.isInteger(value) || value < 1) throw notFound(`${name} ${params[name]}`);
  return value;
}
