/**
 * `--streams a,b,c`: a catalog for people who name streams instead of writing catalog JSON, for `read` and `sync`.
 * Each named stream is read incrementally where it offers that, else in full; a name nothing offers is refused with
 * the nearest names. Pure: the offered streams come in.
 */
import { configError } from './errors.js';
import { didYouMean } from './nearest.js';
import type { OfferedStream, SelectedEntry } from './protocol/catalog.js';

/** The names in `--streams` (commas, spaces or both between them), each once, in the order given. */
export function streamNames(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

export function selectStreams(text: string, offered: OfferedStream[]): SelectedEntry[] {
  const names = streamNames(text);
  if (names.length === 0) throw configError('--streams names no stream: give names separated by commas, e.g. --streams campaigns,customers,messages (discover lists them)');
  const byName = new Map(offered.map((s) => [s.name, s]));
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length) {
    const each = unknown.map((name) => {
      const near = didYouMean(name, byName.keys());
      return `"${name}"${near ? ` (${near})` : ''}`;
    });
    throw configError(`--streams names ${unknown.length === 1 ? 'a stream' : 'streams'} this connector does not offer: ${each.join('; ')} (discover lists them all)`);
  }
  return names.map((name) => ({ name, syncMode: byName.get(name)!.syncModes.includes('incremental') ? 'incremental' : 'full_refresh' }));
}

/** A configured catalog of `entries`, as read takes it. */
export function catalogOf(entries: SelectedEntry[]): { streams: unknown[] } {
  return {
    streams: entries.map((e) => ({
      stream: { name: e.name, json_schema: {}, supported_sync_modes: [e.syncMode] },
      sync_mode: e.syncMode,
      destination_sync_mode: e.syncMode === 'incremental' ? 'append_dedup' : 'overwrite',
    })),
  };
}
