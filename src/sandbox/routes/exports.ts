/**
 * Customers exports: start one, poll it, ask for its file's link (the file itself is on the storage host,
 * storage.ts). The behaviour of the lifecycle (polls pending, preparation time, failures, expired links) is set
 * per sandbox (ExportBehaviour).
 */
import type { ExportStore } from '../exports.js';
import type { Router } from '../router.js';

export function registerExports(router: Router, store: ExportStore): void {
  router.add('POST', '/exports/customers', (req, world) => store.create(req.body, world));
  router.add('GET', '/exports/:id', (req, world) => store.poll(req.params.id, world));
  router.add('GET', '/exports/:id/download', (req) => store.link(req.params.id));
}
