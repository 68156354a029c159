/** Workspace-level listings: small, unpaginated, full refresh. */
import { noPagination } from '../../engine/paginators.js';
import type { StreamDefinition } from '../../engine/types.js';
import { toInteger } from './support.js';

export const workspaces = {
  name: 'workspaces',
  primaryKey: [['id']],
  request: { path: '/workspaces' },
  records: '$.workspaces[*]',
  paginate: noPagination,
  // `id` may come as a string: one type in the warehouse.
  transform: (record) => ({ ...record, id: toInteger(record.id) }),
} satisfies StreamDefinition;
