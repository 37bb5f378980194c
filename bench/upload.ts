import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startEmbeddedS3 } from '#storage';
import { type BenchTable, benchDatabase, freePort, target } from './support/infra.js';

const BYTES = 200 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const here = path.dirname(fileURLToPath(import.meta.url));

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** A 200 MB body streamed through PUT /v1/jobs/{id}/files/{fileId}/content: how much the API's RSS grows. */
export async function benchUpload(): Promise<BenchTable> {
  const database = await benchDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'revela-bench-upload-'));
  let api: ChildProcess | undefined;
  // S3 runs in this process, as it runs apart from the API in production: only the API's memory is measured.
  const s3 = await startEmbeddedS3({
    dataDir: path.join(dataDir, 's3'),
    port: 0,
    buckets: ['revela-uploads', 'revela-raw', 'revela-processed'],
  });
  try {
    const port = await freePort();
    const adminToken = randomBytes(32).toString('base64url');
    api = spawn(process.execPath, [path.join(here, '../apps/api/src/main.js')], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        PORT: String(port),
        ADMIN_TOKEN: adminToken,
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        S3_ENDPOINT: s3.endpoint,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      api!.stderr!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('API listening')) resolve();
      });
      api!.once('exit', (code) => reject(new Error(`API exited ${code}: ${out}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const json = async (url: string, auth: string, body: unknown) => {
      const res = await fetch(base + url, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await res.json()) as any;
    };
    const tenant = await json('/v1/tenants', adminToken, { name: 'Upload bench', kind: 'studio' });
    const key = tenant.apiKey.key as string;
    const job = await json('/v1/jobs', key, { name: 'upload' });
    const declared = await json(`/v1/jobs/${job.id}/files`, key, { filename: 'big.dng', bytes: BYTES });

    const before = await rssKb(api.pid!);
    let peak = before;
    const sampler = setInterval(() => {
      rssKb(api!.pid!).then(
        (kb) => (peak = Math.max(peak, kb)),
        () => undefined,
      );
    }, 25);
    const chunk = randomBytes(CHUNK);
    const body = Readable.from(
      (function* () {
        for (let sent = 0; sent < BYTES; sent += CHUNK) yield chunk;
      })(),
    );
    const started = performance.now();
    const res = await fetch(`${base}/v1/jobs/${job.id}/files/${declared.file.id}/content`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream', 'content-length': String(BYTES) },
      body: Readable.toWeb(body) as ReadableStream,
      duplex: 'half',
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
    const growthMb = (peak - before) / 1024;
    return {
      title: '200 MB file streamed through the API (PUT …/content → S3 multipart)',
      columns: ['API RSS before (MB)', 'peak (MB)', 'growth (MB)', 'throughput (MB/s)'],
      rows: [[(before / 1024).toFixed(0), (peak / 1024).toFixed(0), growthMb.toFixed(1), (BYTES / 1024 / 1024 / seconds).toFixed(0)]],
      targets: [target('RSS growth (MB)', growthMb, '<', 64, (n) => n.toFixed(1))],
      notes: ['S3 (s3rver) runs in the benchmark process, apart from the API, as in production.'],
    };
  } finally {
    api?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await s3.stop();
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
