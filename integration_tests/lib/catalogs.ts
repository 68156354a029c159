/**
 * Configured catalogs derived from what `discover` prints, so the suite always covers every stream the
 * connector offers at the time it runs. The same functions write catalog/ and integration_tests/ (npm run
 * catalogs), and discovery.test.ts fails when those files no longer equal what they derive.
 */
export interface DiscoveredStream {
  name: string;
  json_schema: Record<string, unknown>;
  supported_sync_modes: string[];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  source_defined_primary_key?: string[][];
  [key: string]: unknown;
}

export interface ConfiguredStream {
  stream: DiscoveredStream;
  sync_mode: 'full_refresh' | 'incremental';
  destination_sync_mode: 'overwrite' | 'append' | 'append_dedup';
  cursor_field?: string[];
  primary_key?: string[][];
}

export interface ConfiguredCatalog {
  streams: ConfiguredStream[];
}

export type CatalogKind = 'full_refresh' | 'incremental' | 'mixed';

const supportsIncremental = (s: DiscoveredStream) => s.supported_sync_modes.includes('incremental');

function configure(stream: DiscoveredStream, mode: 'full_refresh' | 'incremental'): ConfiguredStream {
  const primaryKey = stream.source_defined_primary_key ?? [];
  return {
    stream,
    sync_mode: mode,
    destination_sync_mode: mode === 'full_refresh' ? 'overwrite' : primaryKey.length ? 'append_dedup' : 'append',
    ...(mode === 'incremental' && stream.default_cursor_field ? { cursor_field: stream.default_cursor_field } : {}),
    ...(primaryKey.length ? { primary_key: primaryKey } : {}),
  };
}

/**
 * - `full_refresh`: every stream, full refresh.
 * - `incremental`: every stream that offers incremental, incremental with its default cursor.
 * - `mixed`: every stream, incremental where offered (what a platform usually configures).
 */
export function deriveCatalog(streams: DiscoveredStream[], kind: CatalogKind): ConfiguredCatalog {
  if (kind === 'full_refresh') return { streams: streams.map((s) => configure(s, 'full_refresh')) };
  if (kind === 'incremental') return { streams: streams.filter(supportsIncremental).map((s) => configure(s, 'incremental')) };
  return { streams: streams.map((s) => configure(s, supportsIncremental(s) ? 'incremental' : 'full_refresh')) };
}

/** The files `npm run catalogs` writes from the discovered streams, by repository path. */
export function catalogFiles(streams: DiscoveredStream[]): Record<string, ConfiguredCatalog> {
  const full = deriveCatalog(streams, 'full_refresh');
  const incremental = deriveCatalog(streams, 'incremental');
  return {
    'catalog/configured_catalog.json': full,
    'catalog/configured_catalog_incremental.json': incremental,
    'integration_tests/configured_catalog.json': full,
    'integration_tests/configured_catalog_incremental.json': incremental,
  };
}

export const asFileText = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

/** A catalog keeping only `names` (in its own order). */
export function onlyStreams(catalog: ConfiguredCatalog, names: string[]): ConfiguredCatalog {
  return { streams: catalog.streams.filter((s) => names.includes(s.stream.name)) };
}
