/**
 * The configured catalog a platform hands to `read`: checked against the streams this connector offers,
 * so an unknown stream, a sync mode the stream does not support or a malformed entry is a config_error
 * that names it, before any request is made.
 */
import { configError } from '../errors.js';
import { didYouMean } from '../nearest.js';
import type { ConfiguredStream, JsonObject, SyncMode } from './messages.js';

export interface SelectedEntry {
  name: string;
  syncMode: SyncMode;
}

export interface OfferedStream {
  name: string;
  syncModes: SyncMode[];
  /** The cursor the connector itself defines (source_defined_cursor), when the stream has one. */
  cursorField?: string[];
}

export function parseConfiguredCatalog(raw: unknown, offered: OfferedStream[]): SelectedEntry[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !Array.isArray((raw as JsonObject).streams)) {
    throw configError('The catalog must be a JSON object with a "streams" list (a ConfiguredAirbyteCatalog)');
  }
  const byName = new Map(offered.map((s) => [s.name, s]));
  const seen = new Set<string>();
  const selected: SelectedEntry[] = [];
  ((raw as JsonObject).streams as unknown[]).forEach((entry, i) => {
    const where = `catalog streams[${i}]`;
    if (entry === null || typeof entry !== 'object') throw configError(`${where} is not an object`);
    const configured = entry as Partial<ConfiguredStream>;
    const name = configured.stream && typeof configured.stream === 'object' ? configured.stream.name : undefined;
    if (typeof name !== 'string' || name === '') throw configError(`${where} has no stream.name`);
    const stream = byName.get(name);
    if (!stream) {
      const near = didYouMean(name, byName.keys());
      throw configError(`The catalog selects stream "${name}", which this connector does not offer (${near ? `${near} ` : ''}run discover for the list)`);
    }
    if (seen.has(name)) throw configError(`The catalog selects stream "${name}" twice`);
    seen.add(name);
    const syncMode = configured.sync_mode ?? 'full_refresh';
    if (syncMode !== 'full_refresh' && syncMode !== 'incremental') {
      throw configError(`Stream "${name}" has sync_mode "${String(syncMode)}"; use full_refresh or incremental`);
    }
    if (!stream.syncModes.includes(syncMode)) {
      throw configError(`Stream "${name}" does not support ${syncMode} sync (it supports ${stream.syncModes.join(', ')})`);
    }
    const cursor = configured.cursor_field as unknown;
    if (cursor !== undefined && (!Array.isArray(cursor) || !cursor.every((field) => typeof field === 'string'))) {
      throw configError(`Stream "${name}" has a cursor_field that is not a list of field names`);
    }
    // The cursor is the connector's own (source-defined): a catalog asking for another field would get a read
    // that ignores it. An empty cursor_field, or the stream's own, is what platforms send.
    const own = stream.cursorField;
    if (syncMode === 'incremental' && own && Array.isArray(cursor) && cursor.length > 0 && cursor.join('.') !== own.join('.')) {
      throw configError(
        `Stream "${name}" is read incrementally by its own cursor ${JSON.stringify(own)}; the catalog asks for cursor_field ${JSON.stringify(cursor).slice(0, 100)}. Set cursor_field to ${JSON.stringify(own)} or leave it out.`,
      );
    }
    if (configured.destination_sync_mode !== undefined && typeof configured.destination_sync_mode !== 'string') {
      throw configError(`Stream "${name}" has a destination_sync_mode that is not a string`);
    }
    selected.push({ name, syncMode });
  });
  return selected;
}
