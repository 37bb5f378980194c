import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^(rvl_[0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedApiKey {
  /** Shown to the client exactly once. */
  key: string;
  prefix: string;
  secretHash: Buffer;
}

/**
 * `rvl_<16 hex lookup id>_<32 random bytes, base64url>`. The lookup id finds the row; the secret
 * part is 256 bits of entropy, so a plain SHA-256 is a safe stored form (no slow KDF needed).
 */
export function issueApiKey(): IssuedApiKey {
  const prefix = `rvl_${randomBytes(8).toString('hex')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, secretHash: hashApiKey(key) };
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** The lookup prefix of a well-formed key, or undefined for anything else. */
export function apiKeyPrefix(token: string): string | undefined {
  return KEY_PATTERN.exec(token)?.[1];
}

export function apiKeyMatches(token: string, storedHash: Buffer): boolean {
  const candidate = hashApiKey(token);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(hashApiKey(a), hashApiKey(b));
}
