/**
 * Addresses suppressed by Customer.io's own email provider, one partition per kind of suppression. The
 * only offset-paged endpoint of the App API: at most 1000 a page, a shorter page is the last.
 */
import { offsetPaginator } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';

export const SUPPRESSION_TYPES = ['bounces', 'blocks', 'spam_reports', 'invalid_emails'] as const;

export const espSuppressions = {
  name: 'esp_suppressions',
  // An address can be suppressed for several reasons at once: one row per reason.
  primaryKey: [['suppression_type'], ['email']],
  partitions: () => SUPPRESSION_TYPES.map((type) => ({ key: type, values: { type } })),
  request: { path: ({ partition }) => `/esp/suppression/${String(partition.values?.type)}` },
  records: '$.suppressions[*]',
  paginate: offsetPaginator({ limit: 1000 }),
  // The kind comes from the request, not the record: set last so the key always matches the partition.
  transform: (record, { partition }) => ({ ...record, suppression_type: String(partition.values?.type) }),
} satisfies StreamDefinition;
