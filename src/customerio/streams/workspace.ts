/** Workspace-level listings: small, unpaginated, full refresh. */
import { noPagination } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';

export const workspaces = {
  name: 'workspaces',
  primaryKey: [['id']],
  request: { path: '/workspaces' },
  records: '$.workspaces[*]',
  paginate: noPagination,
  // `id` may come as a string: one type in the warehouse.
  transform: (record) => ({ ...record, id: toInteger(record.id) }),
} satisfies StreamDefinition;

function toInteger(value: unknown): unknown {
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return value;
}
