import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import type { ArchiveClaimMessage } from '#worker-protocol';
import type { WorkerApi } from './api-client.js';
import { openStream, upload } from './transfer.js';

/**
 * Cuts a byte stream into parts of exactly `partBytes` (the last one shorter) and uploads each
 * through a presigned part URL the API hands out, one at a time: memory stays at one part.
 */
class PartUploader extends Writable {
  readonly parts: Array<{ partNumber: number; etag: string }> = [];
  bytes = 0;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(
    private readonly api: WorkerApi,
    private readonly jobId: string,
    private readonly partBytes: number,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    this.buffered.push(chunk);
    this.bufferedBytes += chunk.length;
    this.flushFull().then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flushFull()
      .then(() => (this.bufferedBytes > 0 || this.parts.length === 0 ? this.send(Buffer.concat(this.buffered)) : undefined))
      .then(() => callback(), callback);
  }

  private async flushFull(): Promise<void> {
    while (this.bufferedBytes >= this.partBytes) {
      const all = Buffer.concat(this.buffered);
      const rest = all.subarray(this.partBytes);
      this.buffered = rest.length > 0 ? [rest] : [];
      this.bufferedBytes = rest.length;
      await this.send(all.subarray(0, this.partBytes));
    }
  }

  private async send(part: Buffer): Promise<void> {
    const partNumber = this.parts.length + 1;
    const target = await this.api.archivePart(this.jobId, { partNumber, bytes: part.length });
    const etag = await upload(target, part, `uploading archive part ${partNumber}`);
    this.parts.push({ partNumber, etag });
  }
}

/**
 * Streams every output of a job into one ZIP, uploaded through presigned multipart parts: neither
 * the archive nor any entry is held in memory whole. Images are stored, not deflated (already
 * compressed). The API completes the upload and the job.
 */
export async function buildJobArchive(api: WorkerApi, claim: ArchiveClaimMessage): Promise<{ bytes: number }> {
  const zip = new ZipArchive({ store: true });
  const uploader = new PartUploader(api, claim.jobId, claim.partBytes);
  const uploading = pipeline(zip, uploader);
  const append = async () => {
    for (const entry of claim.entries) {
      const body = await openStream(entry.source, `reading ${entry.name}`);
      const entryDone = once(zip, 'entry');
      zip.append(body, { name: entry.name });
      await entryDone;
    }
    await zip.finalize();
  };
  await Promise.all([append(), uploading]);
  await api.completeArchive(claim.jobId, { parts: uploader.parts, bytes: uploader.bytes });
  return { bytes: uploader.bytes };
}
