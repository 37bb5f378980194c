import { GetObjectCommand, PutObjectCommand, type S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertKeyWithin } from './keys.js';

/** Presigned URLs never outlive this, whatever the caller asks. */
export const MAX_PRESIGN_SECONDS = 900;

export interface PresignedRequest {
  method: 'PUT' | 'GET';
  url: string;
  headers: Record<string, string>;
  expiresAt: Date;
}

function ttl(seconds: number): number {
  return Math.max(1, Math.min(seconds, MAX_PRESIGN_SECONDS));
}

/** A PUT bound to one key and content type, and to its exact length when `contentLength` is given. */
export async function presignPut(
  s3: S3Client,
  target: { bucket: string; key: string; within: string; contentType: string; contentLength?: number; tagging?: string },
  expiresInSeconds: number,
): Promise<PresignedRequest> {
  assertKeyWithin(target.key, target.within);
  const expiresIn = ttl(expiresInSeconds);
  // Tagging is hoisted into the signed query string: the uploader cannot leave the tag off.
  const command = new PutObjectCommand({
    Bucket: target.bucket,
    Key: target.key,
    ContentType: target.contentType,
    ContentLength: target.contentLength,
    Tagging: target.tagging,
  });
  const sized = target.contentLength !== undefined;
  const url = await getSignedUrl(s3, command, {
    expiresIn,
    signableHeaders: new Set(sized ? ['content-type', 'content-length'] : ['content-type']),
  });
  const headers: Record<string, string> = { 'Content-Type': target.contentType };
  if (sized) headers['Content-Length'] = String(target.contentLength);
  return { method: 'PUT', url, headers, expiresAt: new Date(Date.now() + expiresIn * 1000) };
}

export async function presignGet(
  s3: S3Client,
  target: { bucket: string; key: string; within: string; downloadName?: string },
  expiresInSeconds: number,
): Promise<PresignedRequest> {
  assertKeyWithin(target.key, target.within);
  const expiresIn = ttl(expiresInSeconds);
  const command = new GetObjectCommand({
    Bucket: target.bucket,
    Key: target.key,
    ResponseContentDisposition: target.downloadName ? attachmentDisposition(target.downloadName) : undefined,
  });
  const url = await getSignedUrl(s3, command, { expiresIn });
  return { method: 'GET', url, headers: {}, expiresAt: new Date(Date.now() + expiresIn * 1000) };
}

/** `attachment` with an ASCII fallback and the RFC 5987 UTF-8 name; quotes and path parts removed. */
export function attachmentDisposition(filename: string): string {
  const base = safeFilename(filename);
  const ascii = base.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

/** Keeps only the base name and drops control and path characters. */
export function safeFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/^\.+/, '')
    .trim();
  return cleaned.length > 0 ? cleaned.slice(0, 200) : 'file';
}

/** A title (not a path) made safe as a file name: reserved and control characters become "_". */
export function titleAsFilename(title: string): string {
  const cleaned = title
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[\\/:*?"<>|]/g, '_')
    .replace(/^\.+/, '')
    .trim();
  return cleaned.length > 0 ? cleaned.slice(0, 200) : 'download';
}

/** A PUT for one part of a multipart upload, inside `within`. */
export async function presignPartPut(
  s3: S3Client,
  /** The part's exact size is signed: S3 refuses a body of any other length (a part cannot grow to 5 GB). */
  target: { bucket: string; key: string; within: string; uploadId: string; partNumber: number; contentLength: number },
  expiresInSeconds: number,
): Promise<PresignedRequest> {
  assertKeyWithin(target.key, target.within);
  const expiresIn = ttl(expiresInSeconds);
  const command = new UploadPartCommand({
    Bucket: target.bucket,
    Key: target.key,
    UploadId: target.uploadId,
    PartNumber: target.partNumber,
    ContentLength: target.contentLength,
  });
  const url = await getSignedUrl(s3, command, { expiresIn, signableHeaders: new Set(['content-length']) });
  const headers: Record<string, string> = { 'Content-Length': String(target.contentLength) };
  return { method: 'PUT', url, headers, expiresAt: new Date(Date.now() + expiresIn * 1000) };
}
