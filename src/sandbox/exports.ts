/**
 * Customers exports, as the sandbox models them: an export is created pending, answers `pending` for a number of
 * polls and until its preparation time has passed (the time Customer.io would take: a model, set per sandbox),
 * then `done` (or `failed`), and its file is served by a separate "storage host" (storage.ts) from signed links
 * that expire. The file is never held: it is written row by row from the seeded people as the client reads it.
 *
 * Decisions where Customer.io is silent (change here and in the tests if the real API proves otherwise):
 *   - the file is CSV with a header row: `cio_id`, `id`, `email`, then one column per attribute (the requested
 *     ones, or every attribute the sandbox knows); an attribute a person lacks is an empty cell;
 *   - /download before the export is done answers 400;
 *   - links expire after `linkTtlMs` (15 minutes, as documented) and are refused with 403, as S3 and GCS do.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { compileNode, type PersonPredicate } from './data/filter.js';
import { ApiError, notFound } from './http.js';
import type { World } from './world.js';

export interface ExportBehaviour {
  /** Status polls answered `pending` before `done` (default 1). */
  pendingPolls: number;
  /** Wall-clock ms after its creation before an export can be done: Customer.io's preparation (default 0). */
  prepareMs: number;
  /** Exports end `failed` (`status: failed`, `failed: true`) instead of done. */
  fail: boolean;
  /** Life of a download link (default 15 minutes, as documented). */
  linkTtlMs: number;
  /** The first N links handed out (since the behaviour was set) are already expired when used. */
  expiredLinks: number;
  /** The first `count` downloads of each export break off after `afterRows` rows (the connection drops). */
  cutDownloads: { afterRows: number; count: number } | null;
  /** `identity`: plain CSV; `gzip`: Content-Encoding gzip; `gzip-file`: a .csv.gz body (application/gzip). */
  encoding: 'identity' | 'gzip' | 'gzip-file';
  /** Rows end with CRLF instead of LF. */
  crlf: boolean;
  /** A UTF-8 byte order mark before the header. */
  bom: boolean;
  /** No cio_id column (the file as another reading of the docs would have it). */
  withoutCioId: boolean;
}

export const DEFAULT_EXPORT_BEHAVIOUR: ExportBehaviour = {
  pendingPolls: 1,
  prepareMs: 0,
  fail: false,
  linkTtlMs: 15 * 60_000,
  expiredLinks: 0,
  cutDownloads: null,
  encoding: 'identity',
  crlf: false,
  bom: false,
  withoutCioId: false,
};

/** Every attribute the sandbox's people may have (data/people.ts), in column order. */
export const EXPORT_ATTRIBUTES = ['created_at', 'first_name', 'last_name', 'plan', 'country', 'company', 'lifetime_value', 'unsubscribed'];

/** What happened to one export, for tests and the benchmark (wall-clock ms). */
export interface ExportRecord {
  id: number;
  status: 'pending' | 'done' | 'failed';
  total: number;
  polls: number;
  createdAtMs: number;
  /** When its preparation time was over (createdAtMs + prepareMs). */
  preparedAtMs: number;
  /** When a poll first answered done (or failed). */
  settledAtMs?: number;
  links: number;
  downloads: Array<{ startedAtMs: number; endedAtMs?: number; rows: number; complete: boolean }>;
}

interface Export extends ExportRecord {
  accept: PersonPredicate;
  attributes?: string[];
  createdAt: number;
  updatedAt: number;
}

export class ExportStore {
  behaviour: ExportBehaviour;
  /** Where the storage host is, e.g. http://127.0.0.1:PORT (set once the server listens). */
  base = '';
  private readonly exports = new Map<number, Export>();
  private nextId = 5001;
  private linksIssued = 0;
  private readonly secret = randomBytes(16).toString('hex');

  constructor(behaviour: Partial<ExportBehaviour> = {}) {
    this.behaviour = { ...DEFAULT_EXPORT_BEHAVIOUR, ...behaviour };
  }

  /** New behaviour; counts of links (for expiredLinks) start again. */
  setBehaviour(behaviour: Partial<ExportBehaviour>): void {
    this.behaviour = { ...DEFAULT_EXPORT_BEHAVIOUR, ...behaviour };
    this.linksIssued = 0;
  }

  /** POST /v1/exports/customers: `filters` (required, the audience language) and `attributes` (optional list). */
  create(body: unknown, world: World): unknown {
    const input = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    if (!('filters' in input)) throw new ApiError(400, 'filters is required', { pointer: '/filters' });
    const accept = compileNode(input.filters, '/filters', world.people, world.catalog);
    const attributes = input.attributes;
    if (attributes !== undefined && attributes !== null && !(Array.isArray(attributes) && attributes.every((a) => typeof a === 'string'))) {
      throw new ApiError(400, 'attributes must be an array of strings', { pointer: '/attributes' });
    }
    const now = Date.now();
    const created = world.clock.now();
    const entry: Export = {
      id: this.nextId++,
      status: 'pending',
      total: 0,
      polls: 0,
      createdAtMs: now,
      preparedAtMs: now + this.behaviour.prepareMs,
      links: 0,
      downloads: [],
      accept,
      attributes: Array.isArray(attributes) && attributes.length > 0 ? (attributes as string[]) : undefined,
      createdAt: created,
      updatedAt: created,
    };
    this.exports.set(entry.id, entry);
    return { export: this.shape(entry) };
  }

  /** GET /v1/exports/{id}: each poll counts; pending until enough polls and its preparation time, then settled. */
  poll(id: string, world: World): unknown {
    const entry = this.find(id);
    entry.polls++;
    if (entry.status === 'pending' && entry.polls > this.behaviour.pendingPolls && Date.now() >= entry.preparedAtMs) {
      entry.status = this.behaviour.fail ? 'failed' : 'done';
      entry.settledAtMs = Date.now();
      entry.updatedAt = world.clock.now();
      if (entry.status === 'done') {
        let total = 0;
        for (let i = 0; i < world.people.count; i++) if (entry.accept(i)) total++;
        entry.total = total;
      }
    }
    return { export: this.shape(entry) };
  }

  /** GET /v1/exports/{id}/download: a signed link to the file, once done. */
  link(id: string): unknown {
    const entry = this.find(id);
    if (entry.status !== 'done') throw new ApiError(400, `export ${entry.id} is ${entry.status}: it has no file to download`);
    const expired = this.linksIssued++ < this.behaviour.expiredLinks;
    const expires = expired ? Date.now() - 1000 : Date.now() + this.behaviour.linkTtlMs;
    entry.links++;
    const query = new URLSearchParams({ 'X-Expires': String(expires), 'X-Signature': this.sign(entry.id, expires) });
    return { url: `${this.base}/__storage/exports/${entry.id}.csv?${query.toString()}` };
  }

  /** The export a storage request names, or why storage refuses it (status and S3-style code). */
  verify(pathname: string, query: URLSearchParams): { entry: Export } | { status: number; code: string; message: string } {
    const match = /^\/__storage\/exports\/(\d+)\.csv$/.exec(pathname);
    const entry = match ? this.exports.get(Number(match[1])) : undefined;
    if (!entry || entry.status !== 'done') return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
    const expires = Number(query.get('X-Expires'));
    const signature = query.get('X-Signature') ?? '';
    if (!Number.isFinite(expires) || signature !== this.sign(entry.id, expires)) {
      return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' };
    }
    if (Date.now() > expires) return { status: 403, code: 'AccessDenied', message: 'Request has expired' };
    return { entry };
  }

  /** The file's columns for an export: cio_id (unless left out), id, email, then its attributes. */
  columns(entry: Export): string[] {
    const identity = this.behaviour.withoutCioId ? ['id', 'email'] : ['cio_id', 'id', 'email'];
    const wanted = entry.attributes ?? EXPORT_ATTRIBUTES;
    return [...identity, ...wanted.filter((name, i) => !['cio_id', 'id', 'email'].includes(name) && wanted.indexOf(name) === i)];
  }

  records(): ExportRecord[] {
    return [...this.exports.values()].map(({ accept: _accept, attributes: _attributes, createdAt: _c, updatedAt: _u, ...record }) => ({ ...record, downloads: record.downloads.map((d) => ({ ...d })) }));
  }

  private find(id: string): Export {
    const entry = /^\d+$/.test(id) ? this.exports.get(Number(id)) : undefined;
    if (!entry) throw notFound(`export ${id}`);
    return entry;
  }

  private sign(id: number, expires: number): string {
    return createHmac('sha256', this.secret).update(`${id}:${expires}`).digest('hex');
  }

  private shape(entry: Export): Record<string, unknown> {
    return {
      id: entry.id,
      deduplicate_id: `${entry.id}:${entry.createdAt}`,
      type: 'customers',
      description: 'Customers export (created via the API)',
      user_id: 0,
      user_email: null,
      failed: entry.status === 'failed',
      status: entry.status,
      total: entry.total,
      downloads: entry.downloads.length,
      created_at: entry.createdAt,
      updated_at: entry.updatedAt,
    };
  }
}
