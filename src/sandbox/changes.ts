/**
 * Lists that change while they are read, on request: a test deletes or edits objects of a list kind now
 * (`change`), or right after the sandbox answers a given request (`rules`: e.g. after page 1 of a list, so page 2 is
 * served from the changed list). Tokens are positional (tokens.ts), so a deletion on a page already served moves the
 * first object of the next page onto it, as the real API's lists do. Deletions and edits go through Churn, so every
 * route, the single-item GETs and `expected` agree.
 */
import { pathMatcher } from './faults.js';
import type { ChurnKind } from './data/churn.js';
import type { ListChange, ListChangeRule, ListKind } from './types.js';
import type { World } from './world.js';

const LIST_KINDS: readonly ListKind[] = ['campaigns', 'campaign_actions', 'newsletters', 'broadcasts', 'broadcast_actions', 'segments', 'transactional_messages', 'snippets'];

/** A list kind's objects: its churn kind, and the index of a live object by id (snippets: by name), or -1. */
function listOf(world: World, kind: ListKind): { churn: ChurnKind; indexOf: (id: number | string) => number } {
  const { catalog } = world;
  const byId = (set: { kind: ChurnKind; find: (id: number) => number }) => ({ churn: set.kind, indexOf: (id: number | string) => set.find(Number(id)) });
  switch (kind) {
    case 'campaigns':
      return byId(world.campaigns.set);
    case 'campaign_actions':
      return byId(world.campaigns.actionSet);
    case 'broadcasts':
      return byId(world.broadcasts.set);
    case 'broadcast_actions':
      return byId(world.broadcasts.actionSet);
    case 'newsletters':
      return byId(catalog.newsletters);
    case 'segments':
      return byId(catalog.segments);
    case 'transactional_messages':
      return byId(catalog.transactional);
    case 'snippets':
      return {
        churn: catalog.snippets.kind,
        indexOf: (name) => {
          const j = catalog.snippetIndex(String(name));
          return j >= 0 && !world.churn.isDeleted(catalog.snippets.kind, j) ? j : -1;
        },
      };
  }
}

/** Throws a readable error for a change that cannot work (an unknown kind, an id that is not live). */
export function validateChange(world: World, change: ListChange, where = 'change'): void {
  if (!change || typeof change !== 'object' || !LIST_KINDS.includes(change.kind)) throw new TypeError(`${where}: kind must be one of ${LIST_KINDS.join(', ')}`);
  const list = listOf(world, change.kind);
  for (const field of ['delete', 'edit'] as const) {
    const ids = change[field];
    if (ids === undefined) continue;
    if (!Array.isArray(ids)) throw new TypeError(`${where}: ${field} must be a list of ids`);
    for (const id of ids) if (list.indexOf(id) < 0) throw new TypeError(`${where}: ${change.kind} ${JSON.stringify(id)} is not a live object`);
  }
}

/** Deletes and edits now (edits dated by the sandbox's clock); ids no longer live are left alone. */
export function applyChange(world: World, change: ListChange, served: Array<number | string> = []): void {
  const list = listOf(world, change.kind);
  const now = world.clock.now();
  for (const id of change.edit ?? []) {
    const j = list.indexOf(id);
    if (j >= 0) world.churn.editNow(list.churn, j, now);
  }
  for (const id of [...(change.delete ?? []), ...served]) {
    const j = list.indexOf(id);
    if (j >= 0) world.churn.deleteNow(list.churn, j);
  }
}

interface ActiveRule {
  rule: ListChangeRule;
  matches: (path: string) => boolean;
  answered: number;
  fired: boolean;
}

export class ListChanges {
  private active: ActiveRule[] = [];

  constructor(private readonly world: World) {}

  /** Replaces every rule (counts start again). */
  set(rules: ListChangeRule[]): void {
    if (!Array.isArray(rules)) throw new TypeError('list changes must be an array of rules');
    rules.forEach((rule, i) => {
      validateChange(this.world, rule, `list change rule ${i}`);
      if (typeof rule.path !== 'string' || rule.path === '') throw new TypeError(`list change rule ${i}: path is required`);
      for (const key of ['after', 'deleteServed'] as const) {
        const value = rule[key];
        if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw new TypeError(`list change rule ${i}: ${key} must be a non-negative integer`);
      }
    });
    this.active = rules.map((rule) => ({ rule: { ...rule }, matches: pathMatcher(rule.path), answered: 0, fired: false }));
  }

  rules(): ListChangeRule[] {
    return this.active.map((a) => ({ ...a.rule }));
  }

  /** After a 200 answer to `method path` was sent: fires each rule whose turn it is, once. */
  answered(method: string, path: string, body: unknown): void {
    if (method !== 'GET') return;
    for (const a of this.active) {
      if (a.fired || !a.matches(path)) continue;
      if (++a.answered < (a.rule.after ?? 1)) continue;
      a.fired = true;
      applyChange(this.world, a.rule, servedIds(body, a.rule.kind).slice(0, a.rule.deleteServed ?? 0));
    }
  }
}

/** The ids (snippets: names) of the objects an answer listed: its first list of objects. */
function servedIds(body: unknown, kind: ListKind): Array<number | string> {
  if (!body || typeof body !== 'object') return [];
  const key = kind === 'snippets' ? 'name' : 'id';
  for (const value of Object.values(body as Record<string, unknown>)) {
    if (Array.isArray(value)) return value.map((item) => (item && typeof item === 'object' ? (item as Record<string, unknown>)[key] : undefined)).filter((id): id is number | string => id !== undefined);
  }
  return [];
}
