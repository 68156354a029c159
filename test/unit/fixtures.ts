/** Shared fixtures of the unit tests: a parsed config, and times in the API's own unit (unix seconds). */
import { parseConfig, type Config } from '../../src/config.js';

export const API_KEY = 'unit-test-app-api-key-5f2c9a';

/** 2024-05-01T00:00:00Z in unix seconds. */
export const MAY_1 = 1714521600;
export const HOUR = 3600;
export const DAY = 86_400;

export function testConfig(raw: Record<string, unknown> = {}): Config {
  return parseConfig({ app_api_key: API_KEY, ...raw });
}
