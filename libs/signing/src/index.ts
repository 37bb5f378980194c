export { SIGNATURE_HEADER, SIGNATURE_TOLERANCE_SECONDS, signBody, verifySignature, type VerifyResult } from './signature.js';
export { generateWebhookSecret, signWebhook, WEBHOOK_SECRET_PREFIX, webhookHeaders } from './standard-webhooks.js';
