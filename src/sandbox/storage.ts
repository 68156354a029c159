/**
 * The sandbox's storage host (`/__storage/…`): serves export files from the signed links the API hands out, as
 * a cloud storage service would — no App API key (a request that brings an Authorization header besides the
 * signature is refused, as S3 does: "Only one auth mechanism allowed"), 403 for an expired link or a wrong
 * signature, XML error bodies that echo the signature (so the connector must not print them). Not rate limited,
 * not in the API stats. The file is written row by row as the client reads it (backpressure), so a million-person
 * file never sits in memory; `cutDownloads` breaks a download off after some rows.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { ExportStore } from './exports.js';
import type { World } from './world.js';

/** Characters of CSV written at once. */
const CHUNK = 64 * 1024;

export async function handleStorage(req: IncomingMessage, res: ServerResponse, url: URL, store: ExportStore, world: World): Promise<void> {
  if (req.method !== 'GET') return refuse(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', url);
  if (req.headers.authorization) return refuse(res, 400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Signature query parameter should be specified', url);
  const verdict = store.verify(url.pathname, url.searchParams);
  if (!('entry' in verdict)) return refuse(res, verdict.status, verdict.code, verdict.message, url);
  const { entry } = verdict;
  const behaviour = store.behaviour;
  const download: (typeof entry.downloads)[number] = { startedAtMs: Date.now(), rows: 0, complete: false };
  entry.downloads.push(download);
  const cut = behaviour.cutDownloads && entry.downloads.length <= behaviour.cutDownloads.count ? behaviour.cutDownloads.afterRows : Number.POSITIVE_INFINITY;

  const headers: Record<string, string> = { 'Content-Type': behaviour.encoding === 'gzip-file' ? 'application/gzip' : 'text/csv; charset=utf-8' };
  if (behaviour.encoding === 'gzip') headers['Content-Encoding'] = 'gzip';
  res.writeHead(200, headers);
  let out: Writable = res;
  if (behaviour.encoding !== 'identity') {
    const gzip = createGzip({ level: 1 });
    gzip.pipe(res);
    out = gzip;
  }

  const columns = store.columns(entry);
  const end = behaviour.crlf ? '\r\n' : '\n';
  let text = (behaviour.bom ? '\uFEFF' : '') + columns.map(csvCell).join(',') + end;
  const people = world.people;
  for (let i = 0; i < people.count; i++) {
    if (res.destroyed) break;
    if (!entry.accept(i)) continue;
    if (download.rows >= cut) {
      // The connection drops mid-file: what was written so far goes out, then the socket is gone.
      out.write(text);
      text = '';
      if (out !== res) await new Promise<void>((resolve) => (out as ReturnType<typeof createGzip>).flush(() => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 20));
      download.endedAtMs = Date.now();
      res.destroy();
      return;
    }
    text += columns.map((name) => csvCell(people.field(i, name) ?? '')).join(',') + end;
    download.rows++;
    if (text.length >= CHUNK) {
      const room = out.write(text);
      text = '';
      if (!room && !(await drained(out, res))) break;
    }
  }
  if (!res.destroyed) {
    out.end(text);
    await new Promise<void>((resolve) => res.once('finish', () => resolve()).once('close', () => resolve()));
  }
  download.endedAtMs = Date.now();
  download.complete = res.writableFinished;
}

/** A cell as CSV writes it: quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Resolves true once `out` can take more, false if the client went away first. */
function drained(out: Writable, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve(true);
    };
    const onClose = () => {
      out.off('drain', onDrain);
      resolve(false);
    };
    out.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** A storage error as S3 words it, the request's signature echoed back (it is in real error bodies too). */
function refuse(res: ServerResponse, status: number, code: string, message: string, url: URL): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><SignatureProvided>${url.searchParams.get('X-Signature') ?? ''}</SignatureProvided></Error>`;
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}
