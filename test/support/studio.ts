import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestApp } from './test-app.js';

/** Declares a file on a job and uploads its bytes to the presigned URL, like a studio client. */
export async function uploadFile(
  t: TestApp,
  key: string,
  jobId: string,
  filePath: string,
  filename = path.basename(filePath),
): Promise<string> {
  const { size } = await stat(filePath);
  const declared = await t.http().post(`/v1/jobs/${jobId}/files`).set('Authorization', `Bearer ${key}`).send({ filename, bytes: size });
  if (declared.status !== 201) throw new Error(`declare failed: ${declared.status} ${declared.text}`);
  const { upload, file } = declared.body;
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: await readFile(filePath) });
  if (!put.ok) throw new Error(`presigned PUT failed: ${put.status} ${await put.text()}`);
  return file.id as string;
}

export async function createJob(t: TestApp, key: string, body: Record<string, unknown>): Promise<string> {
  const res = await t.http().post('/v1/jobs').set('Authorization', `Bearer ${key}`).send(body);
  if (res.status !== 201) throw new Error(`job creation failed: ${res.status} ${res.text}`);
  return res.body.id as string;
}

/** Polls a job until it reaches a terminal status. */
export async function waitForJob(t: TestApp, key: string, jobId: string, timeoutMs = 90_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http().get(`/v1/jobs/${jobId}`).set('Authorization', `Bearer ${key}`);
    if (['completed', 'completed_with_errors', 'failed', 'canceled'].includes(res.body.status)) return res.body;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} still ${res.body.status} after ${timeoutMs} ms: ${JSON.stringify(res.body.fileCounts)}`);
    await sleep(200);
  }
}

export async function listAllFiles(t: TestApp, key: string, jobId: string): Promise<Array<Record<string, any>>> {
  const res = await t.http().get(`/v1/jobs/${jobId}/files`).query({ limit: 100 }).set('Authorization', `Bearer ${key}`);
  if (res.status !== 200) throw new Error(`file list failed: ${res.status} ${res.text}`);
  return res.body.items;
}
