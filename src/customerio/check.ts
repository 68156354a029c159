/**
 * `check`: one authenticated call (GET /workspaces). A 401 is tried on the other region too, because an EU
 * key sent to the US host is answered 401, and telling the user "your key is an EU key" is the fix.
 */
import type { Config, Region } from '../config.js';
import { ConnectorError } from '../errors.js';
import { ApiError, RetriesExhausted } from '../engine/http.js';
import { authMessage, createHttpClient } from './base.js';

export interface CheckResult {
  status: 'SUCCEEDED' | 'FAILED';
  message?: string;
}

const CHECK_TIMEOUT_MS = 15_000;

async function workspaces(config: Config, region: Region) {
  const http = createHttpClient(config, undefined, { baseUrl: config.baseUrlFor(region), timeoutMs: CHECK_TIMEOUT_MS, maxTries: 2, backoffBaseMs: 500 });
  try {
    const response = await http.request({ path: '/workspaces' });
    const list = (response.body as { workspaces?: Array<{ id?: unknown; name?: unknown }> } | null)?.workspaces;
    return Array.isArray(list) ? list : [];
  } finally {
    await http.limiter.stop();
  }
}

/** What to do about a key another region accepts: the one message check, read and sync give. */
export const wrongRegionMessage = (other: Region): string => `This App API key belongs to the ${other.toUpperCase()} region; set region to ${other}.`;

/**
 * The region whose host accepts the key, other than the configured one (one GET /workspaces there), or undefined:
 * not that region's key either, or a pinned host (api_base_url without {region}) where there is no other to ask.
 */
export async function otherRegionOf(config: Config): Promise<Region | undefined> {
  if (config.pinnedHost) return undefined;
  const other: Region = config.region === 'us' ? 'eu' : 'us';
  try {
    await workspaces(config, other);
    return other;
  } catch {
    return undefined;
  }
}

/**
 * The message of a refused key for a read: on a 401, the other region is asked once per run (however many
 * requests met the 401), and named when it takes the key; otherwise authMessage's.
 */
export function keyRefusal(config: Config, probe: (config: Config) => Promise<Region | undefined> = otherRegionOf): (status: number, detail: string) => Promise<string> {
  let asked: Promise<Region | undefined> | undefined;
  return async (status, detail) => {
    if (status === 401) {
      asked ??= probe(config);
      const other = await asked;
      if (other) return `Customer.io refused the App API key at the ${config.region.toUpperCase()} host (401), and the ${other.toUpperCase()} host accepts it. ${wrongRegionMessage(other)}`;
    }
    return authMessage(status, detail, config);
  };
}

export async function checkConnection(config: Config): Promise<CheckResult> {
  try {
    const found = await workspaces(config, config.region);
    const names = found.map((w) => `${String(w.name ?? 'unnamed')} (id ${String(w.id ?? '?')})`).join(', ');
    return { status: 'SUCCEEDED', message: names ? `Connected to workspace ${names}` : 'Connected' };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const other = await otherRegionOf(config);
      // Not the other region's key either: the original refusal.
      return { status: 'FAILED', message: other ? wrongRegionMessage(other) : authMessage(401, error.detail, config) };
    }
    if (error instanceof ApiError && error.status === 403) {
      return {
        status: 'FAILED',
        message: `Customer.io refused the key (403${error.detail ? `: ${error.detail}` : ''}): it may be a restricted key without access to workspaces, or this machine's IP is not on the key's allowlist.`,
      };
    }
    if (error instanceof ApiError) return { status: 'FAILED', message: `Customer.io answered ${error.status}${error.detail ? `: ${error.detail}` : ''}` };
    const host = safeHost(config.baseUrl);
    if (error instanceof RetriesExhausted && error.lastStatus === 429) {
      return {
        status: 'FAILED',
        message: `Customer.io at ${host} kept answering 429 (rate limited) to ${error.label}, ${error.attempts} times: other tools may be using this workspace's request budget. Try again in a minute.`,
      };
    }
    if (error instanceof RetriesExhausted) {
      const what = error.lastStatus ? `it answered ${error.lastProblem.replace(/^answered /, '')}` : error.lastProblem;
      return {
        status: 'FAILED',
        message: `Could not reach Customer.io at ${host}: ${error.label} failed ${error.attempts} times (last: ${what}). Check network access${config.pinnedHost ? ' and api_base_url' : ''}.`,
      };
    }
    // A refusal of ours (a name resolving into a private network) says itself what to do.
    if (error instanceof ConnectorError) return { status: 'FAILED', message: error.message };
    return { status: 'FAILED', message: `Check failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
