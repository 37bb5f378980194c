/** The events a tenant can subscribe an endpoint to. */
export const WEBHOOK_EVENT_TYPES = [
  'photo.ready',
  'photo.failed',
  'job.completed',
  'job.completed_with_errors',
  'job.failed',
  'job.canceled',
  'file.failed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent by `POST /v1/webhook-endpoints/{id}/test` to that endpoint only, whatever it subscribes to. */
export const TEST_EVENT_TYPE = 'webhook.test';
