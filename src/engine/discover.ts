/** A stream definition as the catalog entry `discover` prints. */
import type { OfferedStream } from '../protocol/catalog.js';
import type { AirbyteStream, JsonObject, SyncMode } from '../protocol/messages.js';
import { loadSchema } from '../resources.js';
import type { StreamDefinition } from './types.js';

export const syncModesOf = (definition: StreamDefinition): SyncMode[] =>
  definition.incremental ? ['full_refresh', 'incremental'] : ['full_refresh'];

/** A stream as a configured catalog is checked against (protocol/catalog.ts): its sync modes and its own cursor. */
export const offeredStream = (definition: StreamDefinition): OfferedStream => ({
  name: definition.name,
  syncModes: syncModesOf(definition),
  cursorField: definition.incremental ? [definition.incremental.cursorField] : undefined,
});

export function schemaOf(definition: StreamDefinition): JsonObject {
  return definition.jsonSchema ?? loadSchema(definition.schema ?? `${definition.name}.json`);
}

export function toAirbyteStream(definition: StreamDefinition): AirbyteStream {
  const entry: AirbyteStream = {
    name: definition.name,
    json_schema: schemaOf(definition),
    supported_sync_modes: syncModesOf(definition),
    source_defined_primary_key: definition.primaryKey,
    is_resumable: false,
  };
  if (definition.incremental) {
    entry.source_defined_cursor = true;
    entry.default_cursor_field = [definition.incremental.cursorField];
  }
  return entry;
}
