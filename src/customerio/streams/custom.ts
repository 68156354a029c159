/**
 * Custom streams: any other App API GET endpoint a user names in `custom_streams`, read with the same key,
 * limiter, retries and (optionally) `next`/`start` paging as every built-in stream. Their shape is
 * unknown, so their schema accepts any object; they are full refresh only.
 */
import { ownValue, setOwn } from '../../engine/own.js';
import type { Config, CustomStreamConfig } from '../../config.js';
import { configError } from '../../errors.js';
import { cursorPaginator, noPagination } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';

const KEY_TYPES = ['string', 'integer', 'number'];

/**
 * Any object (a custom endpoint's records are whatever the API answers), but with the primary-key paths
 * declared as scalars, so a platform can check that the key it dedups on exists in the schema.
 */
export function permissiveSchema(primaryKey: string[][]): Record<string, unknown> {
  const root: Record<string, unknown> = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: true, properties: {} };
  for (const path of primaryKey) {
    let node = root;
    path.forEach((field, i) => {
      const properties = node.properties as Record<string, unknown>;
      // Own properties, set as fields: a key named `__proto__` or `constructor` is a field like any other (own.ts).
      if (i === path.length - 1) setOwn(properties, field, { type: KEY_TYPES });
      else {
        const existing = ownValue(properties, field) as Record<string, unknown> | undefined;
        node = existing && typeof existing.properties === 'object' ? existing : setOwn(properties, field, { type: 'object', additionalProperties: true, properties: {} })[field] as Record<string, unknown>;
      }
    });
  }
  return root;
}

export function customStream(custom: CustomStreamConfig): StreamDefinition {
  // A query string in the path stays fixed on every page; paging parameters are added beside it.
  const [path, search = ''] = custom.path.split('?', 2);
  const fixed = Object.fromEntries(new URLSearchParams(search));
  return {
    name: custom.name,
    // "a.b" names a nested field, as Airbyte key paths do.
    primaryKey: custom.primaryKey.map((field) => field.split('.')),
    jsonSchema: permissiveSchema(custom.primaryKey.map((field) => field.split('.'))),
    request: { path, query: () => ({ ...fixed }) },
    records: custom.recordsPath,
    paginate: custom.paginated ? cursorPaginator() : noPagination,
    userDefined: true,
  };
}

/** The config's custom streams; a name already taken (by a built-in stream or another custom one) is a config error. */
export function customStreams(config: Config, taken: Iterable<string>): StreamDefinition[] {
  const names = new Set(taken);
  return config.customStreams.map((custom) => {
    if (names.has(custom.name)) {
      throw configError(`custom_streams: the name "${custom.name}" is already used by another stream; give the custom stream another name`);
    }
    if (!custom.recordsPath.trim().startsWith('$')) {
      throw configError(`custom_streams: "${custom.name}" has records_path "${custom.recordsPath}"; give a JSONPath starting with $, e.g. $.topics[*]`);
    }
    names.add(custom.name);
    return customStream(custom);
  });
}
