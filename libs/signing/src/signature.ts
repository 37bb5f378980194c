import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>` (Stripe's webhook scheme). */
export const SIGNATURE_HEADER = 'x-revela-signature';

/** Header carrying the report's own id (a UUID), signed too; the API accepts each id once. */
export const REPORT_ID_HEADER = 'x-revela-report-id';

/** Signatures older (or further in the future) than this are refused; report ids are remembered at least this long. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const SCHEME = 'v1';
const DIGEST_BYTES = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What a signature binds: the request line (method, and the path with the photo id and any query)
 * and the report id as well as the exact body. A captured report therefore cannot be replayed
 * against another photo (another path), and not twice (the id).
 */
export interface SignedRequest {
  method: string;
  path: string;
  reportId: string;
  body: string | Buffer;
}

function digest(key: string, timestamp: number, request: SignedRequest): Buffer {
  return createHmac('sha256', key)
    .update(`${timestamp}.${request.reportId}.${request.method.toUpperCase()}.${request.path}.`)
    .update(request.body)
    .digest();
}

/** The signature header for `request`, signed at `timestamp` (unix seconds, now by default). */
export function signRequest(key: string, request: SignedRequest, timestamp = Math.floor(Date.now() / 1000)): string {
  if (!UUID.test(request.reportId)) throw new Error('signRequest: the report id must be a UUID');
  return `t=${timestamp},${SCHEME}=${digest(key, timestamp, request).toString('hex')}`;
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
 * Checks a signature header against the request as received (method, path, report id, exact body
 * bytes). Every candidate is compared in constant time; the reason is for logs and problem
 * details, never the expected value. Whether the report id was seen before is the caller's check.
 */
export function verifyRequest(
  key: string,
  header: string | undefined,
  request: Omit<SignedRequest, 'reportId'> & { reportId: string | undefined },
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): VerifyResult {
  if (!header) return { ok: false, reason: 'signature header is missing' };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'signature header is malformed' };
  if (!request.reportId || !UUID.test(request.reportId)) return { ok: false, reason: 'report id header is missing or not a UUID' };
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(now - parsed.timestamp) > tolerance) return { ok: false, reason: 'signature timestamp is outside the tolerance' };
  const expected = digest(key, parsed.timestamp, { ...request, reportId: request.reportId });
  let matched = false;
  for (const candidate of parsed.signatures) matched = timingSafeEqual(candidate, expected) || matched;
  return matched ? { ok: true, timestamp: parsed.timestamp } : { ok: false, reason: 'signature does not match' };
}
