/**
 * Which links to an export's file the connector follows (docs/security.md): the first link and every redirect
 * after it must be https on a storage host the connector declares, so an answer of the API (or of whatever
 * answers in its place) cannot send the download into the platform's own network.
 *
 * [inferred] Customer.io documents only "a signed link … expires after 15 minutes", not its host. Signed links
 * of cloud storage are what such links are (the sandbox's mimic Google Cloud Storage and S3), so the declared
 * hosts are Google Cloud Storage, Amazon S3 and Customer.io's own domain. If Customer.io's links point
 * elsewhere, the read stops with a system_error naming the host (never the signed path), and an operator adds it
 * with CIO_EXPORT_DOWNLOAD_HOSTS (comma-separated names; a leading dot takes a domain's subdomains) — an
 * environment setting, like the permission for a private network (CIO_ALLOW_PRIVATE_NETWORK=1), which also lets
 * links be http and point at loopback or private addresses (the sandbox's storage is http on 127.0.0.1).
 */
import { ConnectorError } from '../errors.js';
import { hostProblem, privateNetworkAllowed } from '../engine/egress.js';

export const DOWNLOAD_HOSTS_ENV = 'CIO_EXPORT_DOWNLOAD_HOSTS';

/** Exact names, and domains (leading dot) whose subdomains are taken. */
export const STORAGE_HOSTS: readonly string[] = ['storage.googleapis.com', '.storage.googleapis.com', '.customer.io'];

export interface LinkPolicy {
  /** The operator allows a private network: http, and loopback or private hosts. */
  allowPrivate: boolean;
  /** Hosts the operator added (CIO_EXPORT_DOWNLOAD_HOSTS), in STORAGE_HOSTS' form. */
  extraHosts: string[];
}

export function linkPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): LinkPolicy {
  const extraHosts = (env[DOWNLOAD_HOSTS_ENV] ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  return { allowPrivate: privateNetworkAllowed(env), extraHosts };
}

const matches = (host: string, pattern: string) => (pattern.startsWith('.') ? host.endsWith(pattern) && host.length > pattern.length : host === pattern);

/** Amazon S3's names: a bucket's (`b.s3.amazonaws.com`, `b.s3.eu-west-1.amazonaws.com`, `b.s3-eu-west-1…`) and path-style ones. */
const isS3 = (host: string) => host.endsWith('.amazonaws.com') && host.split('.').slice(0, -2).some((label) => label === 's3' || label.startsWith('s3-'));

export function isStorageHost(hostname: string, extraHosts: readonly string[] = []): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return isS3(host) || [...STORAGE_HOSTS, ...extraHosts].some((pattern) => matches(host, pattern));
}

/** Why a link (or a redirect's target) is not followed; undefined when it is. */
export function linkProblem(link: string | URL, policy: LinkPolicy): string | undefined {
  let url: URL;
  try {
    url = typeof link === 'string' ? new URL(link) : link;
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowPrivate && url.protocol === 'http:')) {
    return url.protocol === 'http:' ? 'it is plain http' : `its scheme is ${url.protocol.replace(/:$/, '')}, not https`;
  }
  if (isStorageHost(url.hostname, policy.extraHosts)) return undefined;
  if (policy.allowPrivate && hostProblem(url.hostname)) return undefined;
  return `${url.hostname} is not a storage host the connector downloads export files from`;
}

/** A link, or a redirect on the way to the file, that is not followed. Not worth retrying. */
export class LinkRefused extends ConnectorError {
  constructor(exportId: string, problem: string, hop: number, stream?: string) {
    const where = hop === 0 ? `Customer.io's link to the file of export ${exportId}` : `Redirect ${hop} on the way to the file of export ${exportId}`;
    super(
      `${where} is not followed: ${problem}. The connector downloads export files only over https from cloud storage ` +
        `(Google Cloud Storage, Amazon S3) or customer.io; an operator can add a host with ${DOWNLOAD_HOSTS_ENV}=host.example.com.`,
      'system_error',
      { stream },
    );
    this.name = 'LinkRefused';
  }
}
