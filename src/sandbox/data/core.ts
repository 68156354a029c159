/**
 * What every data generator shares (seed, start clock, sizes, churn, people), and ListSet: the
 * bookkeeping of one small list kind — ids, creation time, `updated` after churn, deletions.
 */
import type { Clock } from '../clock.js';
import { between, hash, tagOf, unit } from '../hash.js';
import { DAY } from '../timeline.js';
import type { SandboxSizes } from '../types.js';
import type { Churn, ChurnKind } from './churn.js';
import type { People } from './people.js';

export interface Core {
  seed: number;
  /** The start clock (unix seconds): everything generated "in the past" is before it. */
  start: number;
  sizes: SandboxSizes;
  clock: Clock;
  churn: Churn;
  people: People;
}

export class ListSet {
  readonly kind: ChurnKind;
  private readonly tag: number;

  /**
   * @param idOf the public id of index j
   * @param indexOf the index of a public id (any number; out-of-range answers are rejected here)
   */
  constructor(
    private readonly core: Core,
    name: string,
    count: number,
    readonly idOf: (j: number) => number,
    private readonly indexOf: (id: number) => number,
    options: { kept?: boolean } = {},
  ) {
    this.kind = { name, count, ...(options.kept ? { kept: true } : {}) };
    this.tag = tagOf(name);
  }

  get count(): number {
    return this.kind.count;
  }

  /** A per-object hash, for the generators' choices. */
  h(j: number, salt = 0): number {
    return hash(this.core.seed, this.tag, j, salt);
  }

  created(j: number): number {
    return this.core.start - between(this.h(j, 101), 20 * DAY, 400 * DAY);
  }

  /** `updated` as first generated: between creation and an hour before the start clock. */
  baseUpdated(j: number): number {
    const created = this.created(j);
    return created + Math.floor(unit(this.h(j, 102)) * (this.core.start - 3600 - created));
  }

  updated(j: number): number {
    return this.core.churn.updated(this.kind, j, this.baseUpdated(j));
  }

  live(): number[] {
    return this.core.churn.live(this.kind);
  }

  deletedIds(): number[] {
    return this.core.churn.deletedIndexes(this.kind).map((j) => this.idOf(j));
  }

  /** The index of a live object by public id, or -1. */
  find(id: number): number {
    const j = this.indexOf(id);
    if (!Number.isInteger(j) || j < 0 || j >= this.count || this.idOf(j) !== id) return -1;
    return this.core.churn.isDeleted(this.kind, j) ? -1 : j;
  }
}
