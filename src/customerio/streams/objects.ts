/**
 * Objects (the companies, accounts, courses… a B2B workspace relates people to) and their relationships to
 * people. One partition per object type (the object_types list, read in full and not emitted unless selected).
 *
 * objects: `POST /v1/objects` finds the ids of one type (1000 a page [inferred: no maximum is documented; the
 * people search's is 1000]), then each object's attributes come from `GET /v1/objects/{type}/{id}/attributes`:
 * one request per object, since no batch endpoint exists (unlike customers' 100 ids a call), by object_id (objectRef). At 10 requests a
 * second that is about 36,000 objects an hour; `object_attributes: false` skips those calls and keeps the ids
 * only (one request per 1000 objects). Attributes are on by default: an object is mostly its attributes, and
 * workspaces have far fewer objects than people. Every call goes through the one limiter, a page's calls at once.
 *
 * object_relationships: the people each object is related to, from `GET /v1/objects/{type}/{id}/relationships`:
 * at least one request per object, whatever `object_attributes` says (about 36,000 objects an hour). It is a
 * stream of its own, so it costs nothing unless selected; docs/streams.md says what it costs before one selects it.
 * Objects relate only to people ("you can't relate objects to objects", Customer.io's relationship docs).
 *
 * Both lists may repeat an entry across pages (documented): both declare dedupeInPass, so a pass emits each object,
 * and each person of an object, once, and asks no attributes for a repeat. Full refresh only: nothing here carries a
 * time to filter on.
 */
import type { EnrichContext, Partition, Record_, StreamDefinition } from '../../engine/types.js';
import { ApiError } from '../../engine/http.js';
import { cursorPaginator } from '../../engine/paginators.js';
import type { JsonObject } from '../../protocol/messages.js';
import { identifiersOf, idString } from '../people.js';
import { objectTypes } from './listings.js';
import { objectOrNull } from './support.js';

/** Objects (and relationships) asked for per page [inferred, see the header]. */
const PAGE = 1000;

/**
 * A filter every object of the type matches, whatever its attributes: "has X, or has not X". The docs call
 * `filter` required (and `type_id` inside each condition); ingestr sends none and the API is said to accept
 * that: this filter satisfies the stricter reading without narrowing the answer under either.
 */
export function everyObject(typeId: string): JsonObject {
  const has = { object_attribute: { field: 'object_id', operator: 'exists', type_id: typeId } };
  return { or: [has, { not: has }] };
}

/** The object type's id as the API writes it (a string), whatever type the object_types stream gave it. */
const typeIdOf = (partition: Partition): string => partition.key;

/** An object of the search answer (one without an object_id cannot be keyed: counted by `keyless`). */
export function objectFromSearch(record: Record_, partition: Partition): Record_ {
  const objectId = idString(record.object_id);
  return { object_type_id: typeIdOf(partition), object_id: objectId, cio_object_id: idString(record.cio_object_id) };
}

/**
 * The path segment and `id_type` naming an object: its `object_id`, encoded, with no `id_type` (the documented
 * default, and the form every client uses); but an object_id holding a slash goes by its `cio_object_id`
 * (`id_type=cio_object_id`, Customer.io's own id, letters and digits) when known, since an encoded slash (`%2F`) is
 * decoded before routing by many servers and would reach another path [inferred: the API does not say].
 */
export function objectRef(object: Record_): { segment: string; idType?: string } {
  const objectId = idString(object.object_id);
  const cioObjectId = idString(object.cio_object_id);
  if (cioObjectId !== null && (objectId === null || /[/\\]/.test(objectId))) return { segment: encodeURIComponent(cioObjectId), idType: 'cio_object_id' };
  return { segment: encodeURIComponent(String(objectId)) };
}

/** An object completed with its attributes answer (`{"object": {...}}`, or the object flat); null fields when there is none. */
export function withAttributes(object: Record_, answer: unknown): Record_ {
  const outer = objectOrNull(answer);
  const detail = objectOrNull(outer?.object) ?? (outer && 'attributes' in outer ? outer : null);
  return {
    ...object,
    identifiers: objectOrNull(detail?.identifiers),
    attributes: objectOrNull(detail?.attributes),
    timestamps: objectOrNull(detail?.timestamps),
  };
}

async function addAttributes(objects: Record_[], ctx: EnrichContext): Promise<Record_[]> {
  const empty = (object: Record_) => withAttributes(object, undefined);
  if (!ctx.config.objectAttributes) return objects.map(empty);
  // All at once: the client's limiter, not this loop, decides when each call goes out.
  return Promise.all(
    objects.map(async (object) => {
      if (object.object_id === null) return empty(object);
      const { segment, idType } = objectRef(object);
      try {
        const response = await ctx.http.request({
          path: `/objects/${encodeURIComponent(typeIdOf(ctx.partition))}/${segment}/attributes`,
          query: { id_type: idType },
          stream: ctx.stream,
        });
        return withAttributes(object, response.body);
      } catch (error) {
        // Deleted between the search and this call: kept, as the search listed it, without attributes.
        if (error instanceof ApiError && error.status === 404) return empty(object);
        throw error;
      }
    }),
  );
}

const objectsBase = {
  name: 'objects',
  primaryKey: [['object_type_id'], ['object_id']],
  parent: { stream: objectTypes, key: (type: Record_) => String(type.id) },
  request: {
    method: 'POST',
    path: '/objects',
    body: ({ partition }) => ({ object_type_id: typeIdOf(partition), filter: everyObject(typeIdOf(partition)) }),
  },
  // `identifiers` ({object_id, cio_object_id}) rather than `ids` (object_id only).
  records: '$.identifiers[*]',
  paginate: cursorPaginator({ limit: PAGE }),
  transform: (record, { partition }) => objectFromSearch(record, partition),
  // "It's possible that you'll see duplicate entries across pages": each object once a pass, before its attributes call.
  dedupeInPass: true,
  // An object deleted from page 1 while page 2 is asked for moves one past every page [inferred: positional tokens,
  // as the other searches']: a type of more than one page is searched twice (engine/reread.ts), one request per 1,000
  // objects beside their 1,000 attribute calls; only objects the first search missed are looked up.
  rereadWhenPaged: true,
  keyless: { one: 'object without an object_id', many: 'objects without an object_id' },
} satisfies StreamDefinition;

export const objects = {
  ...objectsBase,
  enrich: addAttributes,
} satisfies StreamDefinition;

/**
 * The object list as object_relationships' parent: the same requests without the attribute calls. It keeps the
 * name `objects` on purpose: a run that selects objects too asks for each search page once, both reads taking the
 * same answer (the engine shares the pages of a selected list that is also a parent, by name).
 */
export const objectIds = objectsBase satisfies StreamDefinition;

/** A relationship item: the object (from the partition), the related person, the relationship's own attributes. */
export function relationshipRecord(item: Record_, partition: Partition): Record_ {
  const object = partition.parent ?? {};
  const identifiers = identifiersOf(item.identifiers);
  // A related object, should the API ever name one (the docs' example shows an `ob…` id), keys by its cio_object_id.
  const cioId = (identifiers?.cio_id as string | null | undefined) ?? idString(identifiers?.cio_object_id);
  return {
    object_type_id: object.object_type_id ?? null,
    object_id: object.object_id ?? null,
    cio_object_id: object.cio_object_id ?? null,
    cio_id: cioId ?? null,
    id: identifiers?.id ?? null,
    email: identifiers?.email ?? null,
    identifiers,
    // The item's own object_type_id: the object's type in the docs, "0" in a recorded answer [inferred: people].
    related_object_type_id: idString(item.object_type_id),
    object_type_disabled: typeof item.object_type_disabled === 'boolean' ? item.object_type_disabled : null,
    attributes: objectOrNull(item.attributes),
    timestamps: objectOrNull(item.timestamps),
  };
}

export const objectRelationships = {
  name: 'object_relationships',
  primaryKey: [['object_type_id'], ['object_id'], ['cio_id']],
  parent: { stream: objectIds, key: (object: Record_) => `${String(object.object_type_id)}:${String(object.object_id)}` },
  request: {
    path: ({ partition }) => {
      const object = partition.parent ?? {};
      return `/objects/${encodeURIComponent(String(object.object_type_id))}/${objectRef(object).segment}/relationships`;
    },
    query: ({ partition }) => ({ id_type: objectRef(partition.parent ?? {}).idType }),
  },
  records: '$.cio_relationships[*]',
  paginate: cursorPaginator({ limit: PAGE }),
  transform: (item, { partition }) => relationshipRecord(item, partition),
  // Documented to repeat across pages like the search: each person once per object.
  dedupeInPass: true,
  // As the search: an object's list of people of more than one page is read twice (engine/reread.ts).
  rereadWhenPaged: true,
  keyless: { one: 'relationship without a cio_id', many: 'relationships without a cio_id' },
  // 404 (the object was deleted after the search listed it) skips that object: the engine's default.
} satisfies StreamDefinition;
