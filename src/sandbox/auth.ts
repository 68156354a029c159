/**
 * Hosts and keys. The region is chosen by a path prefix (`/v1` and `/us/v1` are the US host,
 * `/eu/v1` the EU host), so one port serves both. A key only works on its own region's host: a US key
 * on the EU host gets the same 401 as an unknown key, as reported of the real API.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './http.js';
import type { Region } from './types.js';

export interface HostPath {
  region: Region;
  /** The path after the version prefix, e.g. `/activities`. */
  rest: string;
}

/** Split `/eu/v1/activities` into region and rest; null for paths outside the API. */
export function splitHostPath(pathname: string): HostPath | null {
  const match = /^(?:\/(us|eu))?\/v1(\/.*)?$/.exec(pathname);
  if (!match) return null;
  return { region: (match[1] as Region | undefined) ?? 'us', rest: match[2] ?? '/' };
}

/** The bearer key of a request, or null. */
export function bearerKey(headers: IncomingHttpHeaders): string | null {
  const header = headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

const INVALID = 'Unauthorized request: the App API key is missing or not valid. Send `Authorization: Bearer <App API key>`.';

/** The key when it is valid for this region; otherwise a 401 that never echoes the key. */
export function authenticate(headers: IncomingHttpHeaders, region: Region, keys: Record<string, Region>): string {
  const key = bearerKey(headers);
  if (key === null || !Object.prototype.hasOwnProperty.call(keys, key) || keys[key] !== region) {
    throw new ApiError(401, INVALID);
  }
  return key;
}
