/**
 * Airbyte's semantics the migration test (airbyte_migration.test.ts) judges against, written out on their own
 * rather than taken from the connector: where its connector picks a stream up from a state it saved, and which
 * column a destination makes for a declared type.
 */
import { toSeconds } from './streams.js';

type Json = Record<string, any>;

/** Keys only Airbyte's CDK writes into a state. */
export const AIRBYTE_KEYS = ['use_global_cursor', 'states', 'state', 'lookback_window', 'parent_state', '__ab_no_cursor_state_message', '__ab_full_refresh_sync_complete'];

/** The JSON type of the column a destination makes for a property: one type, or the one a union of types lands in [inferred from Airbyte destinations: lists and objects before text before numbers]. */
export function columnType(property: Json | undefined): string {
  if (!property || property.type === undefined) return 'untyped';
  const types = (Array.isArray(property.type) ? property.type : [property.type]).filter((t: string) => t !== 'null');
  if (types.length === 1) return types[0];
  return ['array', 'object', 'string', 'number', 'integer', 'boolean'].find((t) => types.includes(t)) ?? 'untyped';
}

/**
 * Where Airbyte's connector would pick up each parent of a stream from its state: `mustFrom` (every record at or
 * after it must come back) and `mayFrom` (nothing before it may), given Airbyte's lookback. Per-parent states:
 * a parent in `states` from its own cursor; another from the global cursor less `lookback_window`; with
 * `use_global_cursor`, every parent from the global cursor. -Infinity: from the start.
 */
export function airbyteResume(state: Json, cursorField: string, lookback: number): (parent: unknown) => { mustFrom: number; mayFrom: number } {
  const at = (value: unknown) => toSeconds(value) ?? Number.NEGATIVE_INFINITY;
  const partitioned = Array.isArray(state.states) || 'use_global_cursor' in state || (state.state && typeof state.state === 'object');
  if (!partitioned) {
    const cursor = at(state[cursorField]);
    return () => ({ mustFrom: cursor, mayFrom: cursor - lookback });
  }
  const global = state.state ? at(state.state[cursorField]) : Number.NEGATIVE_INFINITY;
  const window = Number(state.lookback_window ?? 0);
  const own = new Map<string, number>();
  if (state.use_global_cursor !== true) {
    for (const entry of state.states ?? []) {
      const key = Object.entries(entry.partition ?? {}).find(([k]) => k !== 'parent_slice')?.[1];
      own.set(String(key), at(entry.cursor?.[cursorField]));
    }
  }
  return (parent) => {
    const cursor = own.get(String(parent));
    if (cursor !== undefined) return { mustFrom: cursor, mayFrom: cursor - lookback };
    const start = state.use_global_cursor === true ? global : global - window;
    return { mustFrom: start, mayFrom: start - (state.use_global_cursor === true ? window : 0) - lookback };
  };
}
