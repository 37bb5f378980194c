import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import pg from 'pg';
import { createS3Client } from '#storage';
import { fixture } from '../support/fixtures.js';
import { createJob, listAllFiles, waitForJob } from '../support/studio.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MiB = 1024 ** 2;
const LIMIT = 100 * MiB; // README: up to 100 MB one presigned PUT, above that multipart
const PRESET = { variants: [{ name: 'thumb', longEdge: 200, format: 'webp', quality: 80 }] };

interface Declared {
  file: { id: string };
  upload: {
    method: 'PUT' | 'MULTIPART';
    url?: string;
    headers: Record<string, string>;
    partSize?: number;
    parts?: Array<{ partNumber: number; url: string }>;
    completeUrl?: string;
  };
}

/**
 * Large RAW uploads and what a presigned PUT binds. All S3 traffic goes through the test's S3 proxy,
 * which keeps the books of multipart uploads and answers ListMultipartUploads (s3rver cannot).
 */
describe('studio uploads: multipart above 100 MB, abort on cancel, what a presigned PUT signs', () => {
  let t: TestApp;
  let studio: { id: string; key: string };
  let db: pg.Client;
  let s3: ReturnType<typeof createS3Client>;
  const auth = () => `Bearer ${studio.key}`;
  const declare = async (jobId: string, filename: string, bytes: number): Promise<Declared> => {
    const res = await t.http().post(`/v1/jobs/${jobId}/files`).set('Authorization', auth()).send({ filename, bytes });
    assert.equal(res.status, 201, res.text);
    return res.body as Declared;
  };
  const openUploads = async (prefix: string) =>
    ((await s3.send(new ListMultipartUploadsCommand({ Bucket: t.config.s3.buckets.raw, Prefix: prefix }))).Uploads ?? []).map(
      (u) => u.UploadId,
    );
  const uploadIdInDb = async (fileId: string) =>
    (await db.query(`SELECT multipart_upload_id FROM job_files WHERE id = $1`, [fileId])).rows[0].multipart_upload_id;

  before(async () => {
    t = await startTestApp({ IDLE_SHUTDOWN_SECONDS: '1' }, { s3Proxy: true });
    studio = await t.createTenant('studio');
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    s3 = createS3Client(t.config.s3);
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  it('uploads a RAW of 100 MB + 1 byte in parts, completes it through …/complete, then develops it', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Panorama', preset: PRESET });
    const bytes = LIMIT + 1;
    const { file, upload } = await declare(jobId, 'pano.nef', bytes);
    assert.equal(upload.method, 'MULTIPART');
    assert.equal(upload.partSize, 16 * MiB);
    const parts = upload.parts!;
    assert.deepEqual(
      parts.map((p) => p.partNumber),
      [1, 2, 3, 4, 5, 6, 7],
      '6 parts of 16 MiB and a last one of 4 MiB + 1 byte',
    );
    assert.equal(upload.completeUrl, `/v1/jobs/${jobId}/files/${file.id}/complete`);
    const uploadId = await uploadIdInDb(file.id);
    assert.deepEqual(await openUploads(`tenants/${studio.id}/jobs/${jobId}/`), [uploadId], 'S3 lists the open upload');

    // A real NEF padded with zeros to 100 MB + 1 (LibRaw reads by offset and ignores the tail).
    // One zero buffer is reused for every part, so the test holds 32 MiB, not 100.
    const raw = await readFile(fixture('raw', 'nikon_d1.nef'));
    const first = Buffer.alloc(16 * MiB);
    raw.copy(first);
    const zeros = Buffer.alloc(16 * MiB);
    const etags: Array<{ partNumber: number; etag: string }> = [];
    for (const part of parts) {
      const size = part.partNumber < parts.length ? 16 * MiB : bytes - 16 * MiB * (parts.length - 1);
      const body = part.partNumber === 1 ? first : zeros.subarray(0, size);
      const res = await fetch(part.url, { method: 'PUT', body });
      assert.equal(res.status, 200, `part ${part.partNumber}: ${await res.text()}`);
      etags.push({ partNumber: part.partNumber, etag: res.headers.get('etag')! });
    }
    const early = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', auth());
    assert.equal(early.status, 409, 'not submittable while the upload is still open');

    const completed = await t.http().post(upload.completeUrl).set('Authorization', auth()).send({ parts: etags });
    assert.equal(completed.status, 200, completed.text);
    assert.equal(await uploadIdInDb(file.id), null, 'the upload id is cleared once completed');
    assert.deepEqual(await openUploads(`tenants/${studio.id}/jobs/${jobId}/`), []);
    const again = await t.http().post(upload.completeUrl).set('Authorization', auth()).send({ parts: etags });
    assert.equal(again.status, 409, 'completing twice is a conflict');

    const submitted = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', auth());
    assert.equal(submitted.status, 200, submitted.text);
    const job = await waitForJob(t, studio.key, jobId);
    assert.equal(job.status, 'completed', JSON.stringify(job.fileCounts));
    const [done] = await listAllFiles(t, studio.key, jobId);
    assert.equal(done.status, 'done', done.error);
    assert.equal(done.bytes, bytes);
    assert.deepEqual(
      done.outputs.map((o: { variant: string }) => o.variant),
      ['thumb'],
    );
  });

  it('draws the line at exactly 100 MB (one PUT), and cancel aborts the open multipart upload', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Changed my mind' });
    const single = await declare(jobId, 'at-the-limit.nef', LIMIT);
    assert.equal(single.upload.method, 'PUT', 'exactly 100 MB is one presigned PUT');
    assert.equal(await uploadIdInDb(single.file.id), null);
    const above = await declare(jobId, 'one-byte-more.nef', LIMIT + 1);
    assert.equal(above.upload.method, 'MULTIPART', 'one byte more is multipart');

    const uploadId = await uploadIdInDb(above.file.id);
    assert.ok(uploadId);
    const part = await fetch(above.upload.parts![0].url, { method: 'PUT', body: Buffer.alloc(16 * MiB) });
    assert.equal(part.status, 200);
    assert.deepEqual(await openUploads(`tenants/${studio.id}/jobs/${jobId}/`), [uploadId]);

    const canceled = await t.http().post(`/v1/jobs/${jobId}/cancel`).set('Authorization', auth());
    assert.equal(canceled.status, 200, canceled.text);
    assert.equal(await uploadIdInDb(above.file.id), null, 'the upload id is cleared');
    assert.ok(t.s3Proxy!.multipart.aborted.has(uploadId), 'AbortMultipartUpload was sent for it');
    assert.deepEqual(await openUploads(`tenants/${studio.id}/jobs/${jobId}/`), [], 'S3 no longer lists the upload');
  });

  it('signs the content type and length into a presigned PUT, so S3 refuses a PUT with other values', async () => {
    // s3rver does not check signatures, so a PUT with the wrong headers would succeed here. What the
    // test can check is what the URL signs: S3 recomputes the signature over the headers the request
    // carries, and the URL's signature only matches the declared Content-Type and Content-Length.
    const jobId = await createJob(t, studio.key, { name: 'Signed' });
    const bytes = 4_055_474;
    const { file, upload } = await declare(jobId, 'DSC_0001.NEF', bytes);
    assert.equal(upload.method, 'PUT');
    assert.deepEqual(
      upload.headers,
      { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes) },
      'the headers a client must send',
    );
    const url = new URL(upload.url!);
    assert.deepEqual(url.searchParams.get('X-Amz-SignedHeaders')!.split(';').sort(), ['content-length', 'content-type', 'host']);

    // Re-sign the same request at the same instant: the declared values give the URL's signature, any
    // other value a different one, which is the signature S3 would expect from that request.
    const amzDate = url.searchParams.get('X-Amz-Date')!;
    const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const expiresIn = Number(url.searchParams.get('X-Amz-Expires'));
    const key = `tenants/${studio.id}/jobs/${jobId}/raw/${file.id}`;
    assert.equal(decodeURIComponent(url.pathname), `/${t.config.s3.buckets.raw}/${key}`);
    const signature = async (contentType: string, contentLength: number) => {
      const signed = await getSignedUrl(
        s3,
        new PutObjectCommand({ Bucket: t.config.s3.buckets.raw, Key: key, ContentType: contentType, ContentLength: contentLength }),
        {
          expiresIn,
          signingDate,
          signableHeaders: new Set(['content-type', 'content-length']),
        },
      );
      return new URL(signed).searchParams.get('X-Amz-Signature');
    };
    const urlSignature = url.searchParams.get('X-Amz-Signature');
    assert.equal(await signature('application/octet-stream', bytes), urlSignature, 'the declared type and length reproduce the signature');
    assert.notEqual(await signature('image/jpeg', bytes), urlSignature, 'another content type does not');
    assert.notEqual(await signature('application/octet-stream', bytes + 1), urlSignature, 'another length does not');
  });
});
