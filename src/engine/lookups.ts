/**
 * Settling the keys a delete-tracked read did not see (vanished.ts decides, this asks): each key to look up is asked
 * for on its own, through the one HTTP client and limiter, a few at a time. The outcome of each vanished key:
 * - `gone`: deleted (its pass was one page, its parent is gone, or its lookup answered 404);
 * - `live`: the lookup answered it: the item as it is now, made a record by the stream's own transform, to print
 *   (it was skipped by a list that moved under the read; its latest edit may be older than the cursor);
 * - `kept`: nothing could tell (an answer without the item, an error other than 404 or 401): neither printed nor
 *   reported, remembered as it was, and asked about again by the next read.
 * A 401 is thrown as it came (the key is bad: the read's own error handling reports it).
 */
import { ApiError, RetriesExhausted, type HttpClient } from './http.js';
import { forEachConcurrent } from './concurrency.js';
import type { Config } from '../config.js';
import type { DeleteTracker, Remembered } from './deletes.js';
import type { LogLevel } from '../protocol/messages.js';
import { compileSelector } from './select.js';
import type { Partition, Record_, StreamDefinition } from './types.js';
import { vanishedVerdicts, type Verdict } from './vanished.js';

/** Lookups in flight at once for one stream (they share the limiter with every other request). */
const LOOKUP_CONCURRENCY = 4;

export interface Settled {
  gone: Remembered[];
  live: Record_[];
  kept: Remembered[];
  /** Why keys were kept (first reason of each kind), for one LOG line. */
  unsure: string[];
}

export interface LookupContext {
  config: Config;
  http: HttpClient;
  /** Unix ms. */
  clock: () => number;
  /** Every partition of this read, by key (a lookup runs in its partition: a child's parent, for the path and transform). */
  partitions: ReadonlyMap<string, Partition>;
}

/**
 * After a complete read of a delete-tracked stream: which remembered keys it did not see are gone, and which are live
 * items a list read in pages skipped (vanishedVerdicts, then settleVanished). Keys found live are observed by the
 * tracker (remembered) and returned as records to print; keys nothing could settle stay remembered, said in one WARN.
 * `pages`: what each partition's pass fetched.
 */
export async function settleDeletes(
  definition: StreamDefinition,
  tracker: DeleteTracker,
  pages: ReadonlyMap<string, number>,
  ctx: LookupContext & { log: (level: LogLevel, message: string) => void },
): Promise<{ found: Record_[]; gone: Remembered[] }> {
  const vanished = tracker.vanished();
  if (vanished.length === 0) return { found: [], gone: [] };
  const partitioned = definition.parent !== undefined || definition.partitions !== undefined;
  const verdicts = vanishedVerdicts(vanished, { partitioned, pages, canLookUp: definition.lookup !== undefined }, definition.lookup?.partition ?? (() => undefined));
  const settled = await settleVanished(definition, vanished, verdicts, ctx);
  tracker.observe(settled.live);
  for (const kept of settled.kept) tracker.keep(kept);
  const name = definition.name;
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const asked = verdicts.filter((v) => v.action === 'lookup').length;
  if (asked > 0) {
    const goneAtOnce = verdicts.filter((v) => v.action === 'deleted').length;
    ctx.log('INFO', `${name}: looked up ${plural(asked, 'remembered item', 'remembered items')} a list read in pages did not show: ${settled.live.length} still there (printed), ${settled.gone.length - goneAtOnce} gone`);
  }
  if (settled.kept.length > 0) {
    ctx.log('WARN', `${name}: ${plural(settled.kept.length, 'remembered item', 'remembered items')} the list did not show could not be checked; not reported deleted, asked again next read (${settled.unsure.join('; ') || 'no lookup for this stream'})`);
  }
  return { found: settled.live, gone: settled.gone };
}

export async function settleVanished(definition: StreamDefinition, vanished: readonly Remembered[], verdicts: readonly Verdict[], ctx: LookupContext): Promise<Settled> {
  const settled: Settled = { gone: [], live: [], kept: [], unsure: [] };
  const lookups: Array<{ vanished: Remembered; partitions: string[] }> = [];
  vanished.forEach((v, i) => {
    const verdict = verdicts[i];
    if (verdict.action === 'deleted') settled.gone.push(v);
    else if (verdict.action === 'keep') settled.kept.push(v);
    else lookups.push({ vanished: v, partitions: verdict.partitions });
  });
  const spec = definition.lookup;
  if (!spec || lookups.length === 0) {
    for (const { vanished: v } of lookups) settled.kept.push(v);
    return settled;
  }
  const select = compileSelector(spec.record);
  await forEachConcurrent(lookups, LOOKUP_CONCURRENCY, async ({ vanished: v, partitions }) => {
    let outcome: 'gone' | 'kept' = 'gone';
    for (const key of partitions) {
      const partition = ctx.partitions.get(key) ?? { key };
      const path = spec.path(v.item, partition);
      let body: unknown;
      let answeredAt: number | undefined;
      try {
        const response = await ctx.http.request({ path, stream: definition.name });
        body = response.body;
        answeredAt = response.date;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) continue; // not in this partition (a deletion, when the last)
        // A bad key, or a read that is stopping: the read's own handling says so.
        if (!(error instanceof ApiError || error instanceof RetriesExhausted) || (error instanceof ApiError && error.status === 401)) throw error;
        outcome = 'kept';
        note(settled, `GET ${path} failed (${error instanceof Error ? error.message : String(error)})`);
        continue;
      }
      const record = recordOf(definition, select(body)[0], { config: ctx.config, partition, now: ctx.clock(), answeredAt });
      if (record && sameKey(definition, record, v.item)) {
        settled.live.push(record);
        return;
      }
      // [inferred] A 200 without the item is not documented: neither a deletion nor the item, so nothing is reported.
      outcome = 'kept';
      note(settled, `GET ${path} answered without the item at ${spec.record}`);
    }
    if (outcome === 'gone') settled.gone.push(v);
    else settled.kept.push(v);
  });
  return settled;
}

/** The answer's item through the stream's transform (the first record it makes), or undefined. */
function recordOf(definition: StreamDefinition, raw: Record_ | undefined, ctx: Parameters<NonNullable<StreamDefinition['transform']>>[1]): Record_ | undefined {
  if (!raw) return undefined;
  if (!definition.transform) return raw;
  try {
    const out = definition.transform(raw, ctx);
    return (Array.isArray(out) ? out[0] : out) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Whether the record answered is the key asked for (ids compare as text). */
function sameKey(definition: StreamDefinition, record: Record_, item: Record_): boolean {
  return definition.primaryKey.every(([field]) => String(record[field]) === String(item[field]));
}

function note(settled: Settled, reason: string): void {
  if (settled.unsure.length < 3) settled.unsure.push(reason);
}
