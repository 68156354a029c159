/**
 * Validation of everything the connector prints against the official Airbyte protocol schema
 * (vendored in test/vendor/airbyte-protocol), plus the rule the schema cannot express:
 * a message carries the field its `type` names.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';

/** The official schema, vendored in test/vendor/airbyte-protocol (MIT; source and commit in its README). */
const PROTOCOL_SCHEMA = join(dirname(fileURLToPath(import.meta.url)), '..', 'vendor', 'airbyte-protocol', 'airbyte_protocol.json');

const schemaDocument = JSON.parse(readFileSync(PROTOCOL_SCHEMA, 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('uri', (text: string) => {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
});
ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)));
ajv.addSchema({ ...schemaDocument, $id: 'airbyte_protocol' });
const validateAirbyteMessage = ajv.getSchema('airbyte_protocol#/definitions/AirbyteMessage')!;

const FIELD_OF_TYPE: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
};

/** Why a message breaks the protocol, or undefined when it keeps it. */
export function protocolProblem(message: unknown): string | undefined {
  if (!validateAirbyteMessage(message)) {
    return ajv.errorsText(validateAirbyteMessage.errors, { dataVar: 'message' });
  }
  const m = message as Record<string, unknown>;
  const field = FIELD_OF_TYPE[m.type as string];
  if (field && (m[field] === undefined || m[field] === null)) return `message of type ${String(m.type)} has no "${field}" field`;
  return undefined;
}

/** Parses stdout: every non-empty line must be one JSON object that keeps the protocol. Throws naming the line. */
export function parseProtocolLines(stdout: string): Array<Record<string, unknown>> {
  const messages: Array<Record<string, unknown>> = [];
  stdout.split('\n').forEach((line, i) => {
    if (line === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      throw new Error(`stdout line ${i + 1} is not a JSON object: ${line.slice(0, 200)}`);
    }
    const problem = protocolProblem(message);
    if (problem) throw new Error(`stdout line ${i + 1} breaks the Airbyte protocol (${problem}): ${line.slice(0, 300)}`);
    messages.push(message as Record<string, unknown>);
  });
  return messages;
}

/** Jest-friendly: fails with the first message that breaks the protocol. */
export function expectValidMessages(messages: unknown[]): void {
  messages.forEach((message, i) => {
    const problem = protocolProblem(message);
    if (problem) throw new Error(`message ${i} breaks the Airbyte protocol (${problem}): ${JSON.stringify(message).slice(0, 300)}`);
  });
}
