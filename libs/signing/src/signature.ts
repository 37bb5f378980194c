import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>` (Stripe's webhook scheme). */
export const SIGNATURE_HEADER = 'x-revela-signature';

/** Signatures older (or further in the future) than this are refused: replay protection. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const SCHEME = 'v1';
const DIGEST_BYTES = 32;

function digest(key: string, timestamp: number, body: string | Buffer): Buffer {
  return createHmac('sha256', key).update(`${timestamp}.`).update(body).digest();
}

/** The header value for `body`, signed at `timestamp` (unix seconds, now by default). */
export function signBody(key: string, body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},${SCHEME}=${digest(key, timestamp, body).toString('hex')}`;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/** Parses `t=…,v1=…[,v1=…]`; several v1 entries allow a key rotation on the signing side. */
function parseHeader(header: string): { timestamp: number; signatures: Buffer[] } | undefined {
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [name, value, ...rest] = part.trim().split('=');
    if (rest.length > 0 || value === undefined) return undefined;
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return undefined;
      timestamp = Number(value);
    } else if (name === SCHEME) {
      if (!/^[0-9a-f]+$/i.test(value) || value.length !== DIGEST_BYTES * 2) return undefined;
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/**
 * Checks a signature header against the exact bytes received. Every candidate is compared in
 * constant time; the reason is for logs and problem details, never the expected value.
 */
export function verifySignature(
  key: string,
  header: string | undefined,
  rawBody: string | Buffer,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): VerifyResult {
  if (!header) return { ok: false, reason: 'signature header is missing' };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'signature header is malformed' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(now - parsed.timestamp) > tolerance) return { ok: false, reason: 'signature timestamp is outside the tolerance' };
  const expected = digest(key, parsed.timestamp, rawBody);
  let matched = false;
  for (const candidate of parsed.signatures) matched = timingSafeEqual(candidate, expected) || matched;
  return matched ? { ok: true, timestamp: parsed.timestamp } : { ok: false, reason: 'signature does not match' };
}
