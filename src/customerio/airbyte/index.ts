/**
 * Drop-in for Airbyte's own Customer.io connector (1.0): its stream names (./aliases.ts), its states (./state.ts),
 * and what its connector re-read before a saved cursor, which the carried-over states make up for.
 */
import type { Config } from '../../config.js';
import { DAY, lowerBound } from '../../engine/incremental.js';
import type { StreamDefinition } from '../../engine/types.js';
import type { JsonObject } from '../../protocol/messages.js';
import { aliasTarget } from './aliases.js';
import { fromAirbyteState } from './state.js';

export { aliasTarget, planAliases, withAliases, STREAM_ALIASES, type PlannedRead } from './aliases.js';
export { mirrorAliases } from './mirror.js';

/** Streams Airbyte's connector read with a client-side cursor and `lookback_window: PT1H` (by this connector's names). */
const HOUR_LOOKBACK = new Set(['campaigns', 'campaign_actions', 'newsletters', 'broadcasts', 'broadcast_actions', 'transactional_messages', 'segments', 'snippets', 'collections', 'activities']);

/** Seconds Airbyte's connector re-read before its saved cursor of `stream` (0 for a stream it does not have). */
export function airbyteLookback(stream: string, config: Config): number {
  if (stream === 'messages') return config.messagesLookbackDays * DAY;
  return HOUR_LOOKBACK.has(stream) ? 3600 : 0;
}

/**
 * Each stream's state in this connector's shape: states Airbyte's connector wrote are carried over (one `log` line
 * each, saying what was kept), this connector's own are left as they are, names nothing offers are left for the
 * state check to refuse.
 */
export function carryOverStates(states: Map<string, JsonObject>, offered: Map<string, StreamDefinition>, config: Config, log: (message: string) => void): Map<string, JsonObject> {
  const untilStart = { ...config, startDateSeconds: undefined };
  const carried = new Map<string, JsonObject>();
  for (const [name, state] of states) {
    const definition = offered.get(name);
    if (!definition) {
      carried.set(name, state);
      continue;
    }
    const strategy = definition.incremental;
    const { state: translated, note } = fromAirbyteState(state, {
      strategy,
      airbyteLookback: airbyteLookback(aliasTarget(name), config),
      ownLookback: (seconds) => (strategy ? seconds - (lowerBound(strategy, seconds, untilStart) ?? seconds) : 0),
    });
    if (note) log(`${name}: ${note}`);
    carried.set(name, translated);
  }
  return carried;
}
