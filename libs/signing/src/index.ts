export {
  REPORT_ID_HEADER,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  type SignedRequest,
  signRequest,
  verifyRequest,
  type VerifyResult,
} from './signature.js';
export { generateWebhookSecret, signWebhook, WEBHOOK_SECRET_PREFIX, webhookHeaders } from './standard-webhooks.js';
