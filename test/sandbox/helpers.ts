/** Shared helpers for the sandbox tests: a tiny JSON client and a pagination walker. */
import { request as httpRequest } from 'node:http';
import type { Sandbox } from '../../src/sandbox/index.js';

export const US_KEY = 'sandbox-us-key';
export const EU_KEY = 'sandbox-eu-key';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON (undefined when the body is not JSON). */
  body: any; // tests read arbitrary API shapes
}

export interface CallOptions {
  key?: string | null;
  method?: string;
  body?: unknown;
  base?: string;
}

/** Call `path` (relative to the US base unless `base` is given) and parse JSON when possible. */
export async function call(sandbox: Sandbox, path: string, opts: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? US_KEY : opts.key;
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${opts.base ?? sandbox.url}${path}`, {
    method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Follow `next` from page 1 to the end, returning every page's records and the requests made. */
export async function walk(
  sandbox: Sandbox,
  path: string,
  recordsKey: string,
  opts: CallOptions & { maxPages?: number } = {},
): Promise<{ records: Array<Record<string, unknown>>; pages: number; lastPage: Reply }> {
  const records: Array<Record<string, unknown>> = [];
  let start = '';
  for (let pages = 1; pages <= (opts.maxPages ?? 1000); pages++) {
    const sep = path.includes('?') ? '&' : '?';
    const reply = await call(sandbox, start ? `${path}${sep}start=${encodeURIComponent(start)}` : path, opts);
    if (reply.status !== 200) throw new Error(`${path} page ${pages}: ${reply.status} ${reply.text}`);
    // Some lists answer null for an empty page (live: membership ids/identifiers, suppressions).
    records.push(...((reply.body[recordsKey] ?? []) as Array<Record<string, unknown>>));
    start = reply.body.next ?? '';
    if (!start) return { records, pages, lastPage: reply };
  }
  throw new Error(`${path}: more than ${opts.maxPages ?? 1000} pages`);
}

/** A raw request, for faults that break the HTTP exchange itself. */
export function raw(url: string, key = US_KEY): Promise<{ status: number; headers: Record<string, unknown>; body: string; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { Authorization: `Bearer ${key}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, complete: res.complete }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, complete: false }));
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, complete: false }));
    });
    req.on('error', reject);
    req.end();
  });
}

export const ids = (records: Array<Record<string, unknown>>, key = 'id') => records.map((r) => r[key]);
