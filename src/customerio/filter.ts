/**
 * The Customer.io audience filter language (customers search and exports), validated before any
 * request so a typo becomes a config_error that points at the bad part instead of a 400 mid-sync.
 * Grammar: exactly one of and:[…], or:[…], not:{…}, segment:{id:int}, attribute:{field, operator, value?}.
 */
export const EVERYONE = { and: [{ attribute: { field: 'cio_id', operator: 'exists' } }] };

const OPERATORS = ['eq', 'exists'];

/** Deeper than any real audience: a filter nested thousands of levels would overflow the stack here and when sent. */
export const MAX_FILTER_DEPTH = 100;

/** Problems found in a filter, each naming where it is (`filter.and[1].attribute.value`), empty when valid. */
export function filterProblems(node: unknown, where = 'filter', depth = 0): string[] {
  if (depth > MAX_FILTER_DEPTH) return [`filter is nested more than ${MAX_FILTER_DEPTH} levels deep (at ${where.slice(0, 60)}…)`];
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    return [`${where} must be an object with exactly one of and, or, not, segment, attribute`];
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    return [`${where} must have exactly one of and, or, not, segment, attribute (found ${keys.length ? keys.join(', ') : 'none'})`];
  }
  const [key] = keys;
  const value = (node as Record<string, unknown>)[key];
  const at = `${where}.${key}`;
  switch (key) {
    case 'and':
    case 'or':
      if (!Array.isArray(value) || value.length === 0) return [`${at} must be a non-empty list of filters`];
      return value.flatMap((child, i) => filterProblems(child, `${at}[${i}]`, depth + 1));
    case 'not':
      return filterProblems(value, at, depth + 1);
    case 'segment': {
      const id = (value as Record<string, unknown> | null)?.id;
      return Number.isInteger(id) ? [] : [`${at}.id must be an integer segment id`];
    }
    case 'attribute': {
      if (value === null || typeof value !== 'object') return [`${at} must be an object {field, operator, value}`];
      const { field, operator, value: expected } = value as Record<string, unknown>;
      const problems: string[] = [];
      if (typeof field !== 'string' || field === '') problems.push(`${at}.field must be a non-empty string`);
      if (typeof operator !== 'string' || !OPERATORS.includes(operator)) {
        problems.push(`${at}.operator must be one of ${OPERATORS.join(', ')}`);
      }
      if (operator === 'eq' && (expected === undefined || expected === null)) problems.push(`${at}.value is required with operator eq`);
      return problems;
    }
    default:
      return [`${where} has unknown key "${key}" (expected and, or, not, segment or attribute)`];
  }
}
