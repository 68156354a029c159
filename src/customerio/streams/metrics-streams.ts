/**
 * Campaign, newsletter and broadcast metrics: the shared metrics stream (../metrics.ts) over each parent
 * list, one request per parent. (transactional_metrics lives beside its parent in transactional.ts.)
 */
import { metricsStream } from '../metrics.js';
import { broadcasts } from './broadcasts.js';
import { campaigns } from './campaigns.js';
import { newsletters } from './newsletters.js';

export const campaignMetrics = metricsStream({
  name: 'campaign_metrics',
  idField: 'campaign_id',
  parent: campaigns,
  path: (id) => `/campaigns/${id}/metrics`,
});

export const newsletterMetrics = metricsStream({
  name: 'newsletter_metrics',
  idField: 'newsletter_id',
  parent: newsletters,
  path: (id) => `/newsletters/${id}/metrics`,
});

export const broadcastMetrics = metricsStream({
  name: 'broadcast_metrics',
  idField: 'broadcast_id',
  parent: broadcasts,
  path: (id) => `/broadcasts/${id}/metrics`,
});
