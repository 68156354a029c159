/**
 * Records that do not fit their stream's schema — a type the API changed, a documented object that came as a
 * string, a key missing, a value nested too deep to print — are made to fit or set aside before they are
 * printed, and said so; they never fail the stream (which would lose every record after them).
 *
 * - Valid against the schema: printed as is. (The common case costs one compiled Ajv check.)
 * - A top-level field the schema cannot hold: set to null where the schema allows null, with a WARN naming the
 *   stream, the record's primary key and the field.
 * - A primary key missing or of a type the schema cannot hold, or a field that cannot be nulled: the record is
 *   skipped with a WARN naming the stream and the key. So is a record the printer cannot serialize.
 * WARNs are capped per stream (MAX_WARNINGS, then one count when the stream ends): an API-wide change must not
 * flood the log. Records without a key that the stream declares expected (`keyless`) are only counted: one WARN
 * when the stream ends.
 */
import { ownValue, setOwn } from './own.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonObject } from '../protocol/messages.js';
import { schemaOf } from './discover.js';
import type { Record_, StreamDefinition } from './types.js';

export const MAX_WARNINGS = 20;

// ownProperties: a record without a `constructor` field must not be checked against the one it inherits.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, ownProperties: true });
const validators = new WeakMap<JsonObject, ValidateFunction>();

function validatorFor(schema: JsonObject): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/** The stream's schema; a definition without one (an inline test stream) has its records checked for key and print only. */
function schemaOrNothing(definition: StreamDefinition): JsonObject {
  try {
    return schemaOf(definition);
  } catch {
    return ANYTHING;
  }
}
const ANYTHING: JsonObject = {};

/** The top-level field an Ajv error is about ('' for the record itself, e.g. a required field missing). */
function topField(error: ErrorObject): string {
  if (error.instancePath === '') return error.keyword === 'required' ? String(error.params.missingProperty) : '';
  return error.instancePath.split('/')[1].replace(/~1/g, '/').replace(/~0/g, '~');
}

const allowsNull = (property: unknown): boolean => {
  if (!property || typeof property !== 'object') return true;
  const type = (property as JsonObject).type;
  return type === undefined || type === 'null' || (Array.isArray(type) && type.includes('null'));
};

const shown = (value: unknown): string => {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = '(unprintable)';
  }
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

export class RecordConformer {
  /** Plain boolean: Ajv's type guard would narrow a failing record to `never`. */
  private readonly validate: (data: unknown) => boolean;
  private readonly errors: () => ErrorObject[];
  private readonly properties: JsonObject;
  private readonly keyFields: Set<string>;
  private warnings = 0;
  /** Records skipped for having no key, when the definition says the API has such records (`keyless`). */
  private keyless = 0;

  constructor(
    private readonly definition: StreamDefinition,
    private readonly warn: (message: string) => void,
  ) {
    const schema = schemaOrNothing(definition);
    const validate = validatorFor(schema);
    this.validate = (data) => validate(data) as boolean;
    this.errors = () => validate.errors ?? [];
    this.properties = (schema.properties as JsonObject | undefined) ?? {};
    this.keyFields = new Set(definition.primaryKey.map((path) => path[0]));
  }

  /** The record as it may be printed, or undefined when it must be skipped (said in a WARN). */
  conform(record: Record_): Record_ | undefined {
    // A record without its key cannot be deduplicated, updated or deleted downstream.
    const missing = this.definition.primaryKey.filter((path) => valueAt(record, path) === undefined || valueAt(record, path) === null);
    if (missing.length > 0) {
      if (this.definition.keyless) {
        this.keyless++;
        return undefined;
      }
      this.skip(record, `no value for ${missing.map((path) => path.join('.')).join(', ')}`);
      return undefined;
    }
    if (this.validate(record)) return record;
    const problems = this.errors();
    const fields = new Map<string, string>();
    for (const error of problems) {
      const field = topField(error);
      if (!fields.has(field)) fields.set(field, `${error.instancePath.slice(1) || field} ${error.message ?? 'is invalid'}`);
    }
    const blocking = [...fields.keys()].find((field) => field === '' || this.keyFields.has(field) || !allowsNull(this.properties[field]));
    if (blocking !== undefined) {
      this.skip(record, fields.get(blocking)!);
      return undefined;
    }
    const fixed: Record_ = { ...record };
    for (const field of fields.keys()) setOwn(fixed, field, null);
    if (!this.validate(fixed)) {
      this.skip(record, [...fields.values()].join('; '));
      return undefined;
    }
    this.note(`${this.definition.name}: record ${keyText(this.definition.primaryKey, record)}: set ${[...fields.keys()].join(', ')} to null, the value the API sent does not fit the schema (${[...fields.values()].join('; ')})`);
    return fixed;
  }

  /** The printer could not serialize the record (nesting deeper than the stack, say): it is skipped. */
  unprintable(record: Record_, error: unknown): void {
    this.skip(record, `it cannot be printed as JSON (${error instanceof Error ? error.message : String(error)})`);
  }

  /** At the end of the stream: how many expected keyless records were skipped, and how many more were changed or skipped than the WARNs said one by one. */
  finish(): void {
    const what = this.definition.keyless;
    if (this.keyless > 0 && what) this.warn(`${this.definition.name}: skipped ${this.keyless} ${this.keyless === 1 ? what.one : what.many}`);
    const unsaid = this.warnings - MAX_WARNINGS;
    if (unsaid > 0) this.warn(`${this.definition.name}: ${unsaid} more records were changed or skipped like the ones above (not logged one by one)`);
    this.warnings = 0;
    this.keyless = 0;
  }

  private skip(record: Record_, why: string): void {
    this.note(`${this.definition.name}: skipped record ${keyText(this.definition.primaryKey, record)}: ${why}`);
  }

  private note(message: string): void {
    if (++this.warnings <= MAX_WARNINGS) this.warn(message);
  }
}

/** The value at a key path (`['a','b']`: record.a.b), or undefined where the path leaves the record's objects. */
export function valueAt(record: Record_, path: string[]): unknown {
  let value: unknown = record;
  // Own fields only: `__proto__` or `constructor` a record lacks must not be found on Object.prototype (own.ts).
  for (const field of path) value = ownValue(value, field);
  return value;
}

/** A record's primary key for messages: `id=15`, `segment_id=3 cio_id=a1`, or `without its primary key (id)`. */
export function keyText(primaryKey: string[][], record: Record_): string {
  const parts = primaryKey.map((path) => [path.join('.'), valueAt(record, path)] as const);
  if (parts.every(([, value]) => value === undefined || value === null)) return `without its primary key (${parts.map(([name]) => name).join(', ')})`;
  return parts.map(([name, value]) => `${name}=${shown(value)}`).join(' ');
}
