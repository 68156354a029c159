/**
 * Design Studio (folders, emails, components) against nock: the folder tree walked level by level, each list read once
 * per level with each item printed by its own level only, page/limit paging, the exclusive `updated_after` of an
 * incremental read, each email's detail, and a workspace without Design Studio.
 */
import nock from 'nock';
import { designStudioComponents, designStudioEmails, designStudioFolders } from '../../src/customerio/streams/design-studio.js';
import { API, expectRecordsMatchSchema, readStreams } from './listing-harness.js';

const FOLDER_A = '0b7e5c1a-0000-4000-8000-00000000000a';
const FOLDER_B = '0b7e5c1a-0000-4000-8000-00000000000b';
const T = 1_717_000_000;

const folder = (id: string, parent: string | null, updated = T - 500) => ({ id, name: `folder ${id.slice(-1)}`, parent_folder_id: parent, created: T - 9000, updated });
const email = (n: number, parent: string | null, updated = T - 100 * n) => ({
  id: `e0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name: `Email ${n}`,
  is_template: n % 2 === 0,
  is_linked: n % 3 === 0,
  has_translations: false,
  parent_folder_id: parent,
  created: T - 50_000,
  updated,
});
const component = (n: number, parent: string | null) => ({ id: `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: `Block ${n}`, tag: `block-${n}`, parent_folder_id: parent, created: T - 9000, updated: T - n });
const detail = (row: ReturnType<typeof email>) => ({
  email: {
    ...row,
    available_languages: ['en'],
    content: { subject: `Subject of ${row.name}`, preheader_text: null, html: '<html><body>hi</body></html>', amp: '', text: 'hi' },
    envelope: { from_id: 1, from: 'news@example.com', reply_to_id: null, recipient: '{{customer.email}}', bcc: '', fake_bcc: true, headers: [] },
    transformers: { css_inliner: { enabled: true } },
  },
});
/** A Design Studio list answer: the items, the folders of the level, and meta.pagination (`total` as given). */
const answer = (key: string, items: unknown[], total = items.length, page = 1) => ({ folders: [], [key]: items, meta: { pagination: { page, limit: 10000, total }, filters: { sort_by: 'created', updated_after: null } } });

/** The query of a level's listing (a full read: no updated_after). */
const level = (folderId?: string, extra: Record<string, string> = {}) => ({
  ...(folderId ? { parent_folder_id: folderId } : {}),
  direct_descendants_only: 'true',
  sort_by: 'created',
  sort_order: 'asc',
  limit: '10000',
  ...extra,
});

/** The tree: A at the root, B inside A. The root listing answers as the documented reading would (B included). */
function folderTree(scope: nock.Scope): nock.Scope {
  return scope
    .get('/v1/design_studio/folders')
    .query(level())
    .reply(200, answer('folders', [folder(FOLDER_A, null), folder(FOLDER_B, FOLDER_A)]))
    .get('/v1/design_studio/folders')
    .query(level(FOLDER_A))
    .reply(200, answer('folders', [folder(FOLDER_B, FOLDER_A)]))
    .get('/v1/design_studio/folders')
    .query(level(FOLDER_B))
    .reply(200, answer('folders', []));
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('design_studio_folders', () => {
  it('walks the tree level by level (direct children, oldest first, 10,000 a page) and prints each folder once, parent_folder_id null at the root', async () => {
    const api = folderTree(nock(API));
    const result = await readStreams([{ definition: designStudioFolders }]);
    api.done();
    const records = result.records('design_studio_folders');
    expect(records).toEqual([folder(FOLDER_A, null), folder(FOLDER_B, FOLDER_A)]);
    expectRecordsMatchSchema(designStudioFolders, records);
    expect(result.statuses('design_studio_folders').at(-1)).toBe('COMPLETE');
  });

  it('skips a folder deleted while the tree is walked (404 on its level), with a WARN', async () => {
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(level())
      .reply(200, answer('folders', [folder(FOLDER_A, null)]))
      .get('/v1/design_studio/folders')
      .query(level(FOLDER_A))
      .reply(404, { errors: [{ detail: 'parent folder not found', status: '404' }] });
    const result = await readStreams([{ definition: designStudioFolders }]);
    api.done();
    expect(result.records('design_studio_folders').map((r) => r.id)).toEqual([FOLDER_A]);
    expect(result.logs('WARN').join('\n')).toMatch(/skipped folder .*parent folder not found/);
    expect(result.statuses('design_studio_folders').at(-1)).toBe('COMPLETE');
  });
});

describe('design_studio_emails', () => {
  it('lists the root and each folder, prints each email from its own level only, and adds each one\'s content from its detail', async () => {
    const rootEmails = [email(1, null), email(2, null)];
    const details: string[] = [];
    const api = folderTree(nock(API))
      // The root listing also holds A's email (as a listing of the whole subtree would): printed from A's level only.
      .get('/v1/design_studio/emails')
      .query(level())
      .reply(200, answer('emails', [...rootEmails, email(3, FOLDER_A)]))
      .get('/v1/design_studio/emails')
      .query(level(FOLDER_A))
      .reply(200, answer('emails', [email(3, FOLDER_A)]))
      .get('/v1/design_studio/emails')
      .query(level(FOLDER_B))
      .reply(200, answer('emails', [email(4, FOLDER_B)]))
      .get(/^\/v1\/design_studio\/emails\/e0000000-[-0-9a-f]+$/)
      .times(4)
      .reply(200, (uri) => {
        details.push(uri);
        const n = Number(uri.slice(-12));
        return detail(email(n, n <= 2 ? null : n === 3 ? FOLDER_A : FOLDER_B));
      });
    const result = await readStreams([{ definition: designStudioEmails }]);
    api.done();
    const records = result.records('design_studio_emails');
    expect(records.map((r) => r.name).sort()).toEqual(['Email 1', 'Email 2', 'Email 3', 'Email 4']);
    expect(details).toHaveLength(4);
    const three = records.find((r) => r.name === 'Email 3')!;
    expect(three).toEqual({ ...detail(email(3, FOLDER_A)).email });
    expect(three.content).toEqual({ subject: 'Subject of Email 3', preheader_text: null, html: '<html><body>hi</body></html>', amp: '', text: 'hi' });
    expectRecordsMatchSchema(designStudioEmails, records);
    expect(result.records('design_studio_folders')).toEqual([]);
  });

  it('with design_studio_email_content false, asks no detail and leaves content, envelope and transformers null', async () => {
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(level())
      .reply(200, answer('folders', []))
      .get('/v1/design_studio/emails')
      .query(level())
      .reply(200, answer('emails', [email(1, null)]));
    const result = await readStreams([{ definition: designStudioEmails }], { config: { design_studio_email_content: false } });
    api.done();
    expect(result.records('design_studio_emails')).toEqual([{ ...email(1, null), content: null, envelope: null, transformers: null, available_languages: null }]);
  });

  it('keeps an email deleted between the list and its detail (404), without its content', async () => {
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(level())
      .reply(200, answer('folders', []))
      .get('/v1/design_studio/emails')
      .query(level())
      .reply(200, answer('emails', [email(1, null)]))
      .get(`/v1/design_studio/emails/${email(1, null).id}`)
      .reply(404, { errors: [{ detail: 'resource not found', status: '404' }] });
    const result = await readStreams([{ definition: designStudioEmails }]);
    api.done();
    expect(result.records('design_studio_emails')).toEqual([expect.objectContaining({ id: email(1, null).id, content: null })]);
    expect(result.statuses('design_studio_emails').at(-1)).toBe('COMPLETE');
  });

  it('asks an incremental read for updated_after = cursor − 1 (exclusive), no updated_before, and keeps an edit made in the cursor\'s own second', async () => {
    const atCursor = email(1, null, T);
    const later = email(2, null, T + 60);
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(level())
      .reply(200, answer('folders', [folder(FOLDER_A, null)]))
      .get('/v1/design_studio/folders')
      .query(level(FOLDER_A))
      .reply(200, answer('folders', []))
      .get('/v1/design_studio/emails')
      .query(level(undefined, { updated_after: String(T - 1) }))
      // An API that did not apply the filter: the email before the cursor is left out all the same.
      .reply(200, answer('emails', [email(9, null, T - 1), atCursor, later]))
      // A folder new to the state is read whole.
      .get('/v1/design_studio/emails')
      .query(level(FOLDER_A))
      .reply(200, answer('emails', [email(3, FOLDER_A, T - 5000)]));
    const result = await readStreams([{ definition: designStudioEmails, syncMode: 'incremental', state: { partitions: { root: { updated: T } } } }], {
      config: { design_studio_email_content: false },
      now: (T + 3600) * 1000,
    });
    api.done();
    expect(result.records('design_studio_emails').map((r) => r.name).sort()).toEqual(['Email 1', 'Email 2', 'Email 3']);
    expect(result.lastState('design_studio_emails')).toEqual({ partitions: { root: { updated: T + 60 }, [FOLDER_A]: { updated: T - 5000 } } });
  });

  it('keeps the root level\'s cursor and drops the cursor of a folder gone from the tree', async () => {
    const gone = '0b7e5c1a-0000-4000-8000-0000000000ff';
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(level())
      .reply(200, answer('folders', []))
      .get('/v1/design_studio/emails')
      .query(level(undefined, { updated_after: String(T - 1) }))
      .reply(200, answer('emails', []));
    const result = await readStreams([{ definition: designStudioEmails, syncMode: 'incremental', state: { partitions: { root: { updated: T }, [gone]: { updated: T } } } }], { now: (T + 3600) * 1000 });
    api.done();
    expect(result.lastState('design_studio_emails')).toEqual({ partitions: { root: { updated: T } } });
    expect(result.logs('INFO').join('\n')).toMatch(new RegExp(`dropped the saved cursor of 1 .*${gone}`));
  });

  it('ends the Design Studio streams INCOMPLETE with a config_error when the workspace has no Design Studio (403)', async () => {
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(true)
      // Once: the folders stream and the emails' parent read share the walk's requests.
      .reply(403, { errors: [{ detail: 'Design Studio is not enabled for this workspace', status: '403' }] });
    const result = await readStreams([{ definition: designStudioFolders }, { definition: designStudioEmails }]);
    api.done();
    for (const stream of ['design_studio_folders', 'design_studio_emails']) expect(result.statuses(stream).at(-1)).toBe('INCOMPLETE');
    expect(result.errors).toHaveLength(2);
    for (const error of result.errors) {
      expect(error.failure_type).toBe('config_error');
      expect(error.message).toMatch(/not available to this App API key.*Design Studio is not enabled/);
    }
  });

  it('ends the stream INCOMPLETE with a config_error on a plain-text 404 at the root (no such route for this workspace)', async () => {
    const api = nock(API).get('/v1/design_studio/folders').query(true).reply(404, '404 page not found', { 'Content-Type': 'text/plain' });
    const result = await readStreams([{ definition: designStudioFolders }]);
    api.done();
    expect(result.statuses('design_studio_folders').at(-1)).toBe('INCOMPLETE');
    expect(result.errors).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/design_studio_folders is not available.*404 page not found/) })]);
  });

  it('skips a folder deleted before its emails are listed (JSON 404 "parent folder not found") and completes', async () => {
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(level())
      .reply(200, answer('folders', [folder(FOLDER_A, null)]))
      .get('/v1/design_studio/folders')
      .query(level(FOLDER_A))
      .reply(200, answer('folders', []))
      .get('/v1/design_studio/emails')
      .query(level())
      .reply(200, answer('emails', []))
      .get('/v1/design_studio/emails')
      .query(level(FOLDER_A))
      .reply(404, { errors: [{ detail: 'parent folder not found', status: '404' }] });
    const result = await readStreams([{ definition: designStudioEmails }]);
    api.done();
    expect(result.statuses('design_studio_emails').at(-1)).toBe('COMPLETE');
    expect(result.logs('WARN').join('\n')).toMatch(new RegExp(`design_studio_emails: skipped ${FOLDER_A}.*parent folder not found`));
  });

  it('ends the stream on a 400 with the API\'s reason in the error', async () => {
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(true)
      .reply(400, { errors: [{ detail: 'limit must be an integer between 1 and 10000', status: '400' }] });
    const result = await readStreams([{ definition: designStudioFolders }]);
    api.done();
    expect(result.statuses('design_studio_folders').at(-1)).toBe('INCOMPLETE');
    expect(result.errors[0].message).toMatch(/design_studio_folders.*400: limit must be an integer between 1 and 10000/);
  });
});

describe('design_studio_components', () => {
  it('asks page 1 without page, then page=2 while page × limit is below meta.pagination.total', async () => {
    const first = Array.from({ length: 10_000 }, (_, n) => component(n, null));
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(level())
      .reply(200, answer('folders', []))
      .get('/v1/design_studio/components')
      .query(level())
      .reply(200, answer('components', first, 10_001))
      .get('/v1/design_studio/components')
      .query(level(undefined, { page: '2' }))
      .reply(200, answer('components', [component(10_000, null)], 10_001, 2));
    const result = await readStreams([{ definition: designStudioComponents }]);
    api.done();
    const records = result.records('design_studio_components');
    expect(records).toHaveLength(10_001);
    expect(new Set(records.map((r) => r.id)).size).toBe(10_001);
    expectRecordsMatchSchema(designStudioComponents, records.slice(0, 3));
  });

  it('reads a level again from page 1 when its total moves between pages, printing each component once', async () => {
    const first = Array.from({ length: 10_000 }, (_, n) => component(n, null));
    const api = nock(API)
      .get('/v1/design_studio/folders')
      .query(level())
      .reply(200, answer('folders', []))
      .get('/v1/design_studio/components')
      .query(level())
      .reply(200, answer('components', first, 10_002))
      // Component 5 was deleted after page 1: page 2 starts one later (component 10,000 moved onto page 1).
      .get('/v1/design_studio/components')
      .query(level(undefined, { page: '2' }))
      .reply(200, answer('components', [component(10_001, null)], 10_001, 2))
      .get('/v1/design_studio/components')
      .query(level())
      .reply(200, answer('components', [...first.slice(0, 5), ...first.slice(6), component(10_000, null)], 10_001))
      .get('/v1/design_studio/components')
      .query(level(undefined, { page: '2' }))
      .reply(200, answer('components', [component(10_001, null)], 10_001, 2));
    const result = await readStreams([{ definition: designStudioComponents }]);
    api.done();
    const ids = result.records('design_studio_components').map((r) => r.id);
    expect(ids).toHaveLength(new Set(ids).size);
    expect(ids).toContain(component(10_000, null).id);
    expect(ids).toContain(component(10_001, null).id);
  });
});
