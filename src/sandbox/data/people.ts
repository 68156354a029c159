/**
 * People, computed from their index: identifiers (cio_id, id, email — some missing), attributes (all
 * strings, as the API sends them), timestamps and devices. Identifiers encode the index, so looking a
 * person up by any of them is arithmetic, and 200,000 people cost no memory.
 */
import { between, hash, pick, tagOf, unit } from '../hash.js';
import { DAY } from '../timeline.js';

const T_CIO = tagOf('cio_id');
const T_NO_ID = tagOf('no-id');
const T_NO_EMAIL = tagOf('no-email');
const T_NAME = tagOf('name');
const T_ATTR = tagOf('attributes');
const T_DEVICE = tagOf('devices');

const FIRST = ['ada', 'alan', 'grace', 'linus', 'margaret', 'dennis', 'barbara', 'ken', 'frances', 'edsger', 'radia', 'tim', 'hedy', 'john', 'katherine', 'guido'];
const LAST = ['lovelace', 'turing', 'hopper', 'torvalds', 'hamilton', 'ritchie', 'liskov', 'thompson', 'allen', 'dijkstra', 'perlman', 'lee', 'lamarr', 'backus', 'johnson', 'rossum'];
const PLANS = ['free', 'free', 'starter', 'pro', 'pro', 'enterprise'];
const COUNTRIES = ['US', 'US', 'US', 'GB', 'DE', 'FR', 'BR', 'IN', 'JP', 'CA'];
const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell'];

export type IdType = 'id' | 'email' | 'cio_id';
export const ID_TYPES: readonly IdType[] = ['id', 'email', 'cio_id'];

export interface Identifiers {
  cio_id: string;
  email: string | null;
  id: string | null;
}

export class People {
  constructor(
    private readonly seed: number,
    readonly count: number,
    private readonly start: number,
  ) {}

  cioId(i: number): string {
    const prefix = (hash(this.seed, T_CIO, i) >>> 24).toString(16).padStart(2, '0');
    return prefix + i.toString(16).padStart(6, '0');
  }

  /** 7% of people have no `id` (the search answers "" for them in `ids`). */
  hasId(i: number): boolean {
    return hash(this.seed, T_NO_ID, i) % 100 >= 7;
  }

  id(i: number): string | null {
    return this.hasId(i) ? String(i + 1) : null;
  }

  email(i: number): string | null {
    if (hash(this.seed, T_NO_EMAIL, i) % 100 < 3) return null;
    const h = hash(this.seed, T_NAME, i);
    return `${pick(FIRST, h)}.${pick(LAST, h >>> 8)}.${i + 1}@example.com`;
  }

  identifiers(i: number): Identifiers {
    return { cio_id: this.cioId(i), email: this.email(i), id: this.id(i) };
  }

  /** The index of a person from one of their identifiers, or -1. */
  resolve(idType: IdType, value: string): number {
    let i = -1;
    if (idType === 'cio_id') {
      if (/^[0-9a-f]{8,}$/.test(value)) i = parseInt(value.slice(2), 16);
      return i >= 0 && i < this.count && this.cioId(i) === value ? i : -1;
    }
    if (idType === 'id') {
      if (/^[1-9][0-9]*$/.test(value)) i = Number(value) - 1;
      return i >= 0 && i < this.count && this.hasId(i) ? i : -1;
    }
    const match = /\.([1-9][0-9]*)@example\.com$/.exec(value);
    if (match) i = Number(match[1]) - 1;
    return i >= 0 && i < this.count && this.email(i) === value ? i : -1;
  }

  createdAt(i: number): number {
    return this.start - between(hash(this.seed, T_ATTR, i, 1), DAY, 700 * DAY);
  }

  unsubscribed(i: number): boolean {
    return hash(this.seed, T_ATTR, i, 2) % 100 < 5;
  }

  /** One attribute as the API would hold it (always a string), or undefined when the person lacks it. */
  field(i: number, name: string): string | undefined {
    const h = hash(this.seed, T_ATTR, i, 3);
    switch (name) {
      case 'cio_id':
        return this.cioId(i);
      case 'id':
        return this.id(i) ?? undefined;
      case 'email':
        return this.email(i) ?? undefined;
      case 'created_at':
        return String(this.createdAt(i));
      case 'first_name':
        return pick(FIRST, hash(this.seed, T_NAME, i));
      case 'last_name':
        return pick(LAST, hash(this.seed, T_NAME, i) >>> 8);
      case 'plan':
        return pick(PLANS, h);
      case 'country':
        return pick(COUNTRIES, h >>> 4);
      case 'company':
        return h % 10 < 3 ? undefined : pick(COMPANIES, h >>> 8);
      case 'lifetime_value':
        return (unit(hash(this.seed, T_ATTR, i, 4)) * 2000).toFixed(2);
      case 'unsubscribed':
        return String(this.unsubscribed(i));
      default:
        return undefined;
    }
  }

  attributes(i: number): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of ['id', 'email', 'created_at', 'first_name', 'last_name', 'plan', 'country', 'company', 'lifetime_value', 'unsubscribed']) {
      const value = this.field(i, name);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  devices(i: number): Array<Record<string, unknown>> {
    const n = hash(this.seed, T_DEVICE, i) % 3;
    const out: Array<Record<string, unknown>> = [];
    for (let d = 0; d < n; d++) {
      const h = hash(this.seed, T_DEVICE, i, d);
      out.push({
        id: `${this.cioId(i)}-${h.toString(36)}`,
        platform: h % 2 === 0 ? 'ios' : 'android',
        last_used: this.start - (h % (60 * DAY)),
      });
    }
    return out;
  }

  /** The `customer` object of `/v1/customers/{id}/attributes` and `/v1/customers/attributes`. */
  detail(i: number): Record<string, unknown> {
    const created = this.createdAt(i);
    const attributes = this.attributes(i);
    const timestamps: Record<string, number> = {};
    for (const name of Object.keys(attributes)) timestamps[name] = name === 'created_at' ? created : created + (hash(this.seed, tagOf(name), i) % DAY);
    return {
      id: this.id(i),
      identifiers: this.identifiers(i),
      attributes,
      timestamps,
      unsubscribed: this.unsubscribed(i),
      devices: this.devices(i),
    };
  }
}
