import crypto from 'node:crypto';

let installed = false;

/**
 * s3rver encrypts list continuation tokens with single DES, which OpenSSL 3 no longer offers.
 * Triple DES with the key repeated three times is mathematically single DES, so tokens stay
 * compatible. Only the exact algorithm name 'des' is rewritten.
 */
export function installDesShim(): void {
  if (installed) return;
  installed = true;
  const createCipheriv = crypto.createCipheriv;
  const createDecipheriv = crypto.createDecipheriv;
  const widen = (key: crypto.CipherKey) => Buffer.concat([key as Buffer, key as Buffer, key as Buffer]);
  Object.assign(crypto, {
    createCipheriv: (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, options?: unknown) =>
      algorithm === 'des' ? createCipheriv('des-ede3-cbc', widen(key), iv) : createCipheriv(algorithm, key, iv, options as never),
    createDecipheriv: (algorithm: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, options?: unknown) =>
      algorithm === 'des' ? createDecipheriv('des-ede3-cbc', widen(key), iv) : createDecipheriv(algorithm, key, iv, options as never),
  });
}
