/**
 * CAT `discovery` at high strictness: one CATALOG of uniquely named streams whose schemas are valid
 * draft-07 without $ref/allOf/not, whose primary keys and cursors exist in their schemas (keys that are
 * not objects or arrays), `full_refresh` listed first; and the catalog files `npm run catalogs` writes still
 * equal what this discover derives.
 */
import { readFileSync } from 'node:fs';
import type { CliResult } from '../test/helpers/cli.js';
import { casesOf, repoPath } from './lib/config.js';
import { asFileText, catalogFiles, type DiscoveredStream } from './lib/catalogs.js';
import { cli, outputChecks } from './lib/run.js';
import { draft07Problems, keywordUses, typesOf, valuesOfKey, type SchemaNode } from './lib/schema.js';
import { additionalPropertiesProblems } from './lib/spec_rules.js';
import { Suite } from './lib/suite.js';

const suite = new Suite();
beforeAll(() => suite.start(), 30_000);
afterAll(() => suite.stop());

const { cases, bypass } = casesOf('discovery');

/** The schema node at a field path (`['a', 'b']` → properties.a.properties.b), or undefined. */
function fieldSchema(schema: SchemaNode, path: string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema;
  for (const part of path) {
    const props = node?.properties as Record<string, SchemaNode> | undefined;
    node = props && typeof props === 'object' ? props[part] : undefined;
  }
  return node;
}

/** One line per stream that breaks `rule`. */
function perStream(streams: DiscoveredStream[], rule: (s: DiscoveredStream) => string[]): string[] {
  return streams.flatMap((s) => rule(s).map((p) => `${s.name}: ${p}`));
}

describe.each(cases.map((c, i) => [i, c] as const))('discover #%i', (_i, testCase) => {
  let result: CliResult;
  let streams: DiscoveredStream[];

  beforeAll(async () => {
    result = await cli(['discover'], { config: suite.config(testCase) });
    streams = (result.ofType('CATALOG')[0]?.catalog?.streams ?? []) as DiscoveredStream[];
  }, 30_000);

  it('prints exactly one CATALOG with streams and exits 0', () => {
    expect(result.exitCode).toBe(0);
    expect(result.ofType('CATALOG')).toHaveLength(1);
    expect(streams.length).toBeGreaterThan(0);
  });

  it('names every stream once', () => {
    const names = streams.map((s) => s.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('gives every stream a valid draft-07 object schema', () => {
    expect(perStream(streams, (s) => [...draft07Problems(s.json_schema), ...(typesOf(s.json_schema).includes('object') ? [] : ['schema is not of type object'])])).toEqual([]);
  });

  it('uses no $ref, allOf or not in any stream schema', () => {
    expect(perStream(streams, (s) => [...valuesOfKey(s.json_schema, '$ref').map((r) => `${r.path} is used`), ...keywordUses(s.json_schema, ['allOf', 'not']).map((p) => `${p} is used`)])).toEqual([]);
  });

  it('sets additionalProperties, where set, to true (except in streams declared with a reason)', () => {
    const declared = new Map((testCase.additional_properties_schemas ?? []).map((d) => [d.name, d.bypass_reason]));
    const problems = perStream(streams, (s) =>
      additionalPropertiesProblems(s.json_schema).filter((p) => {
        // A declared stream may type the values of a map with a schema, never close an object with false.
        if (!declared.has(s.name)) return true;
        return / is false, not true$/.test(p);
      }),
    );
    for (const [name, reason] of declared) {
      if (!streams.some((s) => s.name === name)) problems.push(`additional_properties_schemas names ${name}, which discover does not return`);
      if (!reason?.trim()) problems.push(`additional_properties_schemas: ${name} has no bypass_reason`);
    }
    expect(problems).toEqual([]);
  });

  it('finds every primary-key field in its schema, and none is an object or an array', () => {
    expect(
      perStream(streams, (s) =>
        (s.source_defined_primary_key ?? []).flatMap((path) => {
          const node = fieldSchema(s.json_schema, path);
          if (!node) return [`primary key ${path.join('.')} is not in the schema`];
          const bad = typesOf(node).filter((t) => t === 'object' || t === 'array');
          return testCase.validate_primary_keys_data_type !== false && bad.length ? [`primary key ${path.join('.')} has type ${bad.join('/')}`] : [];
        }),
      ),
    ).toEqual([]);
  });

  it('finds every cursor field in its schema, and every incremental stream has a source-defined cursor', () => {
    expect(
      perStream(streams, (s) => {
        const problems: string[] = [];
        if (s.default_cursor_field && !fieldSchema(s.json_schema, s.default_cursor_field)) problems.push(`cursor ${s.default_cursor_field.join('.')} is not in the schema`);
        if (s.supported_sync_modes.includes('incremental') && !(s.source_defined_cursor && s.default_cursor_field?.length)) problems.push('offers incremental without source_defined_cursor and default_cursor_field');
        return problems;
      }),
    ).toEqual([]);
  });

  it('lists full_refresh first in supported_sync_modes, and no other mode than incremental after it', () => {
    expect(
      perStream(streams, (s) => {
        const modes = s.supported_sync_modes ?? [];
        if (modes[0] !== 'full_refresh') return [`supported_sync_modes is ${JSON.stringify(modes)}; full_refresh must come first`];
        const unknown = modes.slice(1).filter((m) => m !== 'incremental');
        return unknown.length || new Set(modes).size !== modes.length ? [`supported_sync_modes is ${JSON.stringify(modes)}`] : [];
      }),
    ).toEqual([]);
  });

  if (_i === 0) {
    it('equals the catalog files npm run catalogs wrote (catalog/ and integration_tests/)', () => {
      const stale: string[] = [];
      for (const [path, catalog] of Object.entries(catalogFiles(streams))) {
        let onDisk: string;
        try {
          onDisk = readFileSync(repoPath(path), 'utf8');
        } catch {
          stale.push(`${path} is missing; run npm run catalogs`);
          continue;
        }
        if (onDisk !== asFileText(catalog)) {
          const old = new Map((JSON.parse(onDisk) as { streams: Array<{ stream: { name: string } }> }).streams.map((s) => [s.stream.name, JSON.stringify(s)]));
          const wanted = new Map(catalog.streams.map((s) => [s.stream.name, JSON.stringify(s)]));
          const added = [...wanted.keys()].filter((n) => !old.has(n));
          const removed = [...old.keys()].filter((n) => !wanted.has(n));
          const changed = [...wanted].filter(([n, text]) => old.has(n) && old.get(n) !== text).map(([n]) => n);
          stale.push(`${path} is stale (added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'}; changed: ${changed.join(', ') || 'order only'}); run npm run catalogs`);
        }
      }
      expect(stale).toEqual([]);
    });
  }
});

if (bypass) it(`discovery is bypassed: ${bypass}`, () => expect(bypass).toBeTruthy());

outputChecks(() => suite.keys());
