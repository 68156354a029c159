/**
 * Lists that change while they are read, on request (src/sandbox/changes.ts): deletions and edits now, or right after
 * a given answer, so that page 2 of a read comes from the changed list; and the single-action GETs a connector asks
 * before it reports an action deleted.
 */
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, walk } from './helpers.js';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await startSandbox({ rateLimit: false, churn: { deleteOnAdvance: false }, sizes: { campaigns: 2, actionsPerCampaign: 15, newsletters: 25, broadcasts: 1, actionsPerBroadcast: 12 } });
});
afterEach(() => sandbox.close());

const idsOf = (records: Array<Record<string, unknown>>) => records.map((r) => r.id);

describe('a change between two pages of one read', () => {
  it('moves the first action of page 2 onto page 1 when an action of page 1 is deleted after page 1 was served', async () => {
    const before = sandbox.expected.campaignActionIds(1);
    sandbox.setListChanges([{ path: '/v1/campaigns/1/actions', kind: 'campaign_actions', delete: [before[2]] }]);
    const { records, pages } = await walk(sandbox, '/campaigns/1/actions', 'actions');
    expect(pages).toBe(2);
    // Page 1 listed the deleted action; page 2 starts where page 1 ended, in the shorter list: before[10] is skipped.
    expect(idsOf(records)).toEqual([...before.slice(0, 10), ...before.slice(11)]);
    expect(sandbox.expected.campaignActionIds(1)).toEqual(before.filter((id) => id !== before[2]));
    expect(sandbox.expected.deletedIds('campaign_actions')).toEqual([before[2]]);
  });

  it('deletes objects the answer listed (deleteServed), and edits others at the sandbox\'s clock, once', async () => {
    const newest = (await call(sandbox, '/newsletters?limit=10')).body.newsletters.map((n: { id: number }) => n.id);
    const unseen = sandbox.expected.listIds('newsletters').find((id) => !newest.includes(id))!;
    sandbox.advance(600);
    sandbox.setListChanges([{ path: '*/v1/newsletters', kind: 'newsletters', deleteServed: 2, edit: [unseen] }]);
    const first = await call(sandbox, '/newsletters?limit=10');
    expect(idsOf(first.body.newsletters)).toEqual(newest);
    const second = await call(sandbox, '/newsletters?limit=10');
    expect(idsOf(second.body.newsletters)).not.toContain(newest[0]);
    expect(idsOf(second.body.newsletters)).not.toContain(newest[1]);
    expect((await call(sandbox, `/newsletters/${newest[0]}`)).status).toBe(404);
    expect((await call(sandbox, `/newsletters/${unseen}`)).body.newsletter.updated).toBe(sandbox.now());
    // Fired once: a third answer changes nothing.
    const third = await call(sandbox, '/newsletters?limit=10');
    expect(idsOf(third.body.newsletters)).toEqual(idsOf(second.body.newsletters));
  });

  it('changes a list now (changeLists), and refuses a change it cannot make, over HTTP too', async () => {
    const [first, second] = sandbox.expected.listIds('segments');
    sandbox.changeLists({ kind: 'segments', delete: [second], edit: [first] });
    expect(sandbox.expected.listIds('segments')).not.toContain(second);
    expect(sandbox.expected.listRecords('segments')[0].updated_at).toBe(sandbox.now());
    expect(() => sandbox.changeLists({ kind: 'segments', delete: [second] })).toThrow(/is not a live object/);
    const refused = await fetch(`${sandbox.controlUrl}/list-changes`, { method: 'POST', body: JSON.stringify([{ kind: 'nope', path: '/x' }]) });
    expect(refused.status).toBe(400);
    const applied = await fetch(`${sandbox.controlUrl}/change`, { method: 'POST', body: JSON.stringify({ kind: 'snippets', delete: [sandbox.expected.listIds('snippets')[1]] }) });
    expect(applied.status).toBe(200);
    expect(sandbox.expected.deletedIds('snippets')).toHaveLength(1);
  });
});

describe('one action of a campaign or a broadcast', () => {
  it('answers {"action": …} as the list shows it, and 404 for a deleted action, another parent\'s, or a deleted parent', async () => {
    const [a1, a2] = sandbox.expected.campaignActionIds(1);
    const listed = (await call(sandbox, '/campaigns/1/actions')).body.actions[0];
    expect((await call(sandbox, `/campaigns/1/actions/${a1}`)).body).toEqual({ action: listed });
    sandbox.changeLists({ kind: 'campaign_actions', delete: [a2] });
    expect((await call(sandbox, `/campaigns/1/actions/${a2}`)).status).toBe(404);
    expect((await call(sandbox, `/campaigns/3/actions/${a1}`)).status).toBe(404);
    const broadcastAction = sandbox.expected.listRecords('broadcast_actions')[0];
    expect((await call(sandbox, `/broadcasts/2/actions/${broadcastAction.id}`)).body).toEqual({ action: broadcastAction });
    sandbox.changeLists({ kind: 'broadcasts', delete: [2] });
    expect((await call(sandbox, `/broadcasts/2/actions/${broadcastAction.id}`)).status).toBe(404);
  });
});
