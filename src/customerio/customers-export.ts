/**
 * customers by export: how `customers_method` picks the way people are read, and the export way itself — start a
 * customers export with the same filter and attributes, wait for it, download its file, and turn each row into the
 * record the API way makes (customers.ts), keyed by the same `cio_id`.
 *
 * What an export file cannot give, the record leaves null rather than invent: `devices` and `timestamps` (the
 * API way reads them from each person's profile; an export has one column per attribute and nothing else
 * [inferred from the docs: "attributes … as extra columns"]). `unsubscribed` comes from the `unsubscribed`
 * attribute's column, asked for even when `customer_attributes` leaves it out.
 *
 * The file is read by its header, as nothing documents its columns [inferred: a `cio_id` column, `id` and
 * `email`, then one per attribute]. Without a `cio_id` column no record could be keyed: the stream then reads
 * the API way instead, with a WARN, rather than lose people or guess their ids.
 */
import { hasOwn, setOwn } from '../engine/own.js';
import type { LinkPolicy } from './download-hosts.js';
import type { Got } from 'got';
import type { Config } from '../config.js';
import { transientError } from '../errors.js';
import { ApiError } from '../engine/http.js';
import type { Record_, SourceContext } from '../engine/types.js';
import type { JsonObject } from '../protocol/messages.js';
import { ExportFile } from './download.js';
import { downloadLink, ExportFailed, pollTimingsFromEnv, startCustomersExport, waitForExport, type ExportContext, type PollTimings } from './exports.js';
import { idString, pickAttributes } from './people.js';

export type CustomersMethod = Config['customersMethod'];

/**
 * `auto` reads by export from this many people in the workspace. The API way costs ~11 requests per 1,000
 * people (a search page, ten attribute calls): 550 requests at 50,000, about a minute of the whole 10/s budget,
 * which every other stream of the sync shares. An export costs ~10–40 requests whatever the size, but Customer.io
 * takes minutes to prepare it and its file has no devices nor timestamps: below this size the API way is about as
 * fast and gives whole profiles. (A filter that keeps few people of a large workspace still exports: the wait
 * costs time, not budget.)
 */
export const AUTO_EXPORT_PEOPLE = 50_000;

/** Rows (records) handed to the read loop at a time: one RECORD batch and one STATE each, like an API page. */
export const EXPORT_BATCH = 1000;

export const EXPORT_LIMITS =
  'read through a Customer.io export: devices and timestamps are not in export files and stay null; unsubscribed comes from the unsubscribed attribute';

/** The way `setting` reads a workspace of `people` (undefined: not known, so the API way, which always works). */
export function methodFor(setting: CustomersMethod, people: number | undefined): 'api' | 'export' {
  if (setting !== 'auto') return setting;
  return people !== undefined && people >= AUTO_EXPORT_PEOPLE ? 'export' : 'api';
}

/** The people count of GET /v1/workspaces: the largest listed (an account may list several; a wrong guess costs a wait, not data). */
export function workspacePeople(body: unknown): number | undefined {
  const list = body && typeof body === 'object' ? (body as JsonObject).workspaces : undefined;
  if (!Array.isArray(list)) return undefined;
  const counts = list.map((w) => Number((w as JsonObject | null)?.people)).filter((n) => Number.isFinite(n) && n >= 0);
  return counts.length ? Math.max(...counts) : undefined;
}

/** Where the identity columns are, and which columns are attributes (every one but `cio_id`, as the API's attributes hold `id` and `email` too). */
export interface ColumnPlan {
  cioId: number;
  id: number;
  email: number;
  attributes: Array<[name: string, index: number]>;
}

/** `Customer.io ID`, `cio_id`, `CIO-ID` all name the same column: compared lower-case, separators as `_`. */
const normal = (name: string) => name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_');

export function columnPlan(header: string[]): ColumnPlan {
  const find = (...names: string[]) => header.findIndex((column) => names.includes(normal(column)));
  const cioId = find('cio_id', 'customer_io_id', 'cioid');
  const attributes: Array<[string, number]> = [];
  header.forEach((column, index) => {
    if (index !== cioId && column.trim() !== '') attributes.push([column.trim(), index]);
  });
  return { cioId, id: find('id'), email: find('email'), attributes };
}

/**
 * The record of one row, as the API way shapes it. An empty cell is an attribute the person lacks (the API's
 * attributes leave such names out) [inferred: the file has no other way to say "not set"]; a name in two columns
 * takes its first non-empty cell.
 */
export function personFromRow(plan: ColumnPlan, row: string[], attributeNames: string[]): Record_ {
  const cell = (index: number) => (index >= 0 && index < row.length ? row[index] : '');
  const all: JsonObject = {};
  for (const [name, index] of plan.attributes) {
    const value = cell(index);
    // As fields, whatever their names: `constructor`, `toString` and `__proto__` are attributes like any other.
    if (value !== '' && !hasOwn(all, name)) setOwn(all, name, value);
  }
  const identifiers = { cio_id: idString(cell(plan.cioId)), id: idString(cell(plan.id)), email: idString(cell(plan.email)) };
  const unsubscribed = typeof all.unsubscribed === 'string' ? all.unsubscribed.trim().toLowerCase() : undefined;
  return {
    cio_id: identifiers.cio_id,
    id: identifiers.id,
    email: identifiers.email,
    identifiers,
    attributes: pickAttributes(all, attributeNames),
    unsubscribed: unsubscribed === 'true' ? true : unsubscribed === 'false' ? false : null,
    devices: null,
    timestamps: null,
  };
}

/** The columns to ask for: the configured attributes and `unsubscribed` (for the record's own field), or all. */
export function exportAttributes(config: Pick<Config, 'customerAttributes'>): string[] | undefined {
  const names = config.customerAttributes;
  return names.length === 0 ? undefined : [...new Set([...names, 'unsubscribed'])];
}

/** What the export way takes from outside, injectable for tests: waits, clock, transport of the file, poll timings. */
export interface ExportDeps {
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Default: pollTimingsFromEnv() at the start of each read. */
  timings?: PollTimings;
  transport?: Got;
  idleTimeoutMs?: number;
  /** Which links to the file are followed (default: download-hosts.ts's, with the operator's environment). */
  links?: LinkPolicy;
}

/** The customers stream's record source (StreamDefinition.source), with the real clock and waits. */
export const customersSource = exportSource();

/**
 * A customers record source: null to read the API way, else batches of records from an export's file.
 */
export function exportSource(deps: ExportDeps = {}): (ctx: SourceContext) => Promise<AsyncIterable<Record_[]> | null> {
  return (ctx) => readByExport(ctx, deps);
}

async function readByExport(ctx: SourceContext, deps: ExportDeps): Promise<AsyncIterable<Record_[]> | null> {
  const setting = ctx.config.customersMethod;
  if (setting === 'api') return null;
  const auto = setting === 'auto';
  if (auto) {
    const people = workspacePeople((await ctx.http.request({ method: 'GET', path: '/workspaces', stream: ctx.stream })).body);
    const method = methodFor(setting, people);
    ctx.log('INFO', `customers_method auto: ${people === undefined ? 'the workspace size is unknown' : `${people.toLocaleString('en-US')} people in the workspace`}, so ${method === 'export' ? `an export (${AUTO_EXPORT_PEOPLE.toLocaleString('en-US')} or more)` : 'the API'}`);
    if (method === 'api') return null;
    ctx.log('WARN', EXPORT_LIMITS);
  }
  const exports: ExportContext = {
    http: ctx.http,
    stream: ctx.stream,
    timings: deps.timings ?? pollTimingsFromEnv(),
    now: deps.now,
    sleep: deps.sleep,
    stopping: ctx.stopping,
    log: ctx.log,
    links: deps.links,
  };
  let file: ExportFile;
  let total: number | undefined;
  try {
    const started = await startCustomersExport(exports, ctx.config.customerFilter, exportAttributes(ctx.config));
    ctx.log('INFO', `export ${started.id} started; waiting for Customer.io to prepare it`);
    const now = deps.now ?? Date.now;
    const began = now();
    const { info, url } = await waitForExport(exports, started);
    total = info.total;
    ctx.log('INFO', `export ${info.id} ready after ${Math.round((now() - began) / 1000)} s${total !== undefined ? ` (${total.toLocaleString('en-US')} people)` : ''}; downloading`);
    file = new ExportFile({
      exportId: info.id,
      stream: ctx.stream,
      firstLink: url,
      newLink: async () => (await downloadLink(exports, info.id))!,
      log: ctx.log,
      transport: deps.transport,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      idleTimeoutMs: deps.idleTimeoutMs,
      links: deps.links,
    });
  } catch (error) {
    // auto only wanted the cheaper way: when the export way is refused or fails, the API way still reads everyone.
    if (auto && (error instanceof ExportFailed || (error instanceof ApiError && [403, 404].includes(error.status)))) {
      const why = error instanceof ExportFailed ? `Customer.io could not prepare export ${error.exportId} (status failed)` : `the export was refused (${error.message})`;
      ctx.log('WARN', `${why}; reading customers through the API instead`);
      return null;
    }
    throw error;
  }
  const header = await file.header();
  const plan = columnPlan(header);
  const fallBack = (why: string) => {
    file.close();
    ctx.log('WARN', `${why}; reading customers through the API instead, so every record keeps its cio_id key`);
    return null;
  };
  if (header.length === 0) {
    file.close();
    if (total) throw transientError(`The file of export ${file.exportId} is empty, though the export reported ${total} people; try the sync again later.`, { stream: ctx.stream });
    return emptyBatches();
  }
  if (plan.cioId < 0) return fallBack(`the export file has no cio_id column (columns: ${header.slice(0, 12).join(', ')}${header.length > 12 ? ', …' : ''})`);
  // A cio_id column empty on every row of the first batch is not the key we need either (all would be skipped).
  const batches = file.batches(EXPORT_BATCH);
  const first = await batches.next();
  if (!first.done && first.value.every((row) => idString(row[plan.cioId]) === null)) {
    await batches.return(undefined);
    return fallBack(`the cio_id column of the export file is empty on its first ${first.value.length} rows`);
  }
  if (plan.id < 0 || plan.email < 0) ctx.log('WARN', `the export file has no ${plan.id < 0 ? 'id' : 'email'} column: that field is null on every record`);
  return records(first.done ? [] : first.value, batches, file, plan, ctx, total);
}

async function* records(
  first: string[][],
  rest: AsyncGenerator<string[][]>,
  file: ExportFile,
  plan: ColumnPlan,
  ctx: SourceContext,
  total: number | undefined,
): AsyncGenerator<Record_[]> {
  const names = ctx.config.customerAttributes;
  try {
    if (first.length > 0) yield first.map((row) => personFromRow(plan, row, names));
    for await (const rows of rest) yield rows.map((row) => personFromRow(plan, row, names));
  } finally {
    file.close();
  }
  const downloads = file.downloads > 1 ? ` in ${file.downloads} downloads` : '';
  ctx.log('INFO', `read ${file.rows.toLocaleString('en-US')} rows of the export file${downloads}`);
  // `total` is "the number of entries in the export": fewer rows means a file cut short without an error (a body
  // that ended cleanly at a line end), and a COMPLETE stream would let a full refresh overwrite drop the people
  // missing. The stream fails instead (transient): Airbyte and `sync` swap a replaced table in only when its stream
  // completes, and retry. Not re-exported here: the rows read are already printed (the file is streamed, memory
  // stays bounded), so a second file would print them twice, and it costs minutes of Customer.io's preparation.
  if (total !== undefined && file.rows < total) {
    throw transientError(
      `The file of export ${file.exportId} had ${file.rows.toLocaleString('en-US')} rows, but the export reported ${total.toLocaleString('en-US')} people: the download was cut short. Run the sync again; if it keeps happening, set customers_method to api.`,
      { stream: ctx.stream },
    );
  }
}

async function* emptyBatches(): AsyncGenerator<Record_[]> {}
