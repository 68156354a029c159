/**
 * Checks records printed by the built CLI against the JSON schemas its own `discover` prints, so the
 * sandbox's shapes (the API's documented variants) are held to the same schemas as the nock fixtures.
 */
import { sandboxClockEnv, sandboxesIn } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { newSchemaAjv } from '../helpers/schema.js';

const ajv = newSchemaAjv();
// ISO-8601 with a time and an offset (or Z), as the metrics streams' period_start.
ajv.addFormat('date-time', (text: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text)));

/** discover asks nothing of time, but runs, as every run against a sandbox, on the clock of the one its config names. */
function discover(config: Record<string, unknown>) {
  const [sandbox] = sandboxesIn(config);
  return runCli(['discover'], { config }, { env: sandbox ? sandboxClockEnv(sandbox) : {} });
}

/** Fails naming the first record of `stream` that breaks the schema discover gives for it. */
export async function expectRecordsMatchDiscoveredSchema(config: Record<string, unknown>, stream: string, records: Array<Record<string, unknown>>): Promise<void> {
  const discovered = await discover(config);
  const entry = discovered.ofType('CATALOG')[0].catalog.streams.find((s: { name: string }) => s.name === stream);
  if (!entry) throw new Error(`discover does not list ${stream}`);
  const validate = ajv.compile(entry.json_schema);
  for (const record of records) {
    if (!validate(record)) throw new Error(`${stream} record breaks its schema (${ajv.errorsText(validate.errors)}): ${JSON.stringify(record).slice(0, 500)}`);
  }
}

/** The same check for several streams with one `discover`: each stream's records (`recordsOf`) against its schema. */
export async function expectStreamsMatchDiscoveredSchemas(config: Record<string, unknown>, streams: string[], recordsOf: (stream: string) => Array<Record<string, unknown>>): Promise<void> {
  const discovered = await discover(config);
  const entries = discovered.ofType('CATALOG')[0].catalog.streams as Array<{ name: string; json_schema: object }>;
  for (const stream of streams) {
    const entry = entries.find((s) => s.name === stream);
    if (!entry) throw new Error(`discover does not list ${stream}`);
    const validate = ajv.compile(entry.json_schema);
    for (const record of recordsOf(stream)) {
      if (!validate(record)) throw new Error(`${stream} record breaks its schema (${ajv.errorsText(validate.errors)}): ${JSON.stringify(record).slice(0, 500)}`);
    }
  }
}
