/**
 * The sandbox's Design Studio, subscription channels, opt-outs and transactional contents answer as the live API was
 * seen to (../shared/customerio-api/live-observations.md, section 2): page/limit with meta.pagination, a 400 with the
 * reason for each bad parameter, exclusive bounds, UUID ids, the folder tree, edits as the clock advances; opt-outs
 * without a next key at the end; null rather than "" in transactional contents.
 */
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { call } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ seed: 42, rateLimit: false, sizes: { designStudioFolders: 5, designStudioEmails: 14, customers: 40, optouts: 7 } });
});
afterAll(() => sb.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Design Studio listings', () => {
  it('page with page/limit and meta.pagination.total, no next, an empty page past the end with the real total', async () => {
    const total = sb.expected.counts().design_studio_emails;
    const first = await call(sb, '/design_studio/emails?limit=5');
    expect(first.status).toBe(200);
    expect(first.body.emails).toHaveLength(5);
    expect(first.body).not.toHaveProperty('next');
    expect(first.body.meta.pagination).toEqual({ page: 1, limit: 5, total });
    const pages = [];
    for (let page = 1; page <= Math.ceil(total / 5); page++) pages.push(...(await call(sb, `/design_studio/emails?limit=5&page=${page}`)).body.emails);
    expect(pages.map((e: any) => e.id).sort()).toEqual(sb.expected.designStudio('emails').map((e) => e.id).sort());
    const past = await call(sb, '/design_studio/emails?page=99999');
    expect(past.body.emails).toEqual([]);
    expect(past.body.meta.pagination.total).toBe(total);
    expect(first.body.meta.filters).toEqual({ parent_folder_id: null, direct_descendants_only: false, sort_by: 'created', sort_order: 'asc', created_before: null, created_after: null, updated_before: null, updated_after: null });
  });

  it.each([
    ['limit=10001', 'limit must be an integer between 1 and 10000'],
    ['limit=0', 'limit must be an integer between 1 and 10000'],
    ['page=0', 'page must be an integer >= 1'],
    ['page=-1', 'page must be an integer >= 1'],
    ['sort_by=size', 'sort_by must be one of: created, updated, name'],
    ['updated_after=notanumber', 'invalid value for updated_after: notanumber'],
    ['updated_before=2026-01-01T00:00:00Z', 'invalid value for updated_before: 2026-01-01T00:00:00Z'],
  ])('answers %s with a 400 and its reason', async (query, detail) => {
    const reply = await call(sb, `/design_studio/emails?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].detail).toBe(detail);
  });

  it('reads updated_after and updated_before as exclusive bounds', async () => {
    const row = sb.expected.designStudio('emails')[0];
    const t = row.updated as number;
    const ids = async (query: string) => ((await call(sb, `/design_studio/emails?limit=10000&${query}`)).body.emails as any[]).map((e) => e.id);
    expect(await ids(`updated_after=${t - 1}`)).toContain(row.id);
    expect(await ids(`updated_after=${t}`)).not.toContain(row.id);
    expect(await ids(`updated_before=${t + 1}`)).toContain(row.id);
    expect(await ids(`updated_before=${t}`)).not.toContain(row.id);
  });

  it('lists the whole tree by default and a level\'s own items with direct_descendants_only, JSON 404 for an unknown folder', async () => {
    const folders = sb.expected.designStudio('folders');
    expect(folders.every((f) => UUID.test(f.id as string))).toBe(true);
    expect(folders.filter((f) => f.parent_folder_id === null).length).toBeGreaterThan(0);
    const nested = folders.find((f) => f.parent_folder_id !== null)!;
    expect(nested).toBeDefined();
    const all = (await call(sb, '/design_studio/folders')).body.folders;
    expect(all).toHaveLength(folders.length);
    const roots = (await call(sb, '/design_studio/folders?direct_descendants_only=true')).body.folders;
    expect(roots.every((f: any) => f.parent_folder_id === null)).toBe(true);
    const parent = nested.parent_folder_id as string;
    const children = (await call(sb, `/design_studio/folders?parent_folder_id=${parent}&direct_descendants_only=true`)).body.folders;
    expect(children.map((f: any) => f.id)).toContain(nested.id);
    const emails = sb.expected.designStudio('emails');
    const inNested = emails.filter((e) => e.parent_folder_id === nested.id).map((e) => e.id);
    expect(inNested.length).toBeGreaterThan(0);
    // The parent's subtree holds the nested folder's emails; its direct listing does not.
    expect((await call(sb, `/design_studio/emails?parent_folder_id=${parent}`)).body.emails.map((e: any) => e.id)).toEqual(expect.arrayContaining(inNested));
    expect((await call(sb, `/design_studio/emails?parent_folder_id=${parent}&direct_descendants_only=true`)).body.emails.map((e: any) => e.id)).not.toContain(inNested[0]);
    const unknown = await call(sb, '/design_studio/emails?parent_folder_id=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].detail).toBe('parent folder not found');
  });

  it('answers each email\'s detail with content, envelope and transformers, and a JSON 404 for an unknown one', async () => {
    const [email] = sb.expected.designStudio('emails');
    const detail = await call(sb, `/design_studio/emails/${email.id as string}`);
    expect(detail.body.email).toEqual(expect.objectContaining({ ...email, content: expect.objectContaining({ subject: expect.any(String), html: expect.stringContaining('<html>') }) }));
    expect(detail.body.email.envelope).toEqual(expect.objectContaining({ from_id: 1, fake_bcc: true }));
    expect((await call(sb, '/design_studio/emails/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('edits a share of each kind as the clock advances (updated moves to the new time), and can answer every listing as the whole subtree', async () => {
    const other = await startSandbox({ seed: 42, rateLimit: false, designStudioScope: 'whole_subtree' });
    try {
      const before = new Map(other.expected.designStudio('emails').map((e) => [e.id, e.updated]));
      const at = other.now() + 3600;
      other.advance(3600);
      const after = other.expected.designStudio('emails');
      const edited = after.filter((e) => e.updated === at);
      expect(edited.length).toBeGreaterThan(0);
      expect(edited.every((e) => (before.get(e.id) as number) < at)).toBe(true);
      // One email was deleted on the first advance; folders never are.
      expect(after).toHaveLength(before.size - 1);
      expect(other.expected.designStudio('folders')).toHaveLength(other.expected.counts().design_studio_folders);
      const rootOnly = await call(other, '/design_studio/emails?direct_descendants_only=true&limit=10000');
      expect(rootOnly.body.emails).toHaveLength(after.length);
    } finally {
      await other.close();
    }
  });
});

describe('subscription channels, opt-outs and transactional contents', () => {
  it('lists channels under "channels"', async () => {
    const reply = await call(sb, '/subscription_channels');
    expect(reply.body.channels).toHaveLength(sb.expected.counts().subscription_channels);
    expect(reply.body.channels[0]).toEqual({ id: 1, type: 'email', name: 'Email', description: 'email messages', subscribed_by_default: true });
  });

  it('pages opt-outs by start/limit and leaves the next key out on the last page; an out-of-range token answers [] without restarting', async () => {
    const first = await call(sb, '/optouts?limit=4');
    expect(first.body.optouts).toHaveLength(4);
    expect(typeof first.body.next).toBe('string');
    const last = await call(sb, `/optouts?limit=4&start=${first.body.next as string}`);
    expect(last.body.optouts).toHaveLength(3);
    expect(last.body).not.toHaveProperty('next');
    expect([...first.body.optouts, ...last.body.optouts]).toEqual(sb.expected.optouts());
    const row = first.body.optouts[0];
    expect(Object.keys(row).sort()).toEqual(['cio_id', 'customer_id', 'optouts']);
    expect(row.optouts[0]).toEqual({ channel: expect.stringMatching(/^(sms|whatsapp)$/), from: expect.any(String) });
    const beyond = await call(sb, `/optouts?start=${Buffer.from('optouts|v20:500').toString('base64url')}`);
    expect(beyond.body).toEqual({ optouts: [] });
    expect((await call(sb, '/optouts?start=%%%')).status).toBe(400);
  });

  it('answers a transactional message\'s contents without a parent id, with null recipient, bcc, cc and preheader_text', async () => {
    const reply = await call(sb, '/transactional/1/contents');
    expect(reply.body.contents.length).toBeGreaterThan(0);
    for (const content of reply.body.contents) {
      expect(content).not.toHaveProperty('transactional_id');
      expect(content).not.toHaveProperty('deduplicate_id');
      expect([content.recipient, content.bcc, content.cc, content.preheader_text]).toEqual([null, null, null, null]);
    }
    expect((await call(sb, '/transactional/999/contents')).status).toBe(404);
  });
});
