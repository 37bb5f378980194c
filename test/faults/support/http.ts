import { request as httpRequest } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** One JSON call to an API base URL; network failures are answered as status 0 (the caller decides). */
export async function call(baseUrl: string, method: string, url: string, auth?: string, body?: unknown): Promise<Answer> {
  try {
    const response = await fetch(baseUrl + url, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return {
      status: response.status,
      headers: response.headers,
      body: parsed,
      text,
    };
  } catch (error) {
    return {
      status: 0,
      headers: new Headers(),
      body: undefined,
      text: String((error as Error).cause ?? error),
    };
  }
}

/** Like `call`, but anything but `expected` throws with the answer. */
export async function must(expected: number, baseUrl: string, method: string, url: string, auth?: string, body?: unknown): Promise<any> {
  const answer = await call(baseUrl, method, url, auth, body);
  if (answer.status !== expected)
    throw new Error(`${method} ${url} answered ${answer.status} (expected ${expected}): ${answer.text.slice(0, 500)}`);
  return answer.body;
}

/** Declares a file on a draft job and PUTs its bytes to the presigned URL; answers the file id. */
export async function declareAndUpload(
  baseUrl: string,
  key: string,
  jobId: string,
  filePath: string,
  filename = path.basename(filePath),
): Promise<string> {
  const { size } = await stat(filePath);
  const declared = await must(201, baseUrl, 'POST', `/v1/jobs/${jobId}/files`, key, { filename, bytes: size });
  const put = await fetch(declared.upload.url, {
    method: 'PUT',
    headers: declared.upload.headers,
    body: await readFile(filePath),
  });
  if (!put.ok) throw new Error(`presigned PUT answered ${put.status}: ${await put.text()}`);
  return declared.file.id as string;
}

/** Polls a job until it is terminal. */
export async function waitForJob(baseUrl: string, key: string, jobId: string, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await call(baseUrl, 'GET', `/v1/jobs/${jobId}`, key);
    if (job.status === 200 && ['completed', 'completed_with_errors', 'failed', 'canceled'].includes(job.body.status)) return job.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} not finished after ${timeoutMs} ms: ${job.text.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits until `probe` answers a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false | null>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface SlowUpload {
  /** Bytes written so far. */
  sent(): number;
  /** The API's answer, or the error the connection ended with. */
  done: Promise<{ status: number; body: string } | { error: string }>;
}

/**
 * A streamed upload (`PUT …/content`) that sends `burstBytes` at once, then `tickBytes` every
 * `tickMs` until `totalBytes`: a slow client, as seen from the API.
 */
export function slowUpload(
  url: string,
  key: string,
  totalBytes: number,
  pace: { burstBytes: number; tickBytes: number; tickMs: number },
): SlowUpload {
  let sent = 0;
  const done = new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    const req = httpRequest(url, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/octet-stream',
        'content-length': String(totalBytes),
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const write = (bytes: number) => {
      const n = Math.min(bytes, totalBytes - sent);
      if (n <= 0) return;
      req.write(Buffer.alloc(n, sent % 251));
      sent += n;
      if (sent >= totalBytes) {
        clearInterval(timer);
        req.end();
      }
    };
    req.on('response', (res) => {
      clearInterval(timer);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error) => {
      clearInterval(timer);
      resolve({ error: error.message });
    });
    write(pace.burstBytes);
    timer = setInterval(() => write(pace.tickBytes), pace.tickMs);
  });
  return { sent: () => sent, done };
}

/** A 503 the way a client must see it during an outage: problem+json, Retry-After, no stack or SQL. */
export function isRetryableProblem(answer: Answer): boolean {
  return (
    answer.status === 503 &&
    /^application\/problem\+json/.test(answer.headers.get('content-type') ?? '') &&
    Number(answer.headers.get('retry-after')) > 0 &&
    answer.body?.status === 503 &&
    !/\bat .+:\d+:\d+|\.js:\d+|SELECT |INSERT |UPDATE /.test(answer.text)
  );
}
