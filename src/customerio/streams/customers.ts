/**
 * Customers: the people matching `customer_filter` (POST /v1/customers, 1000 a page), each completed with
 * their attributes, devices and timestamps from POST /v1/customers/attributes (100 ids a call). The
 * attribute calls of a page run concurrently through the shared HTTP client, so the one limiter paces them
 * with every other request of the sync. Full refresh only: the API offers no cursor for people.
 * With customers_method export (or auto in a large workspace) the same records come from one Customer.io
 * export's file instead (customers-export.ts).
 */
import type { EnrichContext, Record_, StreamDefinition } from '../../engine/types.js';
import { cursorPaginator } from '../../engine/paginators.js';
import type { JsonObject } from '../../protocol/messages.js';
import { identifiersOf, idString, pickAttributes } from '../people.js';
import { customersSource, EXPORT_LIMITS } from '../customers-export.js';

/** Most ids one attributes call accepts. */
export const ATTRIBUTES_BATCH = 100;

/**
 * A person of the search answer. One without a `cio_id` cannot be keyed (nor looked up): it goes on with
 * `cio_id: null`, is not looked up, and the read skips it and counts it (`keyless` below).
 */
export function personFromSearch(record: Record_): Record_ | null {
  const identifiers = identifiersOf(record);
  if (!identifiers) return null;
  return { cio_id: identifiers.cio_id, id: identifiers.id, email: identifiers.email, identifiers };
}

const hasCioId = (person: Record_): boolean => typeof person.cio_id === 'string';

/** The elements of an attributes answer, wrapped in `customer` (as documented) or flat (as some clients assume). */
export function attributeProfiles(body: unknown): JsonObject[] {
  const list = body && typeof body === 'object' ? (body as JsonObject).customers : undefined;
  if (!Array.isArray(list)) return [];
  const profiles: JsonObject[] = [];
  for (const element of list) {
    if (!element || typeof element !== 'object') continue;
    const wrapped = (element as JsonObject).customer;
    profiles.push(wrapped && typeof wrapped === 'object' ? (wrapped as JsonObject) : (element as JsonObject));
  }
  return profiles;
}

function cioIdOf(profile: JsonObject): string | null {
  const fromIdentifiers = identifiersOf(profile.identifiers)?.cio_id as string | null | undefined;
  return fromIdentifiers ?? idString(profile.cio_id);
}

/** A person completed with their profile; a person the attributes call left out keeps `attributes: null`. */
export function withProfile(person: Record_, profile: JsonObject | undefined, attributeNames: string[]): Record_ {
  return {
    ...person,
    identifiers: identifiersOf(profile?.identifiers) ?? person.identifiers,
    attributes: pickAttributes(profile?.attributes, attributeNames),
    unsubscribed: typeof profile?.unsubscribed === 'boolean' ? profile.unsubscribed : null,
    devices: Array.isArray(profile?.devices) ? profile.devices : null,
    timestamps: profile?.timestamps && typeof profile.timestamps === 'object' ? profile.timestamps : null,
  };
}

async function addAttributes(people: Record_[], ctx: EnrichContext): Promise<Record_[]> {
  const keyed = people.filter(hasCioId);
  const batches: Record_[][] = [];
  for (let i = 0; i < keyed.length; i += ATTRIBUTES_BATCH) batches.push(keyed.slice(i, i + ATTRIBUTES_BATCH));
  const profiles = new Map<string, JsonObject>();
  // All at once: the client's limiter, not this loop, decides when each call goes out.
  await Promise.all(
    batches.map(async (batch) => {
      const response = await ctx.http.request({
        method: 'POST',
        path: '/customers/attributes',
        query: { id_type: 'cio_id' },
        body: { ids: batch.map((person) => person.cio_id) },
        stream: ctx.stream,
      });
      for (const profile of attributeProfiles(response.body)) {
        const cioId = cioIdOf(profile);
        if (cioId) profiles.set(cioId, profile);
      }
    }),
  );
  // People without a cio_id pass as they are: the read skips them (no key), counted in one WARN.
  return people.map((person) => (hasCioId(person) ? withProfile(person, profiles.get(String(person.cio_id)), ctx.config.customerAttributes) : person));
}

export const customers = {
  name: 'customers',
  primaryKey: [['cio_id']],
  request: {
    method: 'POST',
    path: '/customers',
    // customer_filter was validated when the config was read: a bad one never reaches the API.
    body: ({ config }) => ({ filter: config.customerFilter }),
  },
  // `identifiers` rather than `ids`: `ids` holds "" for people without an id.
  records: '$.identifiers[*]',
  paginate: cursorPaginator({ limit: 1000 }),
  transform: personFromSearch,
  enrich: addAttributes,
  // customers_method export (or auto, in a large workspace): the same records from one export's file instead.
  source: customersSource,
  notes: (config) => (config.customersMethod === 'export' ? [EXPORT_LIMITS] : []),
  keyless: { one: 'person without a cio_id', many: 'people without a cio_id' },
} satisfies StreamDefinition;
