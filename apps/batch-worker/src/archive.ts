import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ZipArchive } from 'archiver';
import type { ArchiveClaim } from '#database';
import { keys, safeFilename } from '#storage';

/** ZIP entry names: original base name (no extension, no path) + variant, unique within the archive. */
export function archiveEntryNames(files: ArchiveClaim['files']): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const file of files) {
    const base = safeFilename(file.filename).replace(/\.[^.]*$/, '') || 'file';
    for (const output of file.outputs) {
      let name = `${base}_${output.variant}.${output.extension}`;
      for (let n = 2; used.has(name.toLowerCase()); n += 1) name = `${base}-${n}_${output.variant}.${output.extension}`;
      used.add(name.toLowerCase());
      names.set(output.key, name);
    }
  }
  return names;
}

/**
 * Streams every output of a job into one ZIP, uploaded as an S3 multipart upload: neither the
 * archive nor any entry is held in memory whole. Images are stored, not deflated (already compressed).
 */
export async function buildJobArchive(s3: S3Client, buckets: { processed: string }, claim: ArchiveClaim): Promise<{ key: string; bytes: number }> {
  const key = keys.jobArchive(claim.tenantId, claim.jobId);
  const zip = new ZipArchive({ store: true });
  const body = new PassThrough();
  let bytes = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  zip.pipe(body);
  const upload = new Upload({
    client: s3,
    params: { Bucket: buckets.processed, Key: key, Body: body, ContentType: 'application/zip' },
    partSize: 8 * 1024 * 1024,
    queueSize: 2,
  });
  const uploaded = upload.done();
  const failed = new Promise<never>((_, reject) => zip.once('error', reject));
  const names = archiveEntryNames(claim.files);
  const append = async () => {
    for (const file of claim.files) {
      for (const output of file.outputs) {
        const object = await s3.send(new GetObjectCommand({ Bucket: buckets.processed, Key: output.key }));
        const entryDone = once(zip, 'entry');
        zip.append(object.Body as Readable, { name: names.get(output.key) ?? output.key });
        await entryDone;
      }
    }
    await zip.finalize();
  };
  await Promise.race([Promise.all([append(), uploaded]), failed]);
  return { key, bytes };
}
