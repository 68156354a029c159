/**
 * JSON Schema checks shared by the spec, discover and read tests: walking a schema (telling keywords from
 * property names), draft-07 validity, and record validation as CAT does it at high strictness: strict
 * integers (a number written `1.0` or `1e3` is not an integer, as in Python), CAT's `date-time` pattern,
 * and no fields the schema does not declare.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type SchemaNode = Record<string, unknown>;

/** Keywords whose value is a map of name → schema (its keys are names, not keywords). */
const NAME_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependencies']);
/** Keywords whose value is one schema. */
const ONE_SCHEMA = new Set(['items', 'additionalProperties', 'additionalItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else']);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'items', 'prefixItems']);

const isObject = (value: unknown): value is SchemaNode => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Calls `visit` on every schema node with its JSON-pointer-like path (e.g. `/properties/region`). */
export function walkSchema(schema: unknown, visit: (node: SchemaNode, path: string) => void, path = ''): void {
  if (!isObject(schema)) return;
  visit(schema, path);
  for (const [key, value] of Object.entries(schema)) {
    if (NAME_MAPS.has(key) && isObject(value)) {
      for (const [name, child] of Object.entries(value)) walkSchema(child, visit, `${path}/${key}/${name}`);
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      value.forEach((child, i) => walkSchema(child, visit, `${path}/${key}/${i}`));
    } else if (ONE_SCHEMA.has(key) && isObject(value)) {
      walkSchema(value, visit, `${path}/${key}`);
    }
  }
}

/** Paths where one of `keywords` is used as a keyword (a property named "not" is fine). */
export function keywordUses(schema: unknown, keywords: string[]): string[] {
  const found: string[] = [];
  walkSchema(schema, (node, path) => {
    for (const keyword of keywords) if (keyword in node) found.push(`${path}/${keyword}`);
  });
  return found;
}

/** Every value of `key` anywhere in the document (used for `$ref`, which must not appear at all). */
export function valuesOfKey(document: unknown, key: string, path = ''): Array<{ path: string; value: unknown }> {
  const found: Array<{ path: string; value: unknown }> = [];
  if (Array.isArray(document)) document.forEach((v, i) => found.push(...valuesOfKey(v, key, `${path}/${i}`)));
  else if (isObject(document)) {
    for (const [k, v] of Object.entries(document)) {
      if (k === key) found.push({ path: `${path}/${k}`, value: v });
      found.push(...valuesOfKey(v, key, `${path}/${k}`));
    }
  }
  return found;
}

/** Why `schema` is not a valid draft-07 schema (empty when it is). */
export function draft07Problems(schema: unknown): string[] {
  const ajv = new Ajv({ strict: false, logger: false });
  if (isObject(schema) && typeof schema.$schema === 'string' && !/draft-07/.test(schema.$schema)) {
    return [`$schema is ${schema.$schema}, not draft-07`];
  }
  if (!ajv.validateSchema(schema as object)) return (ajv.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
  try {
    ajv.compile(schema as object);
  } catch (error) {
    return [`does not compile: ${(error as Error).message}`];
  }
  return [];
}

/** The types a schema node names (`type` as a string or a list). */
export function typesOf(node: SchemaNode): string[] {
  const type = node.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  return [];
}

// ---------------------------------------------------------------------------------------------------------
// Records

/** CAT's pattern for `format: date-time` values (date, `T` or space, time, anything after). */
export const CAT_DATETIME = /^\d{4}-\d?\d-\d?\d(\s|T)\d?\d:\d?\d:\d?\d(.\d+)?.*$/;

export function isCatDateTime(value: string): boolean {
  return CAT_DATETIME.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T')));
}

/**
 * A copy of the schema in which every object that lists `properties` refuses other fields (CAT's
 * fail_on_extra_columns), down through nested objects and arrays of objects.
 */
export function closedSchema(schema: SchemaNode): SchemaNode {
  const copy = structuredClone(schema);
  const close = (node: unknown) => {
    if (!isObject(node)) return;
    if (isObject(node.properties) && Object.keys(node.properties).length > 0) {
      // A map's value schema stays: its extra fields are declared, by type.
      if (!isObject(node.additionalProperties)) node.additionalProperties = false;
      for (const child of Object.values(node.properties)) close(child);
    }
    if (isObject(node.items)) close(node.items);
    for (const key of ['oneOf', 'anyOf']) if (Array.isArray(node[key])) (node[key] as unknown[]).forEach(close);
  };
  close(copy);
  return copy;
}

/** Paths (from the root of `text`) of the numbers written with a fraction or an exponent. */
export function nonIntegerLexemes(text: string): Array<{ path: Array<string | number>; lexeme: string }> {
  const found: Array<{ path: Array<string | number>; lexeme: string }> = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: Array<string | number>): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        const key = string();
        ws();
        i++; // :
        value([...path, key]);
        ws();
        if (text[i++] === '}') return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value([...path, n]);
        ws();
        if (text[i++] === ']') return;
      }
    }
    if (c === '"') return void string();
    const start = i;
    while (i < text.length && !',}] \t\n\r'.includes(text[i])) i++;
    const lexeme = text.slice(start, i);
    if (/^-?\d/.test(lexeme) && /[.eE]/.test(lexeme)) found.push({ path, lexeme });
  };
  value([]);
  return found;
}

/** The subschemas that describe the value at `path` inside data valid for `schema`. */
export function schemasAt(schema: unknown, path: Array<string | number>): SchemaNode[] {
  if (!isObject(schema)) return [];
  const branches = [...((schema.oneOf as unknown[]) ?? []), ...((schema.anyOf as unknown[]) ?? [])];
  const here = branches.length ? [schema, ...branches.flatMap((b) => schemasAt(b, []))] : [schema];
  if (path.length === 0) return here.filter(isObject);
  const [head, ...rest] = path;
  const next: unknown[] = [];
  for (const node of here.filter(isObject)) {
    if (typeof head === 'number') {
      if (isObject(node.items)) next.push(node.items);
    } else if (isObject(node.properties) && head in node.properties) {
      next.push(node.properties[head]);
    } else if (isObject(node.additionalProperties)) {
      next.push(node.additionalProperties);
    }
  }
  return next.flatMap((n) => schemasAt(n, rest));
}

export interface RecordValidator {
  /** Problems of one record (`data`), given the raw stdout line it came in (for the strict-integer rule). */
  (data: unknown, rawLine?: string): string[];
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const where = e.instancePath || '(record)';
    if (e.keyword === 'additionalProperties') return `${where} has field "${String(e.params.additionalProperty)}" that the schema does not declare`;
    if (e.keyword === 'format') return `${where} is not a ${String(e.params.format)} CAT accepts`;
    return `${where} ${e.message}${e.keyword === 'type' ? '' : ` (${JSON.stringify(e.params)})`}`;
  });
}

/** Validates records of one stream as CAT does at high strictness. */
export function recordValidator(schema: SchemaNode, options: { failOnExtraColumns: boolean }): RecordValidator {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  ajv.addFormat('date-time', { type: 'string', validate: isCatDateTime });
  ajv.addFormat('date', { type: 'string', validate: (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) });
  const validate: ValidateFunction = ajv.compile(options.failOnExtraColumns ? closedSchema(schema) : schema);
  return (data, rawLine) => {
    const problems = validate(data) ? [] : describe(validate.errors);
    if (rawLine) {
      for (const { path, lexeme } of nonIntegerLexemes(rawLine)) {
        if (path[0] !== 'record' || path[1] !== 'data') continue;
        const dataPath = path.slice(2);
        const nodes = schemasAt(schema, dataPath);
        const integerOnly = nodes.length > 0 && nodes.every((n) => typesOf(n).includes('integer') && !typesOf(n).includes('number'));
        if (integerOnly) problems.push(`/${dataPath.join('/')} is written ${lexeme}, which is not an integer (strict integers)`);
      }
    }
    return problems;
  };
}
