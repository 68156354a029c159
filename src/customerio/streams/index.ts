/**
 * Every stream this connector offers, for a given config (some streams exist only with certain options:
 * per-type activity streams, custom streams). Discover lists them in this order.
 */
import type { Config } from '../../config.js';
import type { StreamDefinition } from '../../engine/types.js';
import { workspaces } from './workspace.js';
import { campaigns, campaignActions } from './campaigns.js';
import { newsletters, newsletterVariants, newsletterTestGroups } from './newsletters.js';
import { broadcasts, broadcastActions } from './broadcasts.js';
import { segments, segmentMemberships, segmentUsage } from './segments.js';
import { senderIdentities, subscriptionTopics, subscriptionChannels, objectTypes, reportingWebhooks, collections, snippets, dataExports } from './listings.js';
import { optouts } from './optouts.js';
import { designStudioFolders, designStudioEmails, designStudioComponents } from './design-studio.js';
import { espSuppressions } from './esp.js';
import { customStreams } from './custom.js';
import { activities, perTypeActivityStreams } from './activities.js';
import { customers } from './customers.js';
import { transactionalMessages, transactionalMetrics, transactionalMessageDetails, transactionalMessageContents } from './transactional.js';
import { messages } from './messages.js';
import { campaignMetrics, newsletterMetrics, broadcastMetrics } from './metrics-streams.js';
import { campaignActionMetrics, broadcastActionMetrics } from './action-metrics.js';
import { objects, objectRelationships } from './objects.js';
import { ipAddresses } from './info.js';
import { reportingEvents } from './reporting-events.js';
import { STREAM_ALIASES } from '../airbyte/aliases.js';

export function streamsFor(config: Config): StreamDefinition[] {
  const builtIn: StreamDefinition[] = [
    workspaces,
    activities,
    // Only with activity_parsing: per_type, one per listed type.
    ...perTypeActivityStreams(config),
    customers,
    transactionalMessages,
    transactionalMetrics,
    transactionalMessageDetails,
    transactionalMessageContents,
    messages,
    campaigns,
    campaignActions,
    campaignMetrics,
    campaignActionMetrics,
    newsletters,
    newsletterVariants,
    newsletterMetrics,
    newsletterTestGroups,
    broadcasts,
    broadcastActions,
    broadcastMetrics,
    broadcastActionMetrics,
    segments,
    segmentMemberships,
    segmentUsage,
    dataExports,
    senderIdentities,
    subscriptionTopics,
    subscriptionChannels,
    optouts,
    objectTypes,
    objects,
    objectRelationships,
    reportingWebhooks,
    collections,
    snippets,
    designStudioFolders,
    designStudioEmails,
    designStudioComponents,
    espSuppressions,
    ipAddresses,
    // Only with a reporting-webhook receiver or store folder to read from.
    ...(config.reportingWebhooks.receivers.length || config.reportingWebhooks.folders.length ? [reportingEvents] : []),
  ];
  // Custom streams last, and never under a built-in stream's name (nor Airbyte's name of one: people, campaigns_actions).
  return [...builtIn, ...customStreams(config, [...builtIn.map((s) => s.name), ...STREAM_ALIASES.map((a) => a.name)])];
}
