/**
 * CAT `spec` at high strictness: the SPEC message equals spec.json, is valid draft-07, marks secrets, uses
 * only the JSON Schema the Airbyte UI renders, and the image's labels and entrypoint agree with
 * metadata.yaml. No API is needed.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { casesOf, readRepoJson, repoPath, configOf } from './lib/config.js';
import { cli, outputChecks } from './lib/run.js';
import { draft07Problems, type SchemaNode } from './lib/schema.js';
import {
  FORBIDDEN,
  additionalPropertiesProblems,
  arrayItemsProblems,
  defaultProblems,
  forbiddenKeywordProblems,
  oneOfProblems,
  properties,
  secretProblems,
  typeProblems,
  uiProblems,
} from './lib/spec_rules.js';
import { parseDockerfile } from './lib/dockerfile.js';
import type { CliResult } from '../test/helpers/cli.js';

const { cases, bypass } = casesOf('spec');

describe.each(cases.map((c) => [c.spec_path, c] as const))('spec (%s)', (_name, testCase) => {
  let result: CliResult;
  let spec: SchemaNode;

  beforeAll(async () => {
    result = await cli(['spec']);
    spec = result.ofType('SPEC')[0]?.spec?.connectionSpecification;
  });

  it('prints exactly one SPEC message and exits 0', () => {
    expect(result.exitCode).toBe(0);
    expect(result.messages.map((m) => m.type)).toEqual(['SPEC']);
  });

  it(`equals ${testCase.spec_path}`, () => {
    expect(spec).toEqual(readRepoJson(testCase.spec_path));
  });

  it('is a valid draft-07 JSON schema of an object', () => {
    expect(draft07Problems(spec)).toEqual([]);
    expect(spec.type).toBe('object');
  });

  it('marks every field that may hold a secret airbyte_secret, and only those', () => {
    expect(secretProblems(spec)).toEqual([]);
    // The App API key is the one secret this connector has.
    expect(properties(spec).filter((p) => p.node.airbyte_secret === true).map((p) => p.name)).toContain('app_api_key');
  });

  it(`uses none of ${FORBIDDEN.join(', ')}`, () => {
    expect(forbiddenKeywordProblems(spec)).toEqual([]);
  });

  it('sets additionalProperties, where set, to true', () => {
    expect(additionalPropertiesProblems(spec)).toEqual([]);
  });

  it('gives every field one type, or one type and "null"', () => {
    expect(typeProblems(spec)).toEqual([]);
  });

  it('gives every array one items schema: an object, a string, a number or an enum', () => {
    expect(arrayItemsProblems(spec)).toEqual([]);
  });

  it('builds every oneOf group as CAT requires: an object parent, variants with properties, one common const discriminator', () => {
    expect(oneOfProblems(spec)).toEqual([]);
  });

  it('has defaults that validate against their own field', () => {
    expect(defaultProblems(spec)).toEqual([]);
  });

  it('has distinct enum values, distinct field orders and no empty objects', () => {
    expect(uiProblems(spec)).toEqual([]);
  });

  if (testCase.config_path) {
    it(`accepts ${testCase.config_path} (CAT test_config_match_spec)`, () => {
      const validate = new Ajv({ strict: false, logger: false }).compile(spec);
      const config = configOf({ config_path: testCase.config_path! }, { SANDBOX_URL: 'http://127.0.0.1:1/v1', SANDBOX_REGION_URL: 'http://127.0.0.1:1/{region}/v1', UNREACHABLE_URL: 'http://127.0.0.1:1/v1' });
      expect(validate(config) ? [] : validate.errors).toEqual([]);
    });
  }

  describe('the image (Dockerfile) and metadata.yaml', () => {
    const docker = parseDockerfile(readFileSync(repoPath(testCase.dockerfile_path ?? 'Dockerfile'), 'utf8'));
    const metadata = parseYaml(readFileSync(repoPath(testCase.metadata_path ?? 'metadata.yaml'), 'utf8')) as { data: Record<string, any> };

    it('labels io.airbyte.name and io.airbyte.version equal dockerRepository and dockerImageTag', () => {
      expect({ name: docker.labels['io.airbyte.name'], version: docker.labels['io.airbyte.version'] }).toEqual({
        name: metadata.data.dockerRepository,
        version: metadata.data.dockerImageTag,
      });
      expect(metadata.data.dockerImageTag).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('sets AIRBYTE_ENTRYPOINT to its ENTRYPOINT joined by spaces', () => {
      expect(docker.entrypoint?.length).toBeGreaterThan(0);
      expect(docker.env.AIRBYTE_ENTRYPOINT).toBe(docker.entrypoint!.join(' '));
    });

    it('declares a source of type api whose allowedHosts are the two Customer.io API hosts', () => {
      expect(metadata.data.connectorType).toBe('source');
      expect(metadata.data.allowedHosts?.hosts).toEqual(expect.arrayContaining(['api.customer.io', 'api-eu.customer.io']));
      expect(metadata.data.dockerRepository).toMatch(/source-customer-io$/);
    });
  });
});

if (bypass) it(`spec is bypassed: ${bypass}`, () => expect(bypass).toBeTruthy());

// spec needs no config: the key it could leak is the sample config's.
outputChecks(() => ['sandbox-us-key', 'sandbox-eu-key']);
