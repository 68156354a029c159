/**
 * An export's file, from its signed link to batches of CSV rows. The link is fetched with a plain GET that never
 * carries the App API key (the link is signed; storage services refuse a request with a second credential), the
 * body decoded (Content-Encoding gzip, deflate or br, or a gzip file recognised by its first two bytes, since
 * nothing documents which Customer.io sends), parsed as it arrives (csv.ts) and handed out in batches. The body is
 * read only as fast as batches are taken: memory holds a chunk and a batch, whatever the size of the file.
 *
 * A download that breaks (a reset, a body cut off, no data for two minutes, the link refused because it expired)
 * is opened again — from a new link when the old one was refused or is near its 15 minutes — and the rows already
 * handed out are skipped, once the header and the last row handed out are found the same again: no row is handed
 * out twice, none is lost. [inferred: the file behind an export does not change between two downloads; if it
 * does, the read stops with a transient_error rather than guess.] A link is never logged whole: its query holds
 * the signature, so messages name only its host.
 *
 * Rate: the link's host is a storage service, not the App API, so its requests neither spend the App API's
 * 10 requests a second nor wait for its limiter. A file is one request; a broken download is retried at most
 * MAX_ATTEMPTS times in a row without progress (MAX_DOWNLOADS in all), with the API retries' backoff.
 */
import { Readable, pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import got, { type Got } from 'got';
import { ConnectorError, transientError } from '../errors.js';
import { retryDelay } from '../engine/retry.js';
import { CsvError, CsvParser } from './csv.js';
import { machineSleep } from '../clock.js';
import { connectorCause, guardedLookup } from '../engine/egress.js';
import { LinkRefused, linkPolicyFromEnv, linkProblem, type LinkPolicy } from './download-hosts.js';

export const MAX_ATTEMPTS = 6;
export const MAX_DOWNLOADS = 20;
/** Documented: "The link expires after 15 minutes". A link older than this is not used to start a download. */
export const LINK_TTL_MS = 15 * 60_000;
const LINK_MARGIN_MS = 60_000;

/** Storage statuses that mean "this link is no good" (expired, signature refused, gone): ask for a new one. */
export const LINK_REFUSED = new Set([400, 401, 403, 404, 410]);

export interface ExportFileOptions {
  exportId: string;
  stream: string;
  /** A fresh link: GET /exports/{id}/download through the App API client. */
  newLink: () => Promise<string>;
  /** A link already in hand (from the wait), used first. */
  firstLink?: string;
  log?: (level: 'INFO' | 'WARN', message: string) => void;
  transport?: Got;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** No data for this long while waiting for it: the download is broken (default 120 s). Waits for the reader do not count. */
  idleTimeoutMs?: number;
  /** Time to the response's headers (default 60 s). */
  responseTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Which links and redirects are followed (default: the declared storage hosts and the operator's environment). */
  links?: LinkPolicy;
}

/** A download that may work when tried again. */
class DownloadProblem extends Error {
  constructor(
    message: string,
    /** The link itself was refused: the next try asks for a new one. */
    readonly linkRefused = false,
  ) {
    super(message);
  }
}

interface Open {
  request: ReturnType<Got['stream']>;
  chunks: AsyncIterator<Buffer>;
  parser: CsvParser;
}

const noop = () => undefined;
const sameRow = (a: string[] | undefined, b: string[] | undefined) => a !== undefined && b !== undefined && a.length === b.length && a.every((cell, i) => cell === b[i]);

export class ExportFile {
  private link?: { url: string; at: number };
  private current?: Open;
  private headerRow?: string[];
  /** Rows parsed and not handed out yet. */
  private pending: string[][] = [];
  private ended = false;
  private handed = 0;
  private lastHanded?: string[];
  /** Failures in a row since the last batch handed out. */
  private failures = 0;
  /** Downloads started, the first included. */
  downloads = 0;
  private readonly now: () => number;
  private readonly links: LinkPolicy;

  constructor(private readonly options: ExportFileOptions) {
    this.now = options.now ?? Date.now;
    this.links = options.links ?? linkPolicyFromEnv();
    if (options.firstLink) this.link = { url: options.firstLink, at: this.now() };
  }

  get exportId(): string {
    return this.options.exportId;
  }

  /** Rows handed out so far. */
  get rows(): number {
    return this.handed;
  }

  /** The header row (opening the file if it is not open yet); empty for an empty file. */
  async header(): Promise<string[]> {
    if (this.headerRow === undefined) await this.open();
    return this.headerRow ?? [];
  }

  /** The data rows, in batches of at most `size`; the file is closed when the loop over them ends, however it ends. */
  async *batches(size: number): AsyncGenerator<string[][]> {
    try {
      if (this.headerRow === undefined) await this.open();
      for (;;) {
        while (this.pending.length < size && !this.ended) {
          try {
            const { rows, done } = await this.readRows();
            for (const row of rows) this.pending.push(row);
            if (done) {
              this.ended = true;
              this.drop();
            }
          } catch (error) {
            await this.failed(error);
            await this.open();
          }
        }
        if (this.pending.length === 0) return;
        const batch = this.pending.length <= size ? this.pending : this.pending.slice(0, size);
        this.pending = this.pending.length <= size ? [] : this.pending.slice(size);
        this.handed += batch.length;
        this.lastHanded = batch[batch.length - 1];
        this.failures = 0;
        yield batch;
      }
    } finally {
      this.close();
    }
  }

  close(): void {
    this.ended = true;
    this.pending = [];
    this.drop();
  }

  private drop(): void {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    current.request.destroy();
    void current.chunks.return?.().catch(noop);
  }

  /** Opens the file (again), retrying as needed: header read, rows already handed out skipped. */
  private async open(): Promise<void> {
    for (;;) {
      try {
        return await this.connect();
      } catch (error) {
        await this.failed(error);
      }
    }
  }

  private async connect(): Promise<void> {
    this.drop();
    const { exportId } = this.options;
    if (this.downloads >= MAX_DOWNLOADS) {
      throw transientError(`The file of export ${exportId} broke off ${this.downloads} times; try the sync again later.`, { stream: this.options.stream });
    }
    if (!this.link || this.now() - this.link.at > LINK_TTL_MS - LINK_MARGIN_MS) this.link = { url: await this.options.newLink(), at: this.now() };
    this.downloads++;
    // Every hop is checked: this link here, each redirect in beforeRedirect, each name where it is resolved.
    const refused = (url: string | URL, hop: number) => {
      const problem = linkProblem(url, this.links);
      if (problem) throw new LinkRefused(exportId, problem, hop, this.options.stream);
    };
    refused(this.link.url, 0);
    let hops = 0;
    const request = (this.options.transport ?? got).stream(this.link.url, {
      // No authorization header: the link is signed. gzip welcome; decoded here (decompress off) so a gzip file
      // served without Content-Encoding is handled the same way.
      headers: { accept: '*/*', 'accept-encoding': 'gzip' },
      decompress: false,
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { connect: 30_000, secureConnect: 30_000, response: this.options.responseTimeoutMs ?? 60_000 },
      followRedirect: true,
      maxRedirects: 5,
      hooks: { beforeRedirect: [(next) => refused(next.url as URL, ++hops)] },
      ...(this.links.allowPrivate ? {} : { dnsLookup: guardedLookup() }),
    });
    // Errors are read by whoever waits on the request (below, or the chunk iterator); this keeps a late one from
    // going unhandled between the two.
    request.on('error', noop);
    const parser = new CsvParser();
    this.current = { request, chunks: emptyChunks(), parser };
    const response = await new Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
      request.once('response', resolve);
      // A hop refused (above, or by the lookup's guard) is not a network problem: it stops the download as it is.
      request.once('error', (error: Error) => reject(connectorCause(error) ?? new DownloadProblem(`network error (${this.scrub(error.message)})`)));
    });
    const host = hostOf(this.link.url);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const code = await storageErrorCode(request);
      throw new DownloadProblem(`${host} answered ${response.statusCode}${code ? ` (${code})` : ''}`, LINK_REFUSED.has(response.statusCode));
    }
    const encoding = response.headers['content-encoding'];
    this.current.chunks = decoded(request, Array.isArray(encoding) ? encoding.join(',') : encoding)[Symbol.asyncIterator]();

    let buffered: string[][] = [];
    let done = false;
    while (buffered.length === 0 && !done) ({ rows: buffered, done } = await this.readRows());
    const header = buffered.shift() ?? [];
    if (this.headerRow === undefined) this.headerRow = header;
    else if (!sameRow(header, this.headerRow)) throw this.changed('its header is not the same');
    // Skip what was handed out before the break, and check the last of it is where it was.
    let toSkip = this.handed;
    let lastSkipped: string[] | undefined;
    while (toSkip > 0) {
      if (buffered.length === 0) {
        if (done) throw this.changed(`it has fewer than the ${this.handed} rows already read`);
        ({ rows: buffered, done } = await this.readRows());
        continue;
      }
      const n = Math.min(toSkip, buffered.length);
      lastSkipped = buffered[n - 1];
      buffered = buffered.slice(n);
      toSkip -= n;
    }
    if (this.handed > 0 && !sameRow(lastSkipped, this.lastHanded)) throw this.changed(`its row ${this.handed} is not the same`);
    this.pending = buffered;
    this.ended = done;
    if (done) this.drop();
  }

  /** The rows the next chunk completes; at the end of the body, the last rows and `done`. */
  private async readRows(): Promise<{ rows: string[][]; done: boolean }> {
    const current = this.current;
    if (!current) return { rows: [], done: true };
    const timeoutMs = this.options.idleTimeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DownloadProblem(`no data for ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    });
    try {
      const next = await Promise.race([current.chunks.next(), idle]);
      if (next.done) return { rows: current.parser.end(), done: true };
      return { rows: current.parser.push(next.value), done: false };
    } catch (error) {
      if (error instanceof CsvError || error instanceof DownloadProblem) throw error;
      // A reset, a body cut off, a gzip stream that ends too soon: worth another download.
      throw new DownloadProblem(`the download broke off (${this.scrub(error instanceof Error ? error.message : String(error))})`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** After a failed try: throws when trying again cannot help or the tries are spent, else waits its backoff. */
  private async failed(error: unknown): Promise<void> {
    this.drop();
    const { exportId, stream } = this.options;
    if (error instanceof CsvError && error.permanent) {
      throw new ConnectorError(`The file of export ${exportId} is not a CSV file as expected: ${error.message}`, 'system_error', { stream });
    }
    if (!(error instanceof DownloadProblem) && !(error instanceof CsvError)) throw error;
    if (error instanceof DownloadProblem && error.linkRefused) this.link = undefined;
    this.failures++;
    if (this.failures >= MAX_ATTEMPTS) {
      throw transientError(`Could not download the file of export ${exportId} after ${this.failures} attempts (last: ${error.message}). Try the sync again later.`, { stream });
    }
    const delay = retryDelay({ attempt: this.failures, baseMs: this.options.backoffBaseMs, maxMs: this.options.backoffMaxMs, random: this.options.random });
    const resume = this.handed > 0 ? `, skipping the ${this.handed} rows already read` : '';
    this.options.log?.('WARN', `export ${exportId}: ${error.message}; downloading again in ${delay} ms${error instanceof DownloadProblem && error.linkRefused ? ' from a new link' : ''}${resume}`);
    await (this.options.sleep ?? machineSleep)(delay);
  }

  /** A transport's message, first line only, with the link (if it quotes it) reduced to its host. */
  private scrub(message: string): string {
    const line = message.split('\n')[0];
    const url = this.link?.url;
    if (!url) return line;
    const query = url.indexOf('?');
    return line.split(url).join(hostOf(url)).split(query >= 0 ? url.slice(query) : url).join('');
  }

  private changed(what: string): ConnectorError {
    return transientError(`The file of export ${this.options.exportId} changed between two downloads (${what}); run the sync again.`, { stream: this.options.stream });
  }
}

/** The host of a link, for messages: its path and query (the signature) are never printed. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the download host';
  }
}

/**
 * The error code of a storage service's refusal (`<Code>AccessDenied</Code>`), and nothing else of the body:
 * such bodies echo the signature and the string it signs.
 */
async function storageErrorCode(request: Readable): Promise<string | undefined> {
  let text = '';
  const timer = setTimeout(() => request.destroy(), 5000);
  try {
    for await (const chunk of request) {
      text += String(chunk);
      if (text.length > 4096) break;
    }
  } catch {
    // the code is a nicety
  } finally {
    clearTimeout(timer);
    request.destroy();
  }
  return /<Code>([A-Za-z]{1,64})<\/Code>/.exec(text)?.[1] ?? /"(?:code|reason)"\s*:\s*"([A-Za-z]{1,64})"/.exec(text)?.[1];
}

/** The body's bytes, decoded: Content-Encoding first, then a gzip file whatever it was served as. */
export function decoded(body: Readable, contentEncoding: string | undefined): AsyncIterable<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  if (!decoder && encoding !== '' && encoding !== 'identity') {
    throw new CsvError(`the file came with Content-Encoding ${encoding.slice(0, 40)}, which this connector cannot decode`, true);
  }
  return gunzipIfGzip(decoder ? pipeline(body, decoder, noop) : body);
}

/** Chunks as they are, or gunzipped when they begin with gzip's magic bytes (1f 8b; no CSV text begins so). */
async function* gunzipIfGzip(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  let finished = false;
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) {
      finished = true;
      break;
    }
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (finished) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  if (head[0] === 0x1f && head[1] === 0x8b) yield* pipeline(Readable.from(rest()), createGunzip(), noop);
  else yield* rest();
}

async function* emptyChunksGenerator(): AsyncGenerator<Buffer> {}
const emptyChunks = () => emptyChunksGenerator();
