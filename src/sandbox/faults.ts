/**
 * Fault rules: which requests get a fault. Each rule counts the requests that match its path and
 * method, skips the first `after`, fires at most `count` times, and fires for a `share` of the
 * eligible ones drawn from its own PRNG seeded by the sandbox seed — so a run is reproducible. Latency
 * rules add up and let the request continue; of the other kinds the first that fires wins.
 * (How each kind is carried out on the socket lives in server.ts.)
 */
import { hash, prng } from './hash.js';
import type { FaultKind, FaultRule } from './types.js';

export const FAULT_KINDS: readonly FaultKind[] = ['latency', 'status', 'reset', 'truncate', 'invalid_json', 'unauthorized', 'echo_headers', 'rate_limit'];

interface ActiveRule {
  rule: FaultRule;
  matches: (path: string) => boolean;
  random: () => number;
  seen: number;
  fired: number;
}

export interface FaultPlan {
  /** Total latency to add before answering, ms. */
  delayMs: number;
  /** The fault that decides the answer, if any. */
  terminal?: FaultRule;
  /** Kinds that fired (for stats). */
  kinds: FaultKind[];
}

/** Substring match, or a whole-path glob when the pattern holds `*`. */
export function pathMatcher(pattern: string | undefined): (path: string) => boolean {
  if (pattern === undefined || pattern === '') return () => true;
  if (!pattern.includes('*')) return (path) => path.includes(pattern);
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const regex = new RegExp(`^${source}$`);
  return (path) => regex.test(path);
}

/** Throws a readable error for a rule that cannot work. */
export function validateRule(rule: FaultRule, index: number): void {
  const where = `fault rule ${index}`;
  if (rule === null || typeof rule !== 'object') throw new TypeError(`${where} must be an object`);
  if (!FAULT_KINDS.includes(rule.kind)) throw new TypeError(`${where}: kind must be one of ${FAULT_KINDS.join(', ')}`);
  if (rule.share !== undefined && !(rule.share >= 0 && rule.share <= 1)) throw new TypeError(`${where}: share must be between 0 and 1`);
  for (const key of ['count', 'after', 'ms'] as const) {
    const value = rule[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw new TypeError(`${where}: ${key} must be a non-negative integer`);
  }
  if (rule.status !== undefined && !(Number.isInteger(rule.status) && rule.status >= 100 && rule.status <= 599)) {
    throw new TypeError(`${where}: status must be an HTTP status`);
  }
}

export class FaultInjector {
  private active: ActiveRule[] = [];

  constructor(
    private readonly seed: number,
    rules: FaultRule[] = [],
  ) {
    this.set(rules);
  }

  /** Replace every rule (counters start again). */
  set(rules: FaultRule[]): void {
    if (!Array.isArray(rules)) throw new TypeError('faults must be an array of rules');
    rules.forEach(validateRule);
    this.active = rules.map((rule, i) => ({
      rule: { ...rule },
      matches: pathMatcher(rule.path),
      random: prng(hash(this.seed, i, 0xfa17)),
      seen: 0,
      fired: 0,
    }));
  }

  rules(): FaultRule[] {
    return this.active.map((a) => ({ ...a.rule }));
  }

  plan(method: string, path: string): FaultPlan {
    const plan: FaultPlan = { delayMs: 0, kinds: [] };
    for (const a of this.active) {
      if (a.rule.method && a.rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!a.matches(path)) continue;
      const index = a.seen++;
      if (index < (a.rule.after ?? 0)) continue;
      if (a.rule.count !== undefined && a.fired >= a.rule.count) continue;
      const isLatency = a.rule.kind === 'latency';
      if (!isLatency && plan.terminal) continue;
      if (a.random() >= (a.rule.share ?? 1)) continue;
      a.fired++;
      plan.kinds.push(a.rule.kind);
      if (isLatency) plan.delayMs += a.rule.ms ?? 1000;
      else plan.terminal = a.rule;
    }
    return plan;
  }
}
