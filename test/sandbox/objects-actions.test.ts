/** The sandbox's objects, action metrics and newsletter test groups: documented shapes, and the choices it makes where the docs are silent. */
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { call, walk } from './helpers.js';

const everyObject = (type: string) => {
  const has = { object_attribute: { field: 'object_id', operator: 'exists', type_id: type } };
  return { or: [has, { not: has }] };
};

describe('sandbox objects', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false, sizes: { objectTypes: 2, objectsPerType: 9, customers: 50 } });
  });
  afterAll(() => sandbox.close());

  it('answers a search with identifiers and ids of the type, paged by next', async () => {
    const { records, pages } = await walk(sandbox, '/objects?limit=4', 'identifiers', { body: { object_type_id: '2', filter: everyObject('2') } });
    expect(pages).toBe(3);
    expect(records).toHaveLength(9);
    expect(records[0]).toEqual({ object_id: expect.stringMatching(/-2-1$/), cio_object_id: 'ob02000000' });
    expect(new Set(records.map((r) => r.cio_object_id)).size).toBe(9);
  });

  it('repeats the previous page\'s last object at the top of the next page for odd types, as the docs warn it may', async () => {
    const { records } = await walk(sandbox, '/objects?limit=4', 'identifiers', { body: { object_type_id: '1', filter: everyObject('1') } });
    const ids = records.map((r) => r.cio_object_id);
    expect(ids).toHaveLength(11);
    expect(ids[4]).toBe(ids[3]);
    expect(new Set(ids).size).toBe(9);
  });

  it('needs object_type_id and a filter (400), knows only its types (404) and filters on attributes with type_id', async () => {
    expect((await call(sandbox, '/objects', { body: { filter: everyObject('1') } })).status).toBe(400);
    expect((await call(sandbox, '/objects', { body: { object_type_id: '1' } })).status).toBe(400);
    expect((await call(sandbox, '/objects', { body: { object_type_id: '9', filter: everyObject('9') } })).status).toBe(404);
    const withoutTypeId = { object_attribute: { field: 'plan', operator: 'exists' } };
    expect((await call(sandbox, '/objects', { body: { object_type_id: '1', filter: withoutTypeId } })).status).toBe(400);
    const withPlan = await call(sandbox, '/objects?limit=100', { body: { object_type_id: '1', filter: { object_attribute: { field: 'plan', operator: 'exists', type_id: '1' } } } });
    expect(withPlan.body.ids).toHaveLength(6); // every third object has no plan
  });

  it('gives one object\'s attributes by object_id (encoded, spaces and slashes included) or by cio_object_id', async () => {
    const odd = await call(sandbox, `/objects/1/${encodeURIComponent('x')}/attributes`);
    expect(odd.status).toBe(404);
    const search = await call(sandbox, '/objects?limit=100', { body: { object_type_id: '1', filter: everyObject('1') } });
    const awkward = (search.body.ids as string[]).find((id) => id.includes('/'))!;
    expect(awkward).toContain(' ');
    const byObjectId = await call(sandbox, `/objects/1/${encodeURIComponent(awkward)}/attributes`);
    expect(byObjectId.status).toBe(200);
    expect(byObjectId.body.object).toMatchObject({ identifiers: { object_id: awkward }, object_type_id: '1', attributes: { name: expect.any(String), seats: expect.any(String) } });
    const cioObjectId = byObjectId.body.object.identifiers.cio_object_id;
    expect((await call(sandbox, `/objects/1/${cioObjectId}/attributes?id_type=cio_object_id`)).body).toEqual(byObjectId.body);
    expect((await call(sandbox, `/objects/1/${cioObjectId}/attributes`)).status).toBe(404);
    expect((await call(sandbox, `/objects/1/${cioObjectId}/attributes?id_type=email`)).status).toBe(400);
  });

  it('lists the people related to an object as cio_relationships, some with the relationship\'s attributes', async () => {
    const items: Array<Record<string, any>> = [];
    for (let j = 0; j < 9; j++) {
      items.push(...(await walk(sandbox, `/objects/2/ob020${j.toString(16).padStart(5, '0')}/relationships?id_type=cio_object_id&limit=1`, 'cio_relationships')).records);
    }
    expect(items.length).toBeGreaterThan(5);
    expect(items[0]).toMatchObject({ identifiers: { cio_id: expect.any(String) }, object_type_id: '2', object_type_disabled: false });
    expect(items.some((item) => item.attributes?.role)).toBe(true);
    expect(items.some((item) => item.attributes === undefined)).toBe(true);
  });

  it('answers 403 to the objects search when a fault says the plan lacks objects', async () => {
    sandbox.setFaults([{ path: '/v1/objects', kind: 'status', status: 403 }]);
    try {
      expect((await call(sandbox, '/objects', { body: { object_type_id: '1', filter: everyObject('1') } })).status).toBe(403);
    } finally {
      sandbox.setFaults([]);
    }
  });
});

describe('sandbox action metrics and newsletter test groups', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false, sizes: { campaigns: 2, actionsPerCampaign: 8, broadcasts: 1, actionsPerBroadcast: 2, newsletters: 6 } });
  });
  afterAll(() => sandbox.close());

  it('needs version 1 or 2 on a campaign action; version 1 answers period/steps buckets as {metric:{series}}', async () => {
    expect((await call(sandbox, '/campaigns/1/actions/1001/metrics?period=days&steps=3')).status).toBe(400);
    const v1 = await call(sandbox, '/campaigns/1/actions/1001/metrics?version=1&period=days&steps=3');
    expect(v1.status).toBe(200);
    expect(Object.values(v1.body.metric.series as Record<string, number[]>).every((values) => values.length === 3)).toBe(true);
  });

  it('answers version 2 with one bucket per res from the one holding start to the one holding end', async () => {
    const end = sandbox.now();
    const reply = await call(sandbox, `/campaigns/1/actions/1001/metrics?version=2&res=daily&start=${end - 4 * 86_400}&end=${end}`);
    expect(reply.body.metric.series.sent).toHaveLength(5);
    expect((await call(sandbox, '/campaigns/1/actions/1001/metrics?version=2')).status).toBe(400);
  });

  it('adds 2xx…5xx to the series of webhook actions only, and 404s an action of another campaign', async () => {
    const actions = (await walk(sandbox, '/campaigns/1/actions', 'actions')).records;
    const webhook = actions.find((a) => a.type === 'webhook')!;
    const email = actions.find((a) => a.type === 'email')!;
    expect([webhook?.type, email?.type]).toEqual(['webhook', 'email']);
    expect(Object.keys((await call(sandbox, `/campaigns/1/actions/${webhook.id}/metrics?version=1`)).body.metric.series)).toContain('2xx');
    expect(Object.keys((await call(sandbox, `/campaigns/1/actions/${email.id}/metrics?version=1`)).body.metric.series)).not.toContain('2xx');
    expect((await call(sandbox, `/campaigns/3/actions/${email.id}/metrics?version=1`)).status).toBe(404);
  });

  it('answers broadcast action metrics without a version (version 1 is the only one)', async () => {
    const reply = await call(sandbox, '/broadcasts/2/actions/2001/metrics?period=weeks&steps=4');
    expect(reply.body.metric.series.sent).toHaveLength(4);
  });

  it('lists test groups (ids 0 and 2) of newsletters with two variants or more, none for the others', async () => {
    const newsletters = (await walk(sandbox, '/newsletters?limit=100', 'newsletters')).records;
    const answers = await Promise.all(newsletters.map(async (n) => ({ variants: (n.content_ids as number[]).length, groups: (await call(sandbox, `/newsletters/${n.id}/test_groups`)).body.test_groups })));
    expect(answers.some((a) => a.variants === 1)).toBe(true);
    for (const { variants, groups } of answers) {
      if (variants === 1) expect(groups).toEqual([]);
      else {
        expect(groups.map((g: { id: number }) => g.id)).toEqual([0, 2]);
        expect(groups.flatMap((g: { content_ids: number[] }) => g.content_ids)).toHaveLength(variants);
      }
    }
    expect((await call(sandbox, '/newsletters/99/test_groups')).status).toBe(404);
  });
});
