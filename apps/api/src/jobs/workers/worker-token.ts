import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PATTERN = /^rvw_[A-Za-z0-9_-]{43}$/;

/** A worker's bearer token: 256 random bits, so a plain SHA-256 is a safe stored form. */
export function issueWorkerToken(): { token: string; hash: Buffer } {
  const token = `rvw_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashWorkerToken(token) };
}

export function hashWorkerToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function isWorkerTokenShape(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}
