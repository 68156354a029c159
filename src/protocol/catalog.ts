/**
 * The configured catalog a platform hands to `read`: checked against the streams this connector offers,
 * so an unknown stream, a sync mode the stream does not support or a malformed entry is a config_error
 * that names it, before any request is made.
 */
import { configError } from '../errors.js';
import type { ConfiguredStream, JsonObject, SyncMode } from './messages.js';

export interface SelectedEntry {
  name: string;
  syncMode: SyncMode;
}

export interface OfferedStream {
  name: string;
  syncModes: SyncMode[];
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
      throw configError(`The catalog selects stream "${name}", which this connector does not offer (run discover for the list)`);
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
    if (configured.cursor_field !== undefined && !Array.isArray(configured.cursor_field)) {
      throw configError(`Stream "${name}" has a cursor_field that is not a list of field names`);
    }
    if (configured.destination_sync_mode !== undefined && typeof configured.destination_sync_mode !== 'string') {
      throw configError(`Stream "${name}" has a destination_sync_mode that is not a string`);
    }
    selected.push({ name, syncMode });
  });
  return selected;
}
