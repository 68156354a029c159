/**
 * Where the connector may send a request (docs/security.md). The App API key goes to `api_base_url`, and whoever
 * writes a connection's config picks that URL: on a shared platform, a URL of the platform's own network (a
 * metadata service, an internal admin port) would be a request forgery with a credential attached. So:
 *
 * - only https, and never to a loopback, private, link-local, carrier-grade NAT, unique-local, multicast or
 *   otherwise unroutable address, nor to a `localhost` name;
 * - a name is checked where it is resolved, at connect time (`guardedLookup`, got's `dnsLookup`), so a name
 *   that resolves to such an address is refused too, however often its DNS answer changes (no rebinding: the
 *   address checked is the address connected to);
 * - an operator who runs a local API on purpose (the sandbox, a test server, a proxy on the host) lifts both
 *   rules with the environment variable CIO_ALLOW_PRIVATE_NETWORK=1 where the connector runs. It is not a config
 *   field on purpose: a connection's author must not be able to turn it on.
 *
 * Policy in pure functions (`addressProblem`, `hostProblem`, `urlProblem`) with table tests; the lookup is the
 * only impure part, its resolver injectable.
 */
import { lookup as systemLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { ConnectorError } from '../errors.js';

export const PRIVATE_NETWORK_ENV = 'CIO_ALLOW_PRIVATE_NETWORK';

/** The operator's permission, from the environment: `1`, `true` or `yes`. */
export function privateNetworkAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[PRIVATE_NETWORK_ENV]?.trim().toLowerCase();
  return value === '1' || value === 'true' || value === 'yes';
}

/** How an operator allows it, for every message that refuses a host. */
export const HOW_TO_ALLOW = `An operator who runs a local API on purpose (a test server, the sandbox) can allow it by setting the environment variable ${PRIVATE_NETWORK_ENV}=1 where the connector runs; a connection's config cannot.`;

/** IPv4 ranges no public API lives in: [first address, prefix length, what it is]. */
const V4_RANGES: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'an unspecified address (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'a private address (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'a link-local address (169.254.0.0/16, where cloud metadata services answer)'],
  ['172.16.0.0', 12, 'a private address (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'an IETF protocol address (192.0.0.0/24)'],
  ['192.168.0.0', 16, 'a private address (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'a benchmarking address (198.18.0.0/15)'],
  ['224.0.0.0', 4, 'a multicast address (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'a reserved address (240.0.0.0/4)'],
];

/** IPv6 ranges, by their first 16-bit groups: [groups to match, prefix length, what it is]. */
const V6_RANGES: Array<[number[], number, string]> = [
  [[0xfc00], 7, 'a unique local address (fc00::/7)'],
  [[0xfe80], 10, 'a link-local address (fe80::/10)'],
  [[0xfec0], 10, 'a site-local address (fec0::/10)'],
  [[0xff00], 8, 'a multicast address (ff00::/8)'],
  [[0x0100, 0, 0, 0], 64, 'a discard-only address (100::/64)'],
];

function v4Number(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inV4Range(n: number, [first, bits]: [string, number, string]): boolean {
  const size = 2 ** (32 - bits);
  const start = v4Number(first)!;
  return n >= start && n < start + size;
}

/** An IPv6 address as its eight 16-bit groups (a dotted IPv4 tail included); undefined when it is not one. */
export function v6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const n = v4Number(text.slice(lastColon + 1));
    if (n === undefined) return undefined;
    tail = [Math.floor(n / 65536), n % 65536];
    const head = text.slice(0, lastColon + 1);
    text = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const known = head.length + rest.length + tail.length;
  if ([...head, ...rest].some(Number.isNaN)) return undefined;
  if (halves.length === 1 && known !== 8) return undefined;
  if (halves.length === 2 && known > 7) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

function inV6Range(groups: number[], [prefix, bits]: [number[], number, string]): boolean {
  for (let i = 0; i < prefix.length; i++) {
    const take = Math.min(16, bits - i * 16);
    if (take <= 0) return true;
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((groups[i] & mask) !== (prefix[i] & mask)) return false;
  }
  return true;
}

/** What an IP address is when no public API can live there (`a loopback address (127.0.0.0/8)`); undefined for a public one. */
export function addressProblem(address: string): string | undefined {
  const v4 = v4Number(address);
  if (v4 !== undefined) return V4_RANGES.find((range) => inV4Range(v4, range))?.[2];
  const groups = v6Groups(address.replace(/^\[|\]$/g, ''));
  if (!groups) return undefined;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  if (zeros(0, 8)) return 'the unspecified address (::)';
  if (zeros(0, 7) && groups[7] === 1) return 'the loopback address (::1)';
  // An IPv4 address inside an IPv6 one is the IPv4 address: mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d),
  // the old compatible form (::a.b.c.d).
  const embedded = (zeros(0, 5) && groups[5] === 0xffff) || (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) || zeros(0, 6);
  if (embedded) {
    const n = groups[6] * 65536 + groups[7];
    const inside = V4_RANGES.find((range) => inV4Range(n, range))?.[2];
    return inside ? `an IPv6 form of ${inside}` : undefined;
  }
  return V6_RANGES.find((range) => inV6Range(groups, range))?.[2];
}

/** What a URL's host is when the key must not go there: an address as above, or a `localhost` name. */
export function hostProblem(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return addressProblem(host);
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a loopback name (localhost)';
  return undefined;
}

/** Why a URL may not be sent the key (undefined: it may). With the operator's permission only the scheme is checked. */
export function urlProblem(url: URL, allowPrivate: boolean): string | undefined {
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    return url.protocol === 'http:' ? 'it is plain http, which would send the key unencrypted' : `its scheme is ${url.protocol.replace(/:$/, '')}, not https`;
  }
  if (allowPrivate) return undefined;
  const problem = hostProblem(url.hostname);
  return problem ? `its host ${url.hostname} is ${problem}` : undefined;
}

/** A name resolved, at connect time, to an address the connector may not reach. Not worth retrying. */
export class PrivateAddressRefused extends ConnectorError {
  readonly code = 'ERR_CIO_PRIVATE_ADDRESS';
  constructor(hostname: string, address: string, problem: string) {
    super(`${hostname} resolves to ${address}, ${problem}: the connector does not send requests into a private network. ${HOW_TO_ALLOW}`, 'config_error');
    this.name = 'PrivateAddressRefused';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Resolver = (hostname: string, options: LookupOptions & { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A `dns.lookup` for got's `dnsLookup` that refuses a name when any address it resolves to is not public (the
 * socket could be given any of them). `resolve` is the system's resolver unless a test gives its own.
 */
export function guardedLookup(resolve: Resolver = systemLookup as unknown as Resolver) {
  return function lookup(hostname: string, options: LookupOptions | LookupCallback, callback?: LookupCallback): void {
    const done = (typeof options === 'function' ? options : callback) as LookupCallback;
    const wanted: LookupOptions = typeof options === 'function' ? {} : options;
    resolve(hostname, { ...wanted, all: true }, (error, addresses) => {
      if (error) return done(error, []);
      for (const { address } of addresses) {
        const problem = addressProblem(address);
        if (problem) return done(new PrivateAddressRefused(hostname, address, problem), []);
      }
      if (wanted.all) return done(null, addresses);
      if (addresses.length === 0) return done(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
      done(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** The ConnectorError somewhere in an error's causes (got wraps what the lookup threw), if any. */
export function connectorCause(error: unknown): ConnectorError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof ConnectorError) return e;
  return undefined;
}
