/** Configured catalogs for tests, built from the connector's own discover output shapes. */
export type SyncModeName = 'full_refresh' | 'incremental';

export function configuredCatalog(streams: Array<string | { name: string; syncMode?: SyncModeName; cursorField?: string[] }>) {
  return {
    streams: streams.map((entry) => {
      const s = typeof entry === 'string' ? { name: entry } : entry;
      const syncMode = s.syncMode ?? 'full_refresh';
      return {
        stream: { name: s.name, json_schema: {}, supported_sync_modes: [syncMode] },
        sync_mode: syncMode,
        destination_sync_mode: syncMode === 'incremental' ? 'append_dedup' : 'overwrite',
        ...(s.cursorField ? { cursor_field: s.cursorField } : {}),
      };
    }),
  };
}
