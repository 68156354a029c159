/**
 * Every stream this connector offers, for a given config (some streams exist only with certain options:
 * per-type activity streams, custom streams). Discover lists them in this order.
 */
import type { Config } from '../../config.js';
import type { StreamDefinition } from '../../engine/types.js';
import { workspaces } from './workspace.js';

export function streamsFor(config: Config): StreamDefinition[] {
  void config;
  return [workspaces];
}
