import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-signature` carries
 * `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, one entry per secret that
 * currently signs, separated by spaces. Secrets are `whsec_<base64 key>`.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new signing secret: 32 random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret, 'base64');
}

/** One `v1,<signature>` entry. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const signature = createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${signature}`;
}

/** The three headers of one delivery attempt, signed with every secret given (rotation overlap). */
export function webhookHeaders(
  secrets: string[],
  id: string,
  body: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets.map((secret) => signWebhook(secret, id, timestampSeconds, body)).join(' '),
  };
}
