import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { loadConfig, type ResolvedConfig } from '#config';
import { runMigrations } from '#database';
import { startEmbeddedS3 } from '#storage';
import { developRaw, type ProcessingPreset, DEFAULT_PRESET } from '#imaging';
import { writeSyntheticDng } from '../libs/imaging/src/raw/testing/synthetic-dng.js';
import { createApp } from '../apps/api/src/app.factory.js';
import { type BenchTable, benchDatabase, median, target } from './support/infra.js';

const run = promisify(execFile);
// A studio batch is hundreds of files; 32 keeps the run short while worker start-up and the ZIP stop dominating.
const FILES = Number(process.env.BENCH_STUDIO_FILES ?? 32);
const DISTINCT = 4;
const PRESET = {
  variants: [
    { name: 'web', longEdge: 2048, format: 'jpeg', quality: 82 },
    { name: 'thumb', longEdge: 400, format: 'webp', quality: 80 },
  ],
};

/** The develop stage alone (LibRaw + sharp in this process, 2 in flight): the ceiling without S3. */
async function developOnly(files: string[]): Promise<number> {
  const preset: ProcessingPreset = { ...DEFAULT_PRESET, variants: PRESET.variants as ProcessingPreset['variants'] };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      while (next < files.length) await developRaw(files[next++], preset);
    }),
  );
  return performance.now() - started;
}

/** dcraw_emu piped into ImageMagick, one file after another: what a studio script would do. */
async function baseline(files: string[], outDir: string): Promise<number> {
  const started = performance.now();
  for (const [i, file] of files.entries()) {
    const web = path.join(outDir, `${i}_web.jpg`);
    const thumb = path.join(outDir, `${i}_thumb.webp`);
    await run('bash', [
      '-c',
      `dcraw_emu -w -h -T -Z - "$1" | /usr/bin/convert tiff:- -resize 2048x2048 -quality 82 -write "$2" -resize 400x400 -quality 80 "$3"`,
      'bench',
      file,
      web,
      thumb,
    ]);
  }
  return performance.now() - started;
}

/** Synthetic 24 MP DNGs through the real pipeline: presigned upload → submit → local worker → S3. */
export async function benchStudio(): Promise<BenchTable[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'revela-bench-studio-'));
  const database = await benchDatabase();
  const s3 = await startEmbeddedS3({
    dataDir: path.join(work, 's3'),
    port: 0,
    buckets: ['revela-uploads', 'revela-raw', 'revela-processed'],
  });
  try {
    await runMigrations(database.url);
    const sources: string[] = [];
    for (let seed = 1; seed <= DISTINCT; seed += 1) {
      const file = path.join(work, `synthetic_${seed}.dng`);
      await writeSyntheticDng(file, { width: 6000, height: 4000, seed });
      sources.push(file);
    }
    const files = Array.from({ length: FILES }, (_, i) => sources[i % DISTINCT]);

    const adminToken = randomBytes(32).toString('base64url');
    const config = loadConfig({
      DATABASE_URL: database.url,
      S3_ENDPOINT: s3.endpoint,
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'warn',
      DATA_DIR: work,
      MAX_WORKERS: '1',
      WORKER_CONCURRENCY: '2',
      IDLE_SHUTDOWN_SECONDS: '5',
    }) as ResolvedConfig;
    const app = await createApp(config);
    const http = () => request(app.getHttpServer());
    try {
      const tenant = await http().post('/v1/tenants').set('Authorization', `Bearer ${adminToken}`).send({ name: 'Bench', kind: 'studio' });
      const auth = `Bearer ${tenant.body.apiKey.key}`;
      const job = await http().post('/v1/jobs').set('Authorization', auth).send({ name: 'bench', preset: PRESET });
      const jobId = job.body.id as string;
      for (const [i, file] of files.entries()) {
        const body = await readFile(file);
        const declared = await http()
          .post(`/v1/jobs/${jobId}/files`)
          .set('Authorization', auth)
          .send({ filename: `SYN_${i}.DNG`, bytes: body.length });
        const put = await fetch(declared.body.upload.url, { method: 'PUT', headers: declared.body.upload.headers, body });
        if (!put.ok) throw new Error(`upload failed: ${put.status}`);
      }

      const submittedAt = performance.now();
      await http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', auth).expect(200);
      let firstProcessingMs: number | undefined;
      let status = 'queued';
      while (!['completed', 'completed_with_errors', 'failed'].includes(status)) {
        const current = await http().get(`/v1/jobs/${jobId}`).set('Authorization', auth);
        status = current.body.status;
        if (firstProcessingMs === undefined && current.body.fileCounts.processing + current.body.fileCounts.done > 0) {
          firstProcessingMs = performance.now() - submittedAt;
        }
        await sleep(firstProcessingMs === undefined ? 20 : 100);
      }
      const elapsedMs = performance.now() - submittedAt;
      if (status !== 'completed') throw new Error(`bench job ended ${status}`);
      const listed = await http().get(`/v1/jobs/${jobId}/files`).query({ limit: 100 }).set('Authorization', auth);
      const timings = listed.body.items.map((f: { timings: Record<string, number> }) => f.timings);
      const part = (key: string) => median(timings.map((t: Record<string, number>) => t[key] ?? 0));

      const outDir = path.join(work, 'baseline');
      await mkdir(outDir);
      const baselineMs = await baseline(files.slice(0, Math.min(8, FILES)), outDir);
      const baselinePerMin = (Math.min(8, FILES) / baselineMs) * 60_000;
      const oursPerMin = (FILES / elapsedMs) * 60_000;
      const developPerMin = (FILES / (await developOnly(files))) * 60_000;
      return [
        {
          title: `Studio RAW pipeline: ${FILES} synthetic 24 MP DNGs → 2048 px JPEG q82 + 400 px WebP`,
          columns: ['pipeline', 'files/min', 'notes'],
          rows: [
            [
              'Revela: S3 → batch worker (2 in flight) → S3, end to end',
              oursPerMin.toFixed(1),
              `${(elapsedMs / 1000).toFixed(1)} s from submit to job completed (incl. worker start and ZIP)`,
            ],
            [
              'develop stage only (dcraw_emu + sharp, 2 in flight, local disk, no S3)',
              developPerMin.toFixed(1),
              'the ceiling of this machine without the S3 transfers',
            ],
            ['dcraw_emu -h \\| ImageMagick convert, sequential, local disk', baselinePerMin.toFixed(1), `${Math.min(8, FILES)} files`],
            ['ratio Revela / baseline', (oursPerMin / baselinePerMin).toFixed(2), ''],
          ],
          targets: [target('end-to-end files/min', oursPerMin, '≥', 110, (n) => n.toFixed(1))],
          notes: [
            'Locally S3 is s3rver on the same 2 cores: each 48 MB synthetic DNG (uncompressed Bayer) is served and written to scratch by CPUs that also develop.',
          ],
        },
        {
          title: 'Studio time split per file (median, ms) and start-up',
          columns: ['download', 'decode', 'render', 'upload', 'total', 'submit → first file processing'],
          rows: [
            [
              part('downloadMs'),
              part('decodeMs'),
              part('renderMs'),
              part('uploadMs'),
              part('totalMs'),
              `${Math.round(firstProcessingMs ?? NaN)} ms`,
            ],
          ],
          targets: [
            target('submit → first file processing, ms (local launcher)', firstProcessingMs ?? NaN, '<', 2000, (n) => n.toFixed(0)),
          ],
        },
      ];
    } finally {
      await app.close();
    }
  } finally {
    await s3.stop();
    await database.close();
    await rm(work, { recursive: true, force: true });
  }
}
