/**
 * Objects of each object type, their attributes, and the people related to them. Object j of type t
 * (1-based type ids, as `/v1/object_types` lists them) is computed from (seed, t, j): its `object_id` is
 * yours-style text (one in seven holds a space and a slash, to exercise path encoding), its `cio_object_id`
 * encodes (t, j) so both ids resolve by arithmetic. Relationships tie each object to 0–4 people.
 */
import { hash, pick, tagOf } from '../hash.js';
import { DAY } from '../timeline.js';
import type { Core } from './core.js';

type Json = Record<string, unknown>;

const T_OBJECT = tagOf('objects');
const T_RELATION = tagOf('object_relationships');
const NAMES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Tyrell', 'Soylent', 'Cyberdyne'];
const PLANS = ['free', 'starter', 'pro', 'enterprise'];
const ROLES = ['admin', 'member', 'billing'];

export interface ObjectRef {
  type: number;
  j: number;
}

export class Objects {
  constructor(private readonly core: Core) {}

  get perType(): number {
    return this.core.sizes.objectsPerType;
  }

  /** Whether `typeId` ("1", 1…) names an object type of the workspace; its number, or -1. */
  type(typeId: unknown): number {
    const t = Number(typeId);
    return Number.isInteger(t) && t >= 1 && t <= this.core.sizes.objectTypes ? t : -1;
  }

  private h(t: number, j: number, salt = 0): number {
    return hash(this.core.seed, T_OBJECT, t, j, salt);
  }

  objectId(t: number, j: number): string {
    const base = `${pick(NAMES, this.h(t, j)).toLowerCase()}-${t}-${j + 1}`;
    return j % 7 === 3 ? `${base} EU/West` : base;
  }

  cioObjectId(t: number, j: number): string {
    return `ob${t.toString(16).padStart(2, '0')}${j.toString(16).padStart(6, '0')}`;
  }

  /** The object named by `id` (an object_id, or a cio_object_id with idType `cio_object_id`) in type t, or null. */
  resolve(t: number, id: string, idType: string): ObjectRef | null {
    if (idType === 'cio_object_id') {
      const match = /^ob([0-9a-f]{2})([0-9a-f]{6})$/.exec(id);
      if (!match || parseInt(match[1], 16) !== t) return null;
      const j = parseInt(match[2], 16);
      return j < this.perType ? { type: t, j } : null;
    }
    const match = /-(\d+)-(\d+)(?: EU\/West)?$/.exec(id);
    if (!match || Number(match[1]) !== t) return null;
    const j = Number(match[2]) - 1;
    return j >= 0 && j < this.perType && this.objectId(t, j) === id ? { type: t, j } : null;
  }

  identifiers(t: number, j: number): Json {
    return { object_id: this.objectId(t, j), cio_object_id: this.cioObjectId(t, j) };
  }

  /** Attribute values as text, like people's; `plan` is missing on every third object (for `exists` filters). */
  attributes(t: number, j: number): Record<string, string> {
    const h = this.h(t, j, 1);
    const created = this.core.start - (DAY + (h % (400 * DAY)));
    const attributes: Record<string, string> = {
      name: `${pick(NAMES, this.h(t, j))} ${t}-${j + 1}`,
      seats: String(1 + (h % 250)),
      created_at: String(created),
    };
    if (j % 3 !== 2) attributes.plan = pick(PLANS, h >>> 8);
    return attributes;
  }

  /** `GET /v1/objects/{type}/{id}/attributes`. */
  detail(t: number, j: number): Json {
    const attributes = this.attributes(t, j);
    const created = Number(attributes.created_at);
    const timestamps = Object.fromEntries(Object.keys(attributes).map((key, i) => [key, created + i * 60]));
    return { object: { attributes, timestamps, identifiers: this.identifiers(t, j), object_type_id: String(t) } };
  }

  /** The people related to object (t, j): 0–4 distinct person indexes, ascending. */
  related(t: number, j: number): number[] {
    const customers = this.core.people.count;
    if (customers === 0) return [];
    const count = Math.min(customers, hash(this.core.seed, T_RELATION, t, j) % 5);
    const out = new Set<number>();
    for (let n = 0; out.size < count; n++) out.add(hash(this.core.seed, T_RELATION, t, j, n + 1) % customers);
    return [...out].sort((a, b) => a - b);
  }

  /** One relationship item: the person's identifiers, the object's type, and (for some) the relationship's attributes. */
  relationship(t: number, j: number, person: number): Json {
    const h = hash(this.core.seed, T_RELATION, t, j, person, 7);
    const item: Json = { identifiers: this.core.people.identifiers(person), object_type_id: String(t), object_type_disabled: false };
    if (h % 2 === 0) {
      item.attributes = { role: pick(ROLES, h >>> 3) };
      item.timestamps = { role: this.core.start - (h % (200 * DAY)) };
    }
    return item;
  }
}
