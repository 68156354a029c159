/**
 * The `data` keys an activity of a given type is known to carry, as the `data_<key>` properties of its
 * `activities_<type>` stream (activity_parsing: per_type). Declared keys become typed columns in a
 * destination; every other key still reaches it (the schema allows more; `sync` keeps them in its catch-all
 * column), so a key missing here costs a column, never a value.
 *
 * Sources: Customer.io's OpenAPI `activityObject` documents one shape of `data` for message activities,
 * `{delivery_id: string, delivered: unix seconds | null, opened: boolean | null}`, and says an attribute
 * change's keys are the names of the attributes that changed (unknowable in advance, like an event's own
 * properties). The rest is [inferred] from our model of the API (src/sandbox/data/activities.ts): a message
 * activity carries the time of its own verb (`sent`, `clicked`…), failures a `failure_message`, merges the
 * merged person's cio_id, device changes the device's platform and token. Where only the model speaks, the
 * declared type also admits the other plausible reading (a boolean for a verb, as the OpenAPI types `opened`),
 * so that a value of the other reading is kept, never nulled by the schema check.
 */
import { hasOwn } from '../../engine/own.js';
import type { JsonObject } from '../../protocol/messages.js';
import { idString } from '../people.js';
import { toInteger } from './support.js';

/** Delivery channels in message activity types (`<verb>_<channel>`), longest first so `in_app` wins over a bare `app`. */
const CHANNELS = ['live_notification', 'in_app', 'whatsapp', 'webhook', 'twilio', 'action', 'email', 'slack', 'push', 'sms'];

/** Verbs whose data [inferred] carries a reason the message did not go out. */
const FAILURE_VERBS = new Set(['failed', 'bounced', 'dropped', 'undeliverable', 'suppressed']);

const STRING = { type: ['string', 'null'] };
const UNIX_SECONDS = { type: ['integer', 'null'], description: 'Unix seconds.' };
/** A verb's value: unix seconds in our model [inferred], a flag in the OpenAPI's reading of `opened`. */
const VERB = { type: ['integer', 'boolean', 'null'], description: 'Unix seconds when it happened (a boolean in some answers).' };

/** `{verb, channel}` of a message activity type (`clicked_email` → clicked, email), else undefined. */
export function messageActivity(type: string): { verb: string; channel: string } | undefined {
  const lower = type.toLowerCase();
  for (const channel of CHANNELS) {
    const verb = lower.slice(0, -channel.length - 1);
    if (lower.endsWith(`_${channel}`) && /^[a-z][a-z_]*$/.test(verb)) return { verb, channel };
  }
  return undefined;
}

/** The `data` keys (without the `data_` prefix) known for an activity type, with their JSON schemas. */
export function knownDataKeys(type: string): Record<string, JsonObject> {
  const lower = type.toLowerCase();
  const message = messageActivity(lower);
  if (message) {
    return {
      delivery_id: STRING,
      delivered: UNIX_SECONDS,
      opened: VERB,
      ...(message.verb === 'delivered' ? {} : { [message.verb]: VERB }),
      ...(FAILURE_VERBS.has(message.verb) ? { failure_message: STRING } : {}),
    };
  }
  if (lower === 'profile_merge') return { merged_cio_id: STRING };
  if (lower === 'device_change') return { platform: STRING, token: STRING };
  // attribute_change (keys are attribute names), event, page, screen, webhook_event (the sender's own
  // properties), profile_create, profile_delete and types we do not know: nothing can be declared.
  return {};
}

/** The `data_<key>` properties of an `activities_<type>` stream. */
export function dataProperties(type: string): Record<string, JsonObject> {
  return Object.fromEntries(Object.entries(knownDataKeys(type)).map(([key, schema]) => [`data_${key}`, schema]));
}

/**
 * Known keys with one type each, as the declared schema wants them: ids as strings, times sent as numeric text
 * as integers. Anything else is left as it came (the schema check decides, and says so).
 */
export function normalizeData(type: string, data: JsonObject): JsonObject {
  const known = knownDataKeys(type);
  const out: JsonObject = { ...data };
  for (const [key, schema] of Object.entries(known)) {
    if (!hasOwn(out, key)) continue;
    if (schema === STRING && typeof out[key] === 'number') out[key] = idString(out[key]);
    else if (schema === UNIX_SECONDS || schema === VERB) out[key] = toInteger(out[key]);
  }
  return out;
}
