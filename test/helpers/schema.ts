/** One Ajv set-up for checking records against stream schemas in tests: draft-07, all errors, `date-time` known. */
import { Ajv } from 'ajv';

export function newSchemaAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (text: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text)));
  return ajv;
}
