/**
 * The sandbox's public entry: start a local Customer.io App API and steer it. Everything the
 * connector's tests, demo and benchmarks need is re-exported from here.
 */
export { startSandbox } from './server.js';
export { DEFAULT_KEYS, DEFAULT_NOW, DEFAULT_SEED, DEFAULT_SIZES } from './types.js';
export { DEFAULT_EXPORT_BEHAVIOUR } from './exports.js';
export { assertOneClock, clockGap, sandboxClockEnv, sandboxesIn, ONE_CLOCK_TOLERANCE_SECONDS, type ClockApart } from './one-clock.js';
export type {
  ActivityQuery,
  BoundReading,
  ChurnOptions,
  DeliveryBounds,
  ExportBehaviour,
  ExportRecord,
  FaultKind,
  FaultRule,
  ListKind,
  MessageQuery,
  RateLimitOption,
  Region,
  Sandbox,
  SandboxExpected,
  SandboxOptions,
  SandboxRequestRecord,
  SandboxSizes,
  SandboxStats,
  WebhookSender,
  WebhookSenderOptions,
} from './types.js';
export { retryWait } from './webhooks/sender.js';
