/**
 * Addresses suppressed by Customer.io's own email provider: one partition per kind of suppression, and per
 * sending domain when `esp_suppression_domains` lists any. The only offset-paged endpoint of the App API: at
 * most 1000 a page, a shorter page is the last.
 *
 * GET /v1/esp/suppression/{type} takes an optional `domain` query ("Filter by sending domain"; Customer.io
 * recommends one query per domain, since an address can be suppressed on several). Without domains each list
 * is read once, unfiltered, and `domain` is "" — the shape of Airbyte's connector, whose key includes `domain`.
 */
import type { Config } from '../../config.js';
import { overlappingOffsetPaginator } from '../../engine/paginators.js';
import type { Partition, StreamDefinition } from '../../engine/types.js';

export const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;

/** Each kind of suppression, crossed with each configured domain ("" when none is). */
export function suppressionPartitions(config: Config): Partition[] {
  const domains = config.espSuppressionDomains.length > 0 ? config.espSuppressionDomains : [''];
  return SUPPRESSION_TYPES.flatMap((type) => domains.map((domain) => ({ key: domain ? `${type}@${domain}` : type, values: { type, domain } })));
}

export const espSuppressions = {
  name: 'esp_suppressions',
  // An address can be suppressed for several reasons, and on several sending domains, at once: one row each.
  primaryKey: [['suppression_type'], ['domain'], ['email']],
  partitions: suppressionPartitions,
  request: {
    path: ({ partition }) => `/esp/suppression/${String(partition.values?.type)}`,
    query: ({ partition }) => ({ domain: partition.values?.domain ? String(partition.values.domain) : undefined }),
  },
  records: '$.suppressions[*]',
  // Each page asked for from the page before's last address: a suppression lifted from a page already read moves every
  // later one up a place, and the overlap (or a step back when more moved) catches what moved past (paginators.ts).
  paginate: overlappingOffsetPaginator({ limit: 1000, key: (record) => (typeof record.email === 'string' ? record.email.toLowerCase() : undefined) }),
  // The overlap lists each page's first address twice: once a pass.
  dedupeInPass: true,
  // Kind and domain come from the request, not the record: set last so the key always matches the partition.
  transform: (record, { partition }) => ({ ...record, suppression_type: String(partition.values?.type), domain: String(partition.values?.domain ?? '') }),
} satisfies StreamDefinition;
