/**
 * The receiver's configuration (`serve-webhooks [--config FILE]`): a JSON file, with the secrets from the environment
 * too (CIO_WEBHOOK_SIGNING_KEYS, CIO_WEBHOOK_READ_TOKEN, CIO_WEBHOOK_METRICS_TOKEN win over the file's fields, so a
 * platform's secret store never has to write them into a file) and the store's folder from CIO_WEBHOOK_STORE_DIR when
 * the file names none (or there is no file). Every problem is one sentence naming the field; no message ever quotes
 * a secret.
 */
import { resolve } from 'node:path';
import { configError } from '../errors.js';

export interface ReceiverConfig {
  host: string;
  port: number;
  /** The path Customer.io posts to. */
  path: string;
  storeDir: string;
  signingKeys: string[];
  readToken: string;
  /** When set, /metrics wants it as a bearer token; otherwise /metrics is open (it holds counts, no data). */
  metricsToken?: string;
  /** Body bytes stored; a longer authentic body is stored cut at this size and flagged too_large. */
  maxBodyBytes: number;
  /** Webhook requests read or stored at once; more are answered 503 at once. */
  maxConcurrentRequests: number;
  /** Body bytes held in memory by all requests together; beyond, 503. */
  maxBufferedBytes: number;
  retentionSeconds?: number;
  retentionBytes?: number;
  segmentBytes: number;
  segmentSeconds: number;
  dedupeWindowEvents: number;
  /** 0: no check of x-cio-timestamp's age (the default; see MIN_TIMESTAMP_AGE). */
  maxTimestampAgeSeconds: number;
  /** A whole request (headers and body) must arrive within this; a slow sender is cut off. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
}

const MIB = 1024 * 1024;
const DAY = 86_400;

/**
 * The shortest timestamp window the receiver accepts, when one is set at all: Customer.io retries a failed call for
 * up to 7 days, and whether a retry is signed again with a new timestamp is not documented. A shorter window could
 * answer 401 to a legitimate retry, and a 401 holds back every later event of the workspace until that one succeeds
 * or expires. 8 days: the 7 days plus a day for the two machines' clocks.
 */
export const MIN_TIMESTAMP_AGE = 8 * DAY;

export const DEFAULTS = {
  host: '0.0.0.0',
  port: 8080,
  path: '/customerio/reporting-webhook',
  // An email_sent with Body Content carries the whole email (HTML, text and headers): most are tens to hundreds of KB.
  maxBodyBytes: 5 * MIB,
  maxConcurrentRequests: 64,
  maxBufferedBytes: 64 * MIB,
  retentionDays: 30,
  retentionBytes: 10 * 1024 * MIB,
  segmentBytes: 64 * MIB,
  segmentSeconds: 3600,
  dedupeWindowEvents: 500_000,
  requestTimeoutSeconds: 30,
  headersTimeoutSeconds: 10,
};

/** Paths the receiver serves itself: the webhook path may not be one of them. */
export const RESERVED_PATHS = ['/healthz', '/metrics', '/events'];

const KNOWN = new Set([
  'host', 'port', 'path', 'store_dir', 'signing_keys', 'read_token', 'metrics_token', 'max_body_bytes', 'max_concurrent_requests',
  'max_buffered_bytes', 'retention_days', 'retention_bytes', 'segment_bytes', 'segment_seconds', 'dedupe_window_events',
  'max_timestamp_age_seconds', 'request_timeout_seconds', 'headers_timeout_seconds',
]);

type Raw = Record<string, unknown>;

function integer(raw: Raw, field: string, fallback: number | undefined, min: number, max: number): number | undefined {
  const value = raw[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw configError(`"${field}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Signing keys from the environment: separated by commas or whitespace (a key holds neither). */
function keysFrom(text: string): string[] {
  return text.split(/[\s,]+/).filter((k) => k !== '');
}

function secrets(raw: Raw, env: NodeJS.ProcessEnv): { signingKeys: string[]; readToken: string; metricsToken?: string } {
  const fromFile = raw.signing_keys;
  if (fromFile !== undefined && (!Array.isArray(fromFile) || fromFile.some((k) => typeof k !== 'string'))) throw configError('"signing_keys" must be a list of strings');
  const signingKeys = env.CIO_WEBHOOK_SIGNING_KEYS?.trim() ? keysFrom(env.CIO_WEBHOOK_SIGNING_KEYS) : ((fromFile as string[] | undefined) ?? []).map((k) => k.trim()).filter((k) => k !== '');
  if (signingKeys.length === 0) throw configError('No signing key: set CIO_WEBHOOK_SIGNING_KEYS (or "signing_keys") to the key of the reporting webhook in Customer.io (two during a rotation)');
  if (signingKeys.length > 8) throw configError('At most 8 signing keys (one is usual, two during a rotation)');
  if (new Set(signingKeys).size !== signingKeys.length) throw configError('A signing key is listed twice');
  if (signingKeys.some((k) => k.length < 8 || k.length > 1024)) throw configError('Every signing key must be 8 to 1024 characters (copy the whole key from Customer.io)');
  const token = (name: string, field: string): string | undefined => {
    const value = env[name]?.trim() ? env[name]!.trim() : raw[field];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw configError(`"${field}" must be a string`);
    return value.trim();
  };
  const readToken = token('CIO_WEBHOOK_READ_TOKEN', 'read_token');
  if (!readToken) throw configError('No read token: set CIO_WEBHOOK_READ_TOKEN (or "read_token") to a long random secret; the connector reads events with it');
  // A short token could be guessed through the read API, which faces the same network as the webhook path.
  if (readToken.length < 24) throw configError('The read token must be at least 24 characters (e.g. `openssl rand -hex 32`)');
  if (signingKeys.includes(readToken)) throw configError('The read token must differ from every signing key: whoever reads events must not be able to sign them');
  const metricsToken = token('CIO_WEBHOOK_METRICS_TOKEN', 'metrics_token');
  if (metricsToken !== undefined && (metricsToken === readToken || signingKeys.includes(metricsToken))) throw configError('The metrics token must differ from the read token and the signing keys');
  return { signingKeys, readToken, metricsToken };
}

export function parseReceiverConfig(input: unknown, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ReceiverConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw configError('The receiver config must be a JSON object (every field is optional but store_dir, which CIO_WEBHOOK_STORE_DIR can give)');
  const raw = input as Raw;
  const unknown = Object.keys(raw).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw configError(`Unknown field(s) in the receiver config: ${unknown.map((k) => `"${k.slice(0, 40)}"`).join(', ')}`);
  // The file's store_dir, else CIO_WEBHOOK_STORE_DIR (the image sets it to its volume's mount point, /data/webhooks).
  const storeDir = raw.store_dir ?? (env.CIO_WEBHOOK_STORE_DIR?.trim() || undefined);
  if (typeof storeDir !== 'string' || storeDir.trim() === '') throw configError('"store_dir" is required (or CIO_WEBHOOK_STORE_DIR): the folder the receiver keeps events in (a volume)');
  const host = raw.host ?? DEFAULTS.host;
  if (typeof host !== 'string' || !/^[A-Za-z0-9.:\-[\]]{1,253}$/.test(host)) throw configError('"host" must be an address to listen on, like 0.0.0.0 or 127.0.0.1');
  const path = raw.path ?? DEFAULTS.path;
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9._~\-/]{0,200}$/.test(path) || path.includes('..') || path.includes('//')) {
    throw configError('"path" must start with / and hold only letters, digits and . _ ~ - /');
  }
  if (RESERVED_PATHS.includes(path)) throw configError(`"path" may not be ${path}: the receiver serves it itself`);
  const age = integer(raw, 'max_timestamp_age_seconds', 0, 0, 365 * DAY)!;
  if (age !== 0 && age < MIN_TIMESTAMP_AGE) {
    throw configError(`"max_timestamp_age_seconds" must be 0 (no check) or at least ${MIN_TIMESTAMP_AGE} (8 days): Customer.io retries for 7 days, and a 401 on a retry holds back every later event`);
  }
  const retentionDays = integer(raw, 'retention_days', DEFAULTS.retentionDays, 0, 36_500)!;
  const retentionBytes = integer(raw, 'retention_bytes', DEFAULTS.retentionBytes, 0, Number.MAX_SAFE_INTEGER)!;
  const maxBodyBytes = integer(raw, 'max_body_bytes', DEFAULTS.maxBodyBytes, 1024, 64 * MIB)!;
  const maxBufferedBytes = integer(raw, 'max_buffered_bytes', DEFAULTS.maxBufferedBytes, MIB, 4096 * MIB)!;
  if (maxBufferedBytes < maxBodyBytes) throw configError('"max_buffered_bytes" must be at least "max_body_bytes" (one whole body must fit)');
  return {
    host,
    port: integer(raw, 'port', DEFAULTS.port, 0, 65_535)!,
    path,
    storeDir: resolve(cwd, storeDir),
    ...secrets(raw, env),
    maxBodyBytes,
    maxConcurrentRequests: integer(raw, 'max_concurrent_requests', DEFAULTS.maxConcurrentRequests, 1, 10_000)!,
    maxBufferedBytes,
    // 0 turns a limit off.
    retentionSeconds: retentionDays > 0 ? retentionDays * DAY : undefined,
    retentionBytes: retentionBytes > 0 ? retentionBytes : undefined,
    segmentBytes: integer(raw, 'segment_bytes', DEFAULTS.segmentBytes, 4096, 1024 * MIB)!,
    segmentSeconds: integer(raw, 'segment_seconds', DEFAULTS.segmentSeconds, 1, 7 * DAY)!,
    dedupeWindowEvents: integer(raw, 'dedupe_window_events', DEFAULTS.dedupeWindowEvents, 1, 50_000_000)!,
    maxTimestampAgeSeconds: age,
    requestTimeoutMs: integer(raw, 'request_timeout_seconds', DEFAULTS.requestTimeoutSeconds, 1, 600)! * 1000,
    headersTimeoutMs: integer(raw, 'headers_timeout_seconds', DEFAULTS.headersTimeoutSeconds, 1, 120)! * 1000,
  };
}

/** Every secret of a config: what no log line, metric or answer may hold. */
export const secretsOf = (config: ReceiverConfig): string[] => [...config.signingKeys, config.readToken, ...(config.metricsToken ? [config.metricsToken] : [])];
