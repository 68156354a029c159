/**
 * ip_addresses: the addresses Customer.io sends email and webhooks from (`GET /v1/info/ip_addresses`), for
 * firewall allowlists. The endpoint needs no key (the key is sent all the same; it is the same host).
 *
 * The reference names the list `ip_addresses`; ingestr reads `ips`. Both are read, strings or `{ip}` objects, each
 * address once.
 */
import { noPagination } from '../../engine/paginators.js';
import type { Record_, StreamDefinition } from '../../engine/types.js';

/**
 * The addresses of an answer, as `{ip}` records, each once, in the order given. An answer with neither list throws:
 * the read then says so in a WARN (the API changed) instead of emitting nothing without a word.
 */
export function ipRecords(body: Record_): Record_[] {
  if (!Array.isArray(body.ip_addresses) && !Array.isArray(body.ips)) throw new Error('the answer has neither an "ip_addresses" nor an "ips" list');
  const seen = new Set<string>();
  const out: Record_[] = [];
  for (const list of [body.ip_addresses, body.ips]) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const ip = typeof entry === 'string' ? entry : entry && typeof entry === 'object' ? (entry as Record_).ip ?? (entry as Record_).address : undefined;
      if (typeof ip !== 'string' || ip.trim() === '' || seen.has(ip.trim())) continue;
      seen.add(ip.trim());
      out.push({ ip: ip.trim() });
    }
  }
  return out;
}

export const ipAddresses = {
  name: 'ip_addresses',
  primaryKey: [['ip']],
  request: { path: '/info/ip_addresses' },
  // The whole answer is one "record": the transform fans it out, whichever key holds the list.
  records: '$',
  paginate: noPagination,
  transform: ipRecords,
} satisfies StreamDefinition;
