/**
 * What Customer.io's reporting webhooks send, as the receiver and the stream know it
 * (../shared/customerio-api/reporting-webhooks.md, from the vendor's OpenAPI `webhooks` file): eight object types
 * and the metrics each can carry (69 pairs with a payload schema), plus the four events selectable in the webhook's
 * settings that have no schema (`email_deferred`, `sms_dropped`, `slack_converted`, `webhook_converted`).
 *
 * Knowing them only flags what is new: an event of an object type or metric not listed here is stored and read like
 * any other (refusing it would stall every later event of the workspace for an hour or more), with a flag saying so.
 */

export const OBJECT_TYPES = ['customer', 'email', 'push', 'in_app', 'sms', 'whatsapp', 'slack', 'webhook'] as const;

const FAILURES = ['attempted', 'failed', 'undeliverable'];
const SMS = ['drafted', ...FAILURES, 'sent', 'delivered', 'converted', 'clicked', 'bounced', 'replied'];

/** Metrics per object type with a payload schema in the vendor's file (69 pairs). */
export const METRICS: Readonly<Record<(typeof OBJECT_TYPES)[number], readonly string[]>> = {
  customer: ['subscribed', 'unsubscribed', 'cio_subscription_preferences_changed'],
  email: ['drafted', 'sent', 'delivered', 'converted', 'unsubscribed', 'spammed', 'attempted', 'bounced', 'dropped', 'undeliverable', 'failed', 'opened', 'clicked'],
  push: ['drafted', ...FAILURES, 'sent', 'delivered', 'opened', 'converted', 'clicked', 'bounced', 'dropped'],
  in_app: ['drafted', 'opened', ...FAILURES, 'sent', 'converted', 'clicked'],
  sms: SMS,
  whatsapp: [...SMS, 'opened', 'dropped'],
  slack: ['drafted', ...FAILURES, 'sent', 'clicked'],
  webhook: ['drafted', ...FAILURES, 'sent', 'clicked'],
};

/** Selectable in the webhook's settings, but without a payload schema in the vendor's file. */
export const SCHEMALESS: Readonly<Record<string, readonly string[]>> = {
  email: ['deferred'],
  sms: ['dropped'],
  slack: ['converted'],
  webhook: ['converted'],
};

/**
 * Metrics a person's subscription change carries: `object_type` is `customer`, or the channel of the message that
 * caused the change (an unsubscribe link in an email arrives as `email`) [vendor `customer_event_common`].
 */
const PERSON_METRICS = new Set(METRICS.customer);

export function knownObjectType(objectType: unknown): boolean {
  return typeof objectType === 'string' && (OBJECT_TYPES as readonly string[]).includes(objectType);
}

/** Whether `metric` is one Customer.io documents for `objectType` (the object type itself known). */
export function knownMetric(objectType: string, metric: unknown): boolean {
  if (typeof metric !== 'string') return false;
  if (PERSON_METRICS.has(metric)) return true;
  return (METRICS[objectType as keyof typeof METRICS] ?? []).includes(metric) || (SCHEMALESS[objectType] ?? []).includes(metric);
}
