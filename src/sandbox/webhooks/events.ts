/**
 * The reporting-webhook events the sandbox's deliveries make, in the shapes of Customer.io's webhook payloads
 * (../shared/customerio-api/reporting-webhooks.md §4–6): one event per metric of a delivery, dated when that metric
 * happened, with the delivery's person, origin (campaign, newsletter, broadcast or transactional message) and
 * channel fields. So what the webhook sends agrees with what /v1/messages shows as the clock moves.
 */
import { knownMetric } from '../../webhooks/contract.js';
import type { DeliveryStream } from '../data/deliveries.js';
import { hash, tagOf, ulidLike } from '../hash.js';

/** The object_type of a delivery type (Twilio SMS reports as sms; live notifications are in-app messages [inferred]). */
const OBJECT_TYPE: Record<string, string> = {
  email: 'email', push: 'push', in_app: 'in_app', twilio: 'sms', whatsapp: 'whatsapp', slack: 'slack', webhook: 'webhook', live_notification: 'in_app',
};

/** Delivery metrics that are webhook metrics (the API's human_/prefetch_ variants are not events of their own). */
const METRICS = ['drafted', 'sent', 'delivered', 'opened', 'clicked', 'converted', 'bounced', 'failed', 'unsubscribed', 'spammed'];

export interface WebhookEvent {
  event_id: string;
  object_type: string;
  metric: string;
  timestamp: number;
  data: Record<string, unknown>;
}

export interface EventOptions {
  /** Body Content: `content` on sent events (email also `headers`). */
  withContent?: boolean;
}

const CONTENT_TYPES = new Set(['sent']);

/** The events of delivery `k` of `stream` whose metric happened in (from, to], oldest first. */
export function deliveryEvents(stream: DeliveryStream, k: number, from: number, to: number, options: EventOptions = {}): WebhookEvent[] {
  const metrics = stream.metrics(k, to);
  const due = METRICS.filter((metric) => metrics[metric] !== undefined && metrics[metric] > from && metrics[metric] <= to);
  if (due.length === 0) return [];
  const objectType = OBJECT_TYPE[stream.type(k)];
  if (!objectType) return [];
  const record = stream.record(k, to);
  const salt = hash(tagOf(stream.name), tagOf('webhook-event'));
  const events: WebhookEvent[] = [];
  for (const metric of due) {
    if (!knownMetric(objectType, metric)) continue;
    const timestamp = metrics[metric];
    events.push({
      event_id: ulidLike(timestamp, k * 16 + METRICS.indexOf(metric), salt),
      object_type: objectType,
      metric,
      timestamp,
      data: dataOf(record, objectType, metric, metrics, options),
    });
  }
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

function dataOf(record: Record<string, unknown>, objectType: string, metric: string, metrics: Record<string, number>, options: EventOptions): Record<string, unknown> {
  const identifiers = record.customer_identifiers as Record<string, unknown>;
  const data: Record<string, unknown> = {
    identifiers,
    // Deprecated, blank when the person was deleted [vendor `customer_id`].
    customer_id: identifiers.id ?? '',
    delivery_id: record.id,
    ...originOf(record),
  };
  const id = String(record.id);
  if (objectType === 'push') {
    data.recipients = [{ device_id: `device-${id.slice(0, 8)}`, device_platform: hash(id.length, tagOf(id)) % 2 ? 'ios' : 'android' }];
  } else if (metric !== 'drafted' && metric !== 'failed') {
    data.recipient = record.recipient;
  }
  if (objectType === 'email' && metric !== 'failed') data.subject = record.subject;
  if (metric === 'clicked') {
    data.href = `https://example.com/offer/${id.slice(0, 6)}`;
    data.link_id = 1 + (hash(tagOf(id)) % 20);
  }
  if (metric === 'opened' && objectType === 'email') data.prefetched = metrics.prefetch_opened !== undefined;
  if (metric === 'bounced') data.failure_message = '550 5.1.1 The email account that you tried to reach does not exist';
  if (metric === 'failed') data.failure_message = record.failure_message ?? 'Recipient mailbox unavailable';
  if (options.withContent && CONTENT_TYPES.has(metric)) {
    data.content = objectType === 'email' ? `<html><body><h1>${String(record.subject)}</h1><p>Hello!</p></body></html>` : JSON.stringify({ message: 'Hello!' });
    if (objectType === 'email') data.headers = { 'X-Mailer': ['customer.io'] };
  }
  return data;
}

/** The origin fields of a delivery, as the webhook shapes them (campaign, newsletter, broadcast or transactional). */
function originOf(record: Record<string, unknown>): Record<string, unknown> {
  if (record.transactional_id !== null) return { transactional_message_id: record.transactional_id };
  if (record.campaign_id !== null) {
    return { campaign_id: record.campaign_id, action_id: record.action_id, journey_id: ulidLike(Number(record.created), Number(record.campaign_id), 77), trigger_event_id: null };
  }
  if (record.newsletter_id !== null) return { newsletter_id: record.newsletter_id, content_id: record.content_id };
  if (record.broadcast_id !== null) return { broadcast_id: record.broadcast_id, action_id: record.action_id, trigger_id: 1 + (Number(record.broadcast_id) % 7) };
  return {};
}
