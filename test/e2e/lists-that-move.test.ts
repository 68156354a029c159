/**
 * Lists paged by position that change between two pages of one read, end to end: the built CLI reads
 * campaign_actions (10 a page), broadcast_actions and newsletters (100 a page) incrementally from the sandbox, which
 * deletes an object of page 1 right after serving page 1 (and edits others), so page 2 skips the object that moved
 * onto page 1. Each read is landed by Airbyte's dedup rule (test/helpers/airbyte-dedup.ts); after a read with nothing
 * changing under it the tables hold exactly the sandbox's live objects, each at its latest edit. The connector runs
 * on the sandbox's clock.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { ListChangeRule, ListKind } from '../../src/sandbox/types.js';
import { DedupedTable } from '../helpers/airbyte-dedup.js';
import { configuredCatalog } from '../helpers/catalog.js';
import { runCli, type CliResult } from '../helpers/cli.js';

interface PagedList {
  name: ListKind;
  primaryKey: string[][];
  /** The list a read pages through, as a glob over the request path. */
  path: string;
  /** Its live ids in the order the API lists them. */
  order: (sb: Sandbox) => Array<number | string>;
  pageSize: number;
}

const byId = (a: number | string, b: number | string) => Number(a) - Number(b);
const LISTS: PagedList[] = [
  { name: 'campaign_actions', primaryKey: [['id']], path: '*/v1/campaigns/1/actions', order: (sb) => sb.expected.campaignActionIds(1), pageSize: 10 },
  {
    name: 'broadcast_actions',
    primaryKey: [['broadcast_id'], ['id']],
    path: '*/v1/broadcasts/2/actions',
    order: (sb) => sb.expected.listRecords('broadcast_actions').filter((a) => a.broadcast_id === 2).map((a) => a.id as number),
    pageSize: 10,
  },
  // Newest first (the API's default `sort=desc`).
  { name: 'newsletters', primaryKey: [['id']], path: '*/v1/newsletters', order: (sb) => sb.expected.listIds('newsletters').sort(byId).reverse(), pageSize: 100 },
];

let sb: Sandbox;
const config = () => ({ app_api_key: 'sandbox-us-key', api_base_url: sb.url });
const catalog = configuredCatalog(LISTS.map((l) => ({ name: l.name, syncMode: 'incremental' as const })));
const tables = new Map(LISTS.map((l) => [l.name, new DedupedTable({ primaryKey: l.primaryKey, cursorField: 'updated' })]));

beforeAll(async () => {
  // Three pages of each list; no deletion on advance (the deletions here are the test's own), a quarter edited.
  sb = await startSandbox({ seed: 22, rateLimit: false, churn: { deleteOnAdvance: false }, sizes: { campaigns: 2, actionsPerCampaign: 25, broadcasts: 2, actionsPerBroadcast: 25, newsletters: 230 } });
});
afterAll(() => sb.close());

/** A read from `state`, the connector on the sandbox's clock, landed in the tables. */
async function landRead(state?: unknown): Promise<CliResult> {
  const result = await runCli(['read'], { config: config(), catalog, state }, { env: { CIO_TEST_CLOCK: String(sb.now() + 60) } });
  expect(result.errors).toEqual([]);
  expect(result.exitCode).toBe(0);
  for (const l of LISTS) tables.get(l.name)!.applySync(result.recordMessages(l.name).map((m) => ({ data: m.record.data, emitted_at: m.record.emitted_at })));
  return result;
}

/** Each list's rows as `key → updated`, and the sandbox's live objects the same way. */
function landedAndLive(l: PagedList): { landed: Record<string, unknown>; live: Record<string, unknown> } {
  const table = tables.get(l.name)!;
  const landed = Object.fromEntries(table.keys().map((key) => [key, table.get(key)!.updated]));
  const live = Object.fromEntries(sb.expected.listRecords(l.name).map((record) => [table.keyOf(record), record.updated]));
  return { landed, live };
}

/** After page 1 of each list: delete the object that opens page 1 (every later object moves up one place). */
const deleteOnPage1 = (): ListChangeRule[] => LISTS.map((l) => ({ path: l.path, kind: l.name, deleteServed: 1 }));

it('lands, read after read, exactly the live objects at their latest edit, though each read had an object deleted between its pages', async () => {
  // Read 1, no state: the object opening page 2 is skipped by every list. It is new to the destination: the next read prints it.
  const skippedFirst = LISTS.map((l) => l.order(sb)[l.pageSize]);
  sb.setListChanges(deleteOnPage1());
  const first = await landRead();
  for (const [i, l] of LISTS.entries()) expect({ list: l.name, skipped: first.records(l.name).some((r) => String(r.id) === String(skippedFirst[i])) }).toEqual({ list: l.name, skipped: false });

  // Read 2, nothing changing: before, the skipped objects (older than the saved cursor) were never printed.
  sb.setListChanges([]);
  const second = await landRead(first.finalState());
  for (const l of LISTS) {
    const { landed, live } = landedAndLive(l);
    expect({ list: l.name, rows: landed }).toEqual({ list: l.name, rows: live });
  }

  // An hour on (a quarter of each list edited): the object that will open page 2 is edited, and ten minutes later one
  // on the last page, whose edit then becomes the cursor (no later than the read's start less its margin).
  sb.advance(3600);
  const skipped = LISTS.map((l) => l.order(sb)[l.pageSize]);
  for (const [i, l] of LISTS.entries()) sb.changeLists({ kind: l.name, edit: [skipped[i]] });
  sb.advance(600);
  for (const l of LISTS) sb.changeLists({ kind: l.name, edit: [l.order(sb).at(-1)!] });
  sb.advance(600);

  // Read 3: the object opening page 1 is deleted after page 1 was served, and the edited one is skipped. It is
  // remembered, so the read looks it up (GET …/{id}) instead of reporting it deleted, and prints it at its edit.
  const deleted = LISTS.map((l) => l.order(sb)[0]);
  sb.setListChanges(deleteOnPage1());
  const third = await landRead(second.finalState());
  for (const [i, l] of LISTS.entries()) {
    const printed = third.records(l.name).filter((r) => String(r.id) === String(skipped[i]));
    expect({ list: l.name, printed: printed.map((r) => Boolean(r._ab_cdc_deleted_at)) }).toEqual({ list: l.name, printed: [false] });
    // Every live object is landed at its latest edit; the one deleted while the read ran is still there.
    const { landed, live } = landedAndLive(l);
    const deletedKey = Object.keys(landed).find((key) => !(key in live));
    expect({ list: l.name, rows: landed }).toEqual({ list: l.name, rows: { ...live, [deletedKey!]: landed[deletedKey!] } });
    expect(deletedKey).toContain(String(deleted[i]));
  }

  // Read 4, nothing changing: the object deleted during read 3 is reported and gone; the rest as it was.
  sb.setListChanges([]);
  sb.advance(60);
  const fourth = await landRead(third.finalState());
  for (const [i, l] of LISTS.entries()) {
    expect({ list: l.name, deleted: fourth.records(l.name).filter((r) => r._ab_cdc_deleted_at).map((r) => String(r.id)) }).toEqual({ list: l.name, deleted: [String(deleted[i])] });
    const { landed, live } = landedAndLive(l);
    expect({ list: l.name, rows: landed }).toEqual({ list: l.name, rows: live });
  }
});
