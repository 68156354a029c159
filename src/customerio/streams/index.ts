/**
 * Every stream this connector offers, for a given config (some streams exist only with certain options:
 * per-type activity streams, custom streams). Discover lists them in this order.
 */
import type { Config } from '../../config.js';
import type { StreamDefinition } from '../../engine/types.js';
import { workspaces } from './workspace.js';
import { campaigns, campaignActions } from './campaigns.js';
import { newsletters, newsletterVariants } from './newsletters.js';
import { broadcasts, broadcastActions } from './broadcasts.js';
import { segments, segmentMemberships } from './segments.js';
import { senderIdentities, subscriptionTopics, objectTypes, reportingWebhooks, collections, snippets, dataExports } from './listings.js';
import { espSuppressions } from './esp.js';
import { customStreams } from './custom.js';

export function streamsFor(config: Config): StreamDefinition[] {
  const builtIn: StreamDefinition[] = [
    workspaces,
    campaigns,
    campaignActions,
    newsletters,
    newsletterVariants,
    broadcasts,
    broadcastActions,
    segments,
    segmentMemberships,
    dataExports,
    senderIdentities,
    subscriptionTopics,
    objectTypes,
    reportingWebhooks,
    collections,
    snippets,
    espSuppressions,
  ];
  // Custom streams last, and never under a built-in stream's name.
  return [...builtIn, ...customStreams(config, builtIn.map((s) => s.name))];
}
