/**
 * What `sync` lands: one table per stream, whatever names select it. `--streams`, `--catalog` (any catalog `read`
 * takes, Airbyte's stream names included) or, without either, every stream in its best mode under this connector's
 * own names. A stream selected under Airbyte's name (`people`, `campaigns_actions`) lands in the table of the
 * stream it names (`customers`, `campaign_actions`): the same data is never written twice under two names, and the
 * summary says so once. And the states a `--state` file seeds the tables with, checked as a read checks them.
 * Pure apart from the config's stream definitions.
 */
import { configError } from '../errors.js';
import type { Config } from '../config.js';
import { offeredStream, syncModesOf } from '../engine/discover.js';
import { stateProblems } from '../engine/incremental.js';
import type { StreamDefinition } from '../engine/types.js';
import { parseConfiguredCatalog, type SelectedEntry } from '../protocol/catalog.js';
import type { JsonObject } from '../protocol/messages.js';
import { parseState } from '../protocol/state.js';
import { selectStreams } from '../streams-option.js';
import { aliasTarget, carryOverStates, STREAM_ALIASES, withAliases } from '../customerio/airbyte/index.js';
import { earliestState } from '../customerio/airbyte/aliases.js';

export interface SyncSelection {
  /** One entry per table, under this connector's stream name. */
  entries: SelectedEntry[];
  /** What became of Airbyte's names (for the summary). */
  notes: string[];
}

/** Every offered stream, incremental where it can be: the catalog `sync` uses without --catalog or --streams. */
export function bestCatalog(definitions: StreamDefinition[]): SelectedEntry[] {
  return definitions.map((d) => ({ name: d.name, syncMode: syncModesOf(d).includes('incremental') ? 'incremental' : 'full_refresh' }));
}

export function syncSelection(input: { rawCatalog?: unknown; streams?: string }, definitions: StreamDefinition[]): SyncSelection {
  if (input.rawCatalog !== undefined && input.streams !== undefined) {
    throw configError('sync takes --catalog FILE or --streams a,b,c, not both: --streams is a catalog of the streams it names');
  }
  const offered = withAliases(definitions).map(offeredStream);
  if (input.rawCatalog === undefined && input.streams === undefined) {
    const entries = bestCatalog(definitions);
    const names = new Set(entries.map((e) => e.name));
    const aliases = STREAM_ALIASES.filter((a) => names.has(a.of));
    const notes = aliases.length
      ? [`${aliases.map((a) => a.name).join(' and ')} (Airbyte's names of ${aliases.map((a) => a.of).join(' and ')}) are the same data: landed once, as ${aliases.map((a) => a.of).join(' and ')}.`]
      : [];
    return { entries, notes };
  }
  const selected = input.streams !== undefined ? selectStreams(input.streams, offered) : parseConfiguredCatalog(input.rawCatalog, offered);
  const groups = new Map<string, SelectedEntry[]>();
  for (const entry of selected) {
    const target = aliasTarget(entry.name);
    groups.set(target, [...(groups.get(target) ?? []), entry]);
  }
  const entries: SelectedEntry[] = [];
  const notes: string[] = [];
  for (const [name, group] of groups) {
    // One table: upserted only when every name asks for incremental (a full refresh name must get every row).
    entries.push({ name, syncMode: group.every((e) => e.syncMode === 'incremental') ? 'incremental' : 'full_refresh' });
    const aliases = group.filter((e) => e.name !== name).map((e) => e.name);
    if (aliases.length === 0) continue;
    const both = group.length > 1;
    notes.push(`${aliases.join(', ')} ${both ? `and ${name} are` : 'is'} ${both ? 'the same data' : `Airbyte's name of ${name}`}: landed once, in table ${name}.`);
  }
  return { entries, notes };
}

export interface Seeds {
  /** Table (stream) name → the state its read starts from. */
  states: Map<string, JsonObject>;
  /** Entries of the file that seed nothing (streams not synced, or synced in full). */
  unused: string[];
}

/**
 * The states a --state file gives the selected incremental streams: this connector's or Airbyte's (carried over as a
 * read carries them over), under either name of a stream (the earlier of the two when both are there). A state a read
 * would refuse is refused here, before the file is opened.
 */
export function seedStates(raw: unknown, entries: SelectedEntry[], definitions: StreamDefinition[], config: Config): Seeds {
  const offered = new Map(withAliases(definitions).map((d) => [d.name, d]));
  const given = parseState(raw);
  const carried = carryOverStates(given, offered, config, () => undefined);
  const incremental = new Map(entries.filter((e) => e.syncMode === 'incremental').map((e) => [e.name, offered.get(e.name)!]));
  const byTable = new Map<string, string[]>();
  const unused: string[] = [];
  for (const name of carried.keys()) {
    const table = aliasTarget(name);
    if (!incremental.has(table)) unused.push(name);
    else byTable.set(table, [...(byTable.get(table) ?? []), name]);
  }
  const states = new Map<string, JsonObject>();
  for (const [table, names] of byTable) {
    const strategy = incremental.get(table)!.incremental!;
    const translated = names.length === 1 ? carried.get(names[0]) : earliestState(names.map((n) => carried.get(n)), strategy);
    if (!translated) continue;
    const problems = stateProblems(strategy, translated);
    if (problems.length) throw configError(`The --state file's state of stream "${table}" is not usable: ${problems.join('; ')}`);
    // One name: the state as given, for the read to carry over itself (carried over twice, an Airbyte cursor would move
    // back twice). Two names: merged in this connector's shape.
    states.set(table, names.length === 1 ? given.get(names[0])! : translated);
  }
  return { states, unused };
}
