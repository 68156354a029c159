/**
 * CAT's rules for a connector spec (the connectionSpecification), each a pure function returning one line
 * per violation, so spec.test.ts reads as the list of rules and checks.test.ts can prove each rule fails
 * on a spec that breaks it.
 */
import { Ajv } from 'ajv';
import { keywordUses, typesOf, valuesOfKey, walkSchema, type SchemaNode } from './schema.js';

/** Names of fields that may hold a secret (CAT's list, matched on the words of a field name). */
export const SECRET_WORDS = /(^|_)(key|token|secret|password|passwd|credentials?|jwt|certificate|private|app_?id|tenant_id|service_account)(_|$)/i;
/** Keywords the Airbyte UI cannot render (CAT's test_forbidden_complex_types) plus $ref (unresolved references). */
export const FORBIDDEN = ['$ref', 'anyOf', 'allOf', 'not', 'if', 'then', 'else', 'patternProperties', 'prefixItems', 'dependentSchemas', 'dependentRequired'];

/** Every property of the spec (at any depth), with its path and name. */
export function properties(schema: unknown): Array<{ path: string; name: string; node: SchemaNode }> {
  const out: Array<{ path: string; name: string; node: SchemaNode }> = [];
  walkSchema(schema, (node, path) => {
    const m = /\/properties\/([^/]+)$/.exec(path);
    if (m) out.push({ path, name: m[1], node });
  });
  return out;
}

export function secretProblems(spec: SchemaNode): string[] {
  const problems: string[] = [];
  for (const { path, name, node } of properties(spec)) {
    // CAT: only strings and numbers can hold a secret; a const cannot.
    const canHoldSecret = typesOf(node).some((t) => ['string', 'integer', 'number'].includes(t)) && node.const === undefined;
    const marked = node.airbyte_secret === true;
    if (SECRET_WORDS.test(name) && canHoldSecret && !marked) problems.push(`${path} looks like a secret and is not marked airbyte_secret`);
    if (marked && !canHoldSecret) problems.push(`${path} is marked airbyte_secret but cannot hold a secret (type ${JSON.stringify(node.type)})`);
  }
  return problems;
}

export function forbiddenKeywordProblems(spec: SchemaNode): string[] {
  const refs = valuesOfKey(spec, '$ref').map((r) => `${r.path} is used`);
  return [...refs, ...keywordUses(spec, FORBIDDEN.filter((k) => k !== '$ref')).map((p) => `${p} is used`)];
}

export function additionalPropertiesProblems(schema: unknown): string[] {
  return valuesOfKey(schema, 'additionalProperties')
    .filter((v) => v.value !== true)
    .map((v) => `${v.path} is ${JSON.stringify(v.value)}, not true`);
}

export function typeProblems(spec: SchemaNode): string[] {
  const problems: string[] = [];
  for (const { path, node } of properties(spec)) {
    const type = node.type;
    if (Array.isArray(type) && !(type.length === 1 || (type.length === 2 && type[1] === 'null'))) problems.push(`${path} has type ${JSON.stringify(type)}; give one type, or [T, "null"]`);
    if (type === undefined && node.oneOf === undefined && node.const === undefined) problems.push(`${path} has no type`);
  }
  return problems;
}

export function arrayItemsProblems(spec: SchemaNode): string[] {
  const problems: string[] = [];
  walkSchema(spec, (node, path) => {
    if (!typesOf(node).includes('array') || node.items === undefined) return;
    const items = node.items as SchemaNode | SchemaNode[];
    if (Array.isArray(items)) return void problems.push(`${path}/items is a list of schemas, not one schema`);
    if (!['object', 'string', 'number', 'integer'].includes(String(items.type)) && items.enum === undefined) problems.push(`${path}/items has type ${JSON.stringify(items.type)}`);
  });
  return problems;
}

export function oneOfProblems(spec: SchemaNode): string[] {
  const problems: string[] = [];
  walkSchema(spec, (node, path) => {
    if (!Array.isArray(node.oneOf)) return;
    const variants = node.oneOf as SchemaNode[];
    if (node.type !== 'object') problems.push(`${path}: the parent of oneOf has type ${JSON.stringify(node.type)}, not object`);
    const props = variants.map((v) => (v.properties && typeof v.properties === 'object' ? (v.properties as Record<string, SchemaNode>) : undefined));
    props.forEach((p, i) => {
      if (!p) problems.push(`${path}/oneOf/${i} has no properties`);
    });
    if (props.some((p) => !p) || props.length === 0) return;
    const common = Object.keys(props[0]!).filter((k) => props.every((p) => k in p!));
    const discriminators = common.filter((k) => props.every((p) => p![k].const !== undefined));
    if (discriminators.length !== 1) return void problems.push(`${path}: ${discriminators.length} common properties with const (${discriminators.join(', ')}); exactly one is needed`);
    props.forEach((p, i) => {
      const d = p![discriminators[0]];
      if (d.default !== undefined && d.default !== d.const) problems.push(`${path}/oneOf/${i}: default of ${discriminators[0]} differs from its const`);
      if (d.enum !== undefined && !(Array.isArray(d.enum) && d.enum.length === 1 && d.enum[0] === d.const)) problems.push(`${path}/oneOf/${i}: enum of ${discriminators[0]} is not [const]`);
    });
  });
  return problems;
}

export function defaultProblems(spec: SchemaNode): string[] {
  const ajv = new Ajv({ strict: false, logger: false });
  const problems: string[] = [];
  walkSchema(spec, (node, path) => {
    if (node.default === undefined || path === '') return;
    const validate = ajv.compile(node);
    if (!validate(node.default)) problems.push(`${path}: default ${JSON.stringify(node.default)} is invalid: ${ajv.errorsText(validate.errors)}`);
  });
  return problems;
}

export function uiProblems(spec: SchemaNode): string[] {
  const problems: string[] = [];
  walkSchema(spec, (node, path) => {
    if (Array.isArray(node.enum) && new Set(node.enum.map((v) => JSON.stringify(v))).size !== node.enum.length) problems.push(`${path}/enum has duplicates`);
    if (node.type === 'object' && path !== '' && node.oneOf === undefined && !(node.properties && Object.keys(node.properties).length)) problems.push(`${path} is an object without properties`);
    if (node.type === 'object' && node.properties && typeof node.properties === 'object') {
      const seen = new Map<string, string>();
      for (const [name, child] of Object.entries(node.properties as Record<string, SchemaNode>)) {
        if (child.order === undefined) continue;
        const slot = `${String(child.group ?? '')}:${String(child.order)}`;
        if (seen.has(slot)) problems.push(`${path}/properties: ${name} and ${seen.get(slot)} share order ${String(child.order)}`);
        seen.set(slot, name);
      }
    }
  });
  return problems;
}
