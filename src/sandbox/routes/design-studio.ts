/**
 * Design Studio listings as seen live (../shared/customerio-api/live-observations.md, section 2): `page` (≥ 1) and
 * `limit` (1–10,000, default 1000) with `meta.pagination{page,limit,total}` and no `next`; `updated_after`,
 * `updated_before`, `created_after`, `created_before` exclusive, unix integers only; `sort_by` created (default),
 * updated or name, `sort_order` asc (default) or desc; a 400 with the reason for a bad parameter, never a clamp; a page
 * past the end empty with the real total, no restart; `[]` for empty arrays, never null; `meta.filters` echoing every
 * filter (unset ones null); a JSON 404 "parent folder not found" for an unknown `parent_folder_id`.
 * Emails and components answers also hold the folders of the items listed, as documented.
 */
import type { DesignStudioKind, Place } from '../data/design-studio.js';
import { ApiError, notFound } from '../http.js';
import type { Router } from '../router.js';
import type { World } from '../world.js';

type Json = Record<string, unknown>;

const SORTS = ['created', 'updated', 'name'] as const;
const BOUNDS = ['created_before', 'created_after', 'updated_before', 'updated_after'] as const;

/** A Design Studio 400: `{"errors":[{"detail": reason}]}`, as the family answers bad parameters. */
const badRequest = (detail: string, parameter: string) => new ApiError(400, detail, { parameter });

function integerParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d{1,15}$/.test(raw)) throw badRequest(`invalid value for ${name}: ${raw}`, name);
  return Number(raw);
}

interface Listing {
  page: number;
  limit: number;
  sortBy: (typeof SORTS)[number];
  descending: boolean;
  bounds: Partial<Record<(typeof BOUNDS)[number], number>>;
  level: Place;
  direct: boolean;
  filters: Json;
}

function listing(world: World, query: URLSearchParams): Listing {
  const page = integerParam(query, 'page') ?? 1;
  if (page < 1) throw badRequest('page must be an integer >= 1', 'page');
  const limit = integerParam(query, 'limit') ?? 1000;
  if (limit < 1 || limit > 10_000) throw badRequest('limit must be an integer between 1 and 10000', 'limit');
  const sortBy = query.get('sort_by') || 'created';
  if (!(SORTS as readonly string[]).includes(sortBy)) throw badRequest(`sort_by must be one of: ${SORTS.join(', ')}`, 'sort_by');
  const sortOrder = query.get('sort_order') || 'asc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') throw badRequest('sort_order must be one of: asc, desc', 'sort_order');
  const bounds: Listing['bounds'] = {};
  for (const name of BOUNDS) bounds[name] = integerParam(query, name);
  const parent = query.get('parent_folder_id');
  let level: Place = -1;
  if (parent) {
    level = world.designStudio.folderIndex(parent);
    if (level < 0) throw notFound('parent folder');
  }
  const asked = query.get('direct_descendants_only') === 'true';
  const direct = world.designStudioScope === 'as_documented' ? asked : world.designStudioScope === 'direct_children';
  const filters = { parent_folder_id: parent || null, direct_descendants_only: asked, sort_by: sortBy, sort_order: sortOrder, ...Object.fromEntries(BOUNDS.map((b) => [b, bounds[b] ?? null])) };
  return { page, limit, sortBy: sortBy as Listing['sortBy'], descending: sortOrder === 'desc', bounds, level, direct, filters };
}

/** Both bounds of each pair exclusive (seen live: `updated_after` = T and `updated_before` = T both leave out a row updated at T). */
function inBounds(row: Json, bounds: Listing['bounds']): boolean {
  const created = row.created as number;
  const updated = row.updated as number;
  const { created_after: ca, created_before: cb, updated_after: ua, updated_before: ub } = bounds;
  return (ca === undefined || created > ca) && (cb === undefined || created < cb) && (ua === undefined || updated > ua) && (ub === undefined || updated < ub);
}

function list(world: World, kind: DesignStudioKind, query: URLSearchParams, keep: (row: Json) => boolean = () => true): Json {
  const studio = world.designStudio;
  const params = listing(world, query);
  const rows = studio
    .set(kind)
    .live()
    .filter((j) => {
      const place = studio.placeOf(kind, j);
      // The whole subtree: items in the level's folder or any folder under it (the root's: everything).
      return params.direct ? place === params.level : studio.within(place, params.level);
    })
    .map((j) => ({ j, row: studio.row(kind, j) }))
    .filter(({ row }) => inBounds(row, params.bounds) && keep(row));
  const key = (row: Json) => row[params.sortBy] as string | number;
  rows.sort((a, b) => (key(a.row) < key(b.row) ? -1 : key(a.row) > key(b.row) ? 1 : a.j - b.j) * (params.descending ? -1 : 1));
  const items = rows.slice((params.page - 1) * params.limit, params.page * params.limit).map(({ row }) => row);
  const answer: Json = { [kind]: items };
  if (kind !== 'folders') {
    const folderIds = [...new Set(items.map((item) => item.parent_folder_id).filter((id): id is string => typeof id === 'string'))];
    answer.folders = folderIds.map((id) => studio.folder(studio.folderIndex(id)));
  }
  answer.meta = { pagination: { page: params.page, limit: params.limit, total: rows.length }, filters: params.filters };
  return answer;
}

export function registerDesignStudio(router: Router): void {
  router.add('GET', '/design_studio/folders', (req, world) => list(world, 'folders', req.query));
  router.add('GET', '/design_studio/emails', (req, world) => list(world, 'emails', req.query));
  router.add('GET', '/design_studio/components', (req, world) => {
    const tag = req.query.get('tag');
    return list(world, 'components', req.query, (row) => !tag || row.tag === tag);
  });
  router.add('GET', '/design_studio/emails/:id', (req, world) => {
    const j = world.designStudio.emailIndex(req.params.id);
    if (j < 0) throw notFound('resource');
    return { email: world.designStudio.emailDetail(j) };
  });
}
