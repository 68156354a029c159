/**
 * What every Customer.io request shares: the HTTP client built from the config (region host, bearer key,
 * the one limiter) and the status table that turns the API's refusals into messages naming the fix.
 */
import type { Config } from '../config.js';
import { HttpClient } from '../engine/http.js';
import { RateLimiter } from '../engine/limiter.js';
import type { LogLevel } from '../protocol/messages.js';

export const DOCS_URL = 'https://customer.io/docs/api/app/';

export function authMessage(status: number, detail: string, config?: Pick<Config, 'region'>): string {
  const region = config ? ` (region is set to ${config.region})` : '';
  return status === 401
    ? `Customer.io rejected the App API key (401${detail ? `: ${detail}` : ''}). Use an App API key from Settings → API Credentials → App API Keys (not a Track API key), and check the region${region}; a key that worked before may have been revoked.`
    : `Customer.io refused the request (${status}${detail ? `: ${detail}` : ''}). The key may be restricted, or your IP may not be on the key's allowlist.`;
}

export interface HttpOverrides {
  timeoutMs?: number;
  maxTries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  baseUrl?: string;
}

/** The HTTP client of a run: one limiter for every request the process makes. */
/** `log` hears the client's retries (WARN) and rate-limit pauses (DEBUG). */
export function createHttpClient(config: Config, log?: (level: LogLevel, message: string) => void, overrides: HttpOverrides = {}): HttpClient {
  const env = process.env;
  // CIO_REQUESTS_PER_SECOND overrides the config's ceiling, beyond the API's 10 (`off`: none), for benchmarks
  // against a local API; never needed against Customer.io.
  const limiter = new RateLimiter({ requestsPerSecond: rateFromEnv(env.CIO_REQUESTS_PER_SECOND) ?? config.requestsPerSecond });
  return new HttpClient({
    baseUrl: overrides.baseUrl ?? config.baseUrl,
    apiKey: config.apiKey,
    limiter,
    timeoutMs: overrides.timeoutMs ?? numberFromEnv(env.CIO_REQUEST_TIMEOUT_MS) ?? 60_000,
    maxTries: overrides.maxTries ?? numberFromEnv(env.CIO_MAX_TRIES) ?? 6,
    backoffBaseMs: overrides.backoffBaseMs ?? numberFromEnv(env.CIO_BACKOFF_BASE_MS) ?? 1000,
    backoffMaxMs: overrides.backoffMaxMs ?? numberFromEnv(env.CIO_BACKOFF_MAX_MS) ?? 60_000,
    // For operators: the most one answer may weigh, in bytes (default MAX_RESPONSE_BYTES, 64 MiB).
    maxResponseBytes: positiveFromEnv(env.CIO_MAX_RESPONSE_BYTES),
    log,
  });
}

function rateFromEnv(value: string | undefined): number | undefined {
  if (value?.trim() === 'off') return Number.POSITIVE_INFINITY;
  const n = numberFromEnv(value);
  return n !== undefined && n > 0 ? n : undefined;
}

function positiveFromEnv(value: string | undefined): number | undefined {
  const n = numberFromEnv(value);
  return n !== undefined && n > 0 ? n : undefined;
}

function numberFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
