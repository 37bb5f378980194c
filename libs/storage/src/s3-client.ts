import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientSettings {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

/**
 * One factory for every S3 client in Revela. Checksums only when required: otherwise streamed
 * uploads to S3-compatible servers are stored with chunk signatures inside, and presigned PUTs
 * would demand a checksum header browsers do not send.
 */
export function createS3Client(settings: S3ClientSettings): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(settings.endpoint && isLoopback(settings.endpoint) ? { credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } : {}),
  });
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}
