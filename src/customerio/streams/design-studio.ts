/**
 * Design Studio: folders, emails and components (`GET /v1/design_studio/{folders,emails,components}`). The family
 * pages by number (pagePaginator: `page`, `limit` up to 10,000, `meta.pagination.total`, no token), answers a 400 with
 * its reason for a bad parameter (the engine prints the reason), and is the only one with server-side change filters:
 * `updated_after`/`updated_before`, both exclusive (seen live: `updated_after` = T−1 returns a row updated at T, = T
 * does not), unix integers only.
 *
 * Folders. Whether a listing without `parent_folder_id` holds what is inside folders is documented ("when false
 * [direct_descendants_only, the default], it includes the parent folder's entire subtree") but was never seen live, and
 * the answer that would lose data is the other one. So nothing relies on it: the folder tree is walked level by level
 * (root, then each folder's own children, `direct_descendants_only=true`), and emails and components are listed once
 * per level (the root and each folder). Each level keeps only the items whose `parent_folder_id` is that level, so an
 * item is printed by exactly one level whichever way the API reads its parameters (all descendants, direct children,
 * or no folder filter at all). The cost: one request per folder for each of the three streams (docs/streams.md).
 *
 * Incremental (emails, components): one cursor per level on `updated`, asked of the API as `updated_after` = cursor − 1
 * (exclusive: the cursor's own second is asked again, so an edit saved in the same second as the last one read is not
 * lost; the duplicate of that second is the price), no `updated_before` (everything up to now is read), and the cursor
 * a pass saves held no later than 5 minutes before it began (entityCursor): an item edited while its level was read is
 * read again next time. A level new to the state (a folder made since) is read whole. [inferred] Whether moving an item
 * to another folder changes its `updated` is not documented: if it does not, the item keeps its old
 * `parent_folder_id` in the warehouse until it is next edited (no item is lost: it was printed before it moved).
 * Folders are few and the walk reads every one of them anyway: their cursor is client-side.
 *
 * Lists that change while they are read: levels are sorted by `created` ascending (the API's default), where an edit
 * moves nothing (in `updated` order every edit would move the item to the end and shift the items after it) and a new
 * item comes last. What still shifts positions — an item deleted, or one joining an incremental pass's filter — changes
 * `meta.pagination.total` or lists an item twice, and the pass starts again from page 1 (pagePaginator; dedupeInPass
 * drops what it printed already). With 10,000 items a page, a level of fewer items is one request and cannot shift.
 *
 * A workspace without Design Studio: a 403, or a 404 on the root level, ends the streams INCOMPLETE with a message
 * naming the stream, as for objects; a 404 on a folder's level (deleted during the read) skips that folder.
 */
import { ApiError } from '../../engine/http.js';
import { entityCursor } from '../../engine/incremental.js';
import { pagePaginator, type PageState } from '../../engine/paginators.js';
import type { EnrichContext, Partition, QueryValue, Record_, RequestContext, SourceContext, StatusAction, StreamDefinition } from '../../engine/types.js';
import { idString } from '../people.js';
import { objectOrNull, toInteger } from './support.js';

/** Items asked per page: the API's largest `limit` (a list row is some 300 bytes, so a page is at most ~3 MB). */
const PAGE = 10_000;

/** The partition of the root level: what no folder holds (`parent_folder_id` null). */
export const ROOT_LEVEL: Partition = { key: 'root' };

/** An item as printed: UUID ids as text (`""` as null), times as integers. */
function designStudioItem(record: Record_): Record_ {
  return { ...record, id: idString(record.id), parent_folder_id: idString(record.parent_folder_id), created: toInteger(record.created), updated: toInteger(record.updated) };
}

/** The folder a partition lists: its parent folder's id, or null for the root level. */
const levelOf = (partition: Partition): string | null => idString(partition.parent?.id);

/** An item of the level a partition lists, or null for one another level prints (see the header). */
function ofLevel(record: Record_, partition: Partition): Record_ | null {
  const item = designStudioItem(record);
  return item.parent_folder_id === levelOf(partition) ? item : null;
}

/** The parameters of a level's listing: its folder, its direct children only, oldest first, and the change filter. */
function levelQuery(folder: string | null, since?: number): Record<string, QueryValue> {
  // Exclusive bound: one second before the cursor, so the cursor's own second is read again.
  const after = since === undefined ? undefined : Math.floor(since) - 1;
  return {
    parent_folder_id: folder ?? undefined,
    direct_descendants_only: true,
    sort_by: 'created',
    sort_order: 'asc',
    updated_after: after !== undefined && after >= 0 ? after : undefined,
  };
}

/** A 404 on a folder's level: the folder was deleted since the walk (skip it); on the root level: no Design Studio. */
const notFound = (partition: Partition): StatusAction => (partition.parent ? 'skip-partition' : 'stream-unavailable');

/**
 * The folder tree, level by level (breadth first): each level's pages, keeping the folders whose parent is that level,
 * each folder once. A level answering 404 below the root was deleted while the tree was walked: it is skipped, with
 * everything under it. Requests go through the run's sharing, so design_studio_folders read for itself and as the
 * parent of the emails and components walks the tree once.
 */
async function* folderTree(ctx: SourceContext): AsyncGenerator<Record_[]> {
  const seen = new Set<string>();
  const levels: Array<string | null> = [null];
  while (levels.length > 0 && !ctx.stopping()) {
    const level = levels.shift()!;
    try {
      for await (const items of levelPages(ctx, levelQuery(level))) {
        const folders: Record_[] = [];
        for (const item of items) {
          const folder = designStudioItem(item);
          const id = folder.id as string | null;
          if (id === null || folder.parent_folder_id !== level || seen.has(id)) continue;
          seen.add(id);
          levels.push(id);
          folders.push(folder);
        }
        yield folders;
      }
    } catch (error) {
      if (level !== null && error instanceof ApiError && error.status === 404) {
        ctx.log('WARN', `skipped folder ${level} (${error.message}); it was probably deleted during the sync`);
        continue;
      }
      throw error;
    }
  }
}

const folderPages = pagePaginator({ limit: PAGE, records: 'folders' });

/** The folders of one level's listing, page by page (the engine's paging rules, pagePaginator). */
async function* levelPages(ctx: SourceContext, query: Record<string, QueryValue>): AsyncGenerator<Record_[]> {
  const state: PageState = { params: folderPages.first(), seen: new Set() };
  let params: PageState['params'] | null = state.params;
  while (params && !ctx.stopping()) {
    state.params = params;
    const response = await ctx.request({ path: '/design_studio/folders', query: { ...query, ...params } });
    const list = response.body && typeof response.body === 'object' ? (response.body as Record_).folders : undefined;
    // `[]` when empty (seen live); null or a missing key read as no folders; an element that is not an object is left out.
    yield Array.isArray(list) ? list.filter((item): item is Record_ => !!item && typeof item === 'object' && !Array.isArray(item)) : [];
    params = folderPages.next(response.body, Array.isArray(list) ? list.length : 0, state);
  }
}

export const designStudioFolders = {
  name: 'design_studio_folders',
  primaryKey: [['id']],
  // The request and paging the walk (folderTree) makes for each level.
  request: { path: '/design_studio/folders' },
  records: '$.folders[*]',
  paginate: folderPages,
  source: async (ctx) => folderTree(ctx),
  // The walk lists every folder on every read (a level's filter would hide the folders under an unchanged one).
  incremental: entityCursor('updated'),
  onStatus: { 404: 'stream-unavailable' },
} satisfies StreamDefinition;

/** A Design Studio list read once per level (the root and each folder), as the header says. */
function levelList(kind: 'emails' | 'components') {
  return {
    name: `design_studio_${kind}`,
    primaryKey: [['id']],
    parent: { stream: designStudioFolders, key: (folder: Record_) => String(folder.id), besides: [ROOT_LEVEL] },
    request: {
      path: `/design_studio/${kind}`,
      query: ({ partition, since }: RequestContext) => levelQuery(levelOf(partition), since),
    },
    records: `$.${kind}[*]`,
    paginate: pagePaginator({ limit: PAGE, records: kind }),
    transform: (record: Record_, { partition }: { partition: Partition }) => ofLevel(record, partition),
    // A pass started again after its list shifted (pagePaginator) prints each item once.
    dedupeInPass: true,
    incremental: entityCursor('updated', { perPartition: true }),
    onStatus: { 404: notFound },
  } satisfies StreamDefinition;
}

/**
 * An email completed with its detail (`{"email": {…}}`): the list's fields as listed (its `updated` is the cursor the
 * pass saw), the detail's others (`content`, `envelope`, `transformers`, `available_languages`, fields added later);
 * null content, envelope and transformers when there is no detail (off, or the email deleted since it was listed).
 */
export function withContent(email: Record_, answer: unknown): Record_ {
  const detail = objectOrNull(objectOrNull(answer)?.email) ?? {};
  return {
    ...detail,
    ...email,
    content: objectOrNull(detail.content),
    envelope: objectOrNull(detail.envelope),
    transformers: objectOrNull(detail.transformers),
    available_languages: Array.isArray(detail.available_languages) ? detail.available_languages : null,
  };
}

/**
 * `GET /v1/design_studio/emails/{id}` for each email of a page, when `design_studio_email_content` is on (the default,
 * as `object_attributes`: a list row holds no content at all, and the content is why one reads templates). One request
 * per email listed, ~15 KB each; an incremental read lists only the emails changed since its cursor, so after the first
 * read it costs one request per edited email. All of a page's calls at once: the client's limiter paces them.
 */
async function addContent(emails: Record_[], ctx: EnrichContext): Promise<Record_[]> {
  if (!ctx.config.designStudioEmailContent) return emails.map((email) => withContent(email, undefined));
  return Promise.all(
    emails.map(async (email) => {
      if (email.id === null) return withContent(email, undefined);
      try {
        const response = await ctx.http.request({ path: `/design_studio/emails/${encodeURIComponent(String(email.id))}`, stream: ctx.stream });
        return withContent(email, response.body);
      } catch (error) {
        // Deleted between the list and this call: kept as listed, without its content.
        if (error instanceof ApiError && error.status === 404) return withContent(email, undefined);
        throw error;
      }
    }),
  );
}

export const designStudioEmails = { ...levelList('emails'), enrich: addContent } satisfies StreamDefinition;

export const designStudioComponents = levelList('components') satisfies StreamDefinition;
