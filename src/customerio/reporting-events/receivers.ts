/**
 * Where reporting_events come from: each configured receiver (its read API's base URL) and each store folder is one
 * partition, read on its own and resumed from its own position. Several receivers behind a load balancer each keep
 * their own store; the stream reads them all, and a destination keys the rows by event_id (an event a retry brought
 * to two receivers is one row).
 *
 * A receiver URL is a different host from Customer.io's and carries its own token, so it has its own rule: https,
 * or plain http only to a host that cannot be on the internet — loopback, a private address, or a name that only
 * resolves inside a network (a single label like a Kubernetes service `cio-webhooks`, or *.svc, *.cluster.local,
 * *.internal, *.local, *.lan, *.home.arpa). So the read token never crosses the internet in clear text, while a
 * receiver beside the connector (the usual setup: same cluster, TLS ended at the edge) needs no certificate.
 */
import type { Partition } from '../../engine/types.js';

export interface ReportingWebhooksConfig {
  /** Receivers' base URLs, without a trailing slash. */
  receivers: string[];
  readToken?: string;
  /** Store folders read directly. */
  folders: string[];
  acceptGaps: boolean;
}

const LOCAL_SUFFIXES = ['.svc', '.cluster.local', '.internal', '.local', '.lan', '.home.arpa', '.localhost'];

/** Whether `host` (a URL's hostname) is loopback, private, link-local or a name only a local network resolves. */
export function isLocalHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (name === 'localhost' || LOCAL_SUFFIXES.some((suffix) => name.endsWith(suffix))) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (name.includes(':')) return name === '::1' || /^f[cd]/.test(name) || /^fe[89ab]/.test(name);
  // A single label (no dot): a service name inside a cluster or a network, never a public host.
  return !name.includes('.');
}

/** Why a receiver URL is not acceptable, or undefined. */
export function receiverUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// (or http:// for a host inside your network)';
  if (url.username || url.password) return 'must not hold a user or password (the read token is its own field)';
  if (url.search || url.hash) return 'must not hold a query or fragment: give the receiver’s base URL, like http://cio-webhooks:8080';
  if (url.protocol === 'http:' && !isLocalHost(url.hostname)) {
    return 'must use https:// for a host on the internet (the read token would travel in clear text); plain http:// is for loopback, private addresses and in-cluster names';
  }
  return undefined;
}

/** One partition per receiver and per folder, keyed by where it is read from (its saved position goes with it). */
export function receiverPartitions(config: ReportingWebhooksConfig): Partition[] {
  return [
    ...config.receivers.map((url) => ({ key: url, values: { receiver: url } })),
    ...config.folders.map((folder) => ({ key: `folder:${folder}`, values: { folder } })),
  ];
}
