import type { TestApp } from './test-app.js';

/** Declares a file on a job and PUTs `body` to its presigned URL, like a studio client; returns the file id. */
export async function uploadBytes(t: TestApp, key: string, jobId: string, filename: string, body: Buffer): Promise<string> {
  const declared = await t
    .http()
    .post(`/v1/jobs/${jobId}/files`)
    .set('Authorization', `Bearer ${key}`)
    .send({ filename, bytes: body.length });
  if (declared.status !== 201) throw new Error(`declare failed: ${declared.status} ${declared.text}`);
  const { upload, file } = declared.body;
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body });
  if (!put.ok) throw new Error(`presigned PUT failed: ${put.status} ${await put.text()}`);
  return file.id as string;
}

export async function submitJob(t: TestApp, key: string, jobId: string): Promise<void> {
  const res = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', `Bearer ${key}`);
  if (res.status !== 200) throw new Error(`submit failed: ${res.status} ${res.text}`);
}
