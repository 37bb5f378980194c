/**
 * `npm run soak` (also `npm run bench -- soak`): issue 13's long variant of the sustained-load
 * test. The real API process (main.js) takes 60 s of mixed load on loopback while photos are
 * uploaded and rendered by the thumbnail Lambda and a RAW batch develops on a local worker. Three
 * processes: the API (measured), S3 with the Lambda (standing in for AWS), and this one (the
 * clients). Reports requests, 5xx and p99 per route, the API's RSS drift after warm-up and its
 * event-loop delay, beside a 10 s run of `bench api`'s load against the same process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { type ApiProcess, killQuietly, probe, startApiProcess } from '../test/faults/support/api-process.js';
import { call, declareAndUpload, must } from '../test/faults/support/http.js';
import { fixture } from '../test/support/fixtures.js';
import type { ProbeReading } from '../test/faults/support/process-probe.js';
import { median, mixedRoutes, type RouteResult, runMixedLoad, sampleEvery } from './support/mixed-load.js';
import { type BenchTable, benchDatabase, freePort, target } from './support/infra.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const WARM_UP_SECONDS = 10;
const RAW_FILES = Number(process.env.SOAK_RAW_FILES ?? 12);
const PHOTO_EVERY_MS = 1_000;
const PRESET = {
  variants: [
    { name: 'web', longEdge: 2048, format: 'jpeg', quality: 82 },
    { name: 'thumb', longEdge: 400, format: 'webp', quality: 80 },
  ],
};
const MB = 2 ** 20;
const here = path.dirname(fileURLToPath(import.meta.url));

/** `bench api`'s load (GET /v1/tenant, 50 connections, 10 s), for the comparison in the same run. */
async function singleRouteBaseline(baseUrl: string, key: string) {
  const result = await autocannon({
    url: `${baseUrl}/v1/tenant`,
    connections: 50,
    duration: 10,
    headers: { authorization: `Bearer ${key}` },
  });
  return { rps: result.requests.total / result.duration, p50: result.latency.p50, p99: result.latency.p99, serverErrors: result['5xx'] };
}

/** The `bench api` row recorded in BENCHMARKS.md, if any: req/s and p99 of the Revela API. */
async function recordedApiRow(): Promise<{ rps: string; p99: string } | undefined> {
  const text = await readFile('BENCHMARKS.md', 'utf8').catch(() => '');
  const row = /^\| Revela API \(NestJS[^|]*\| (\d+) \| (\d+) \| (\d+) \|/m.exec(text);
  return row ? { rps: row[1], p99: row[3] } : undefined;
}

/** Starts the S3 server and the thumbnail Lambda in a process of their own; answers the S3 endpoint. */
async function startS3AndLambda(env: Record<string, string>): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(here, 'support/s3-lambda-host.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return { endpoint: (JSON.parse(line) as { endpoint: string }).endpoint, child };
}

export async function benchSoak(): Promise<BenchTable[]> {
  const database = await benchDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'revela-soak-'));
  const port = String(await freePort());
  const callbackSigningKey = randomBytes(32).toString('base64url');
  // S3 and the Lambda run in a process of their own, apart from the API, as in production: only the API is measured.
  const aws = await startS3AndLambda({ DATA_DIR: dataDir, API_URL: `http://127.0.0.1:${port}`, CALLBACK_SIGNING_KEY: callbackSigningKey });
  const env = {
    HOST: '127.0.0.1',
    PORT: port,
    DATABASE_URL: database.url,
    S3_ENDPOINT: aws.endpoint,
    DATA_DIR: dataDir,
    ADMIN_TOKEN: randomBytes(32).toString('base64url'),
    CALLBACK_SIGNING_KEY: callbackSigningKey,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
    MAX_WORKERS: '1',
    IDLE_SHUTDOWN_SECONDS: '15',
  };
  let api: ApiProcess | undefined;
  try {
    api = await startApiProcess(env, { probe: true });
    const base = api.baseUrl;
    const clinic = await must(201, base, 'POST', '/v1/tenants', env.ADMIN_TOKEN, { name: 'Soak clinic', kind: 'clinic' });
    const studio = await must(201, base, 'POST', '/v1/tenants', env.ADMIN_TOKEN, { name: 'Soak studio', kind: 'studio' });
    const clinicKey = clinic.apiKey.key as string;
    const studioKey = studio.apiKey.key as string;
    const animal = await must(201, base, 'POST', '/v1/animals', clinicKey, {
      name: 'Soak',
      species: 'dog',
      tutor: { name: 'Maria Silva' },
    });
    const routes = mixedRoutes({ clinicKey, studioKey, animalId: animal.id });

    process.stderr.write(`soak: warm-up ${WARM_UP_SECONDS} s, then 10 s of bench api's load\n`);
    await runMixedLoad(base, routes, WARM_UP_SECONDS);
    const baseline = await singleRouteBaseline(base, studioKey);

    // Uploads and a RAW batch alongside: the batch is uploaded before the clock starts.
    const job = await must(201, base, 'POST', '/v1/jobs', studioKey, { name: 'Soak batch', preset: PRESET });
    for (let i = 0; i < RAW_FILES; i += 1) await declareAndUpload(base, studioKey, job.id, fixture('raw', 'nikon_d1.nef'), `DSC_${i}.NEF`);
    const photoBytes = await readFile(fixture('images', 'orientation_6.jpg'));

    process.stderr.write(`soak: ${SECONDS} s of mixed load with photo uploads and a ${RAW_FILES}-file RAW batch\n`);
    await probe(api, 'probe:reset');
    const started = Date.now();
    const sampler = sampleEvery(1_000, () => probe(api!));
    await must(200, base, 'POST', `/v1/jobs/${job.id}/submit`, studioKey);
    let rawDoneAt: number | undefined;
    const watchJob = (async () => {
      while (Date.now() - started < (SECONDS + 60) * 1000) {
        const answer = await call(base, 'GET', `/v1/jobs/${job.id}`, studioKey);
        if (['completed', 'completed_with_errors', 'failed'].includes(answer.body?.status)) {
          rawDoneAt = Date.now();
          return answer.body.status as string;
        }
        await sleep(500);
      }
      return 'unfinished';
    })();
    const photoLatencies: number[] = [];
    const photoOutcomes = new Map<string, string>();
    const photoTasks: Array<Promise<void>> = [];
    const uploading = (async () => {
      for (let i = 0; Date.now() - started < SECONDS * 1000; i += 1) {
        const tick = Date.now();
        photoTasks.push(
          (async () => {
            const declared = await must(201, base, 'POST', `/v1/animals/${animal.id}/photos`, clinicKey, {
              contentType: 'image/jpeg',
              filename: `soak-${i}.jpg`,
              bytes: photoBytes.length,
            });
            const put = await fetch(declared.upload.url, { method: 'PUT', headers: declared.upload.headers, body: photoBytes });
            if (!put.ok) throw new Error(`photo PUT answered ${put.status}`);
            const uploadedAt = Date.now();
            for (;;) {
              const photo = await call(base, 'GET', `/v1/animals/${animal.id}/photos/${declared.photo.id}`, clinicKey);
              if (photo.body?.status === 'ready' || photo.body?.status === 'failed' || Date.now() - uploadedAt > 120_000) {
                photoOutcomes.set(declared.photo.id, photo.body?.status ?? 'unknown');
                if (photo.body?.status === 'ready') photoLatencies.push(Date.now() - uploadedAt);
                return;
              }
              await sleep(200);
            }
          })(),
        );
        await sleep(Math.max(0, PHOTO_EVERY_MS - (Date.now() - tick)));
      }
    })();
    const results = await runMixedLoad(base, routes, SECONDS);
    const loadAverage = os.loadavg()[0];
    const samples: ProbeReading[] = await sampler.stop();
    const end = await probe(api);
    await uploading;
    await Promise.all(photoTasks);
    const rawStatus = await watchJob;

    const totals = results.reduce(
      (sum, r) => ({
        requests: sum.requests + r.requests,
        serverErrors: sum.serverErrors + r.serverErrors,
        non2xx: sum.non2xx + r.non2xx,
        errors: sum.errors + r.errors,
      }),
      { requests: 0, serverErrors: 0, non2xx: 0, errors: 0 },
    );
    const rssAfterWarmUp = median(samples.slice(0, 3).map((s) => s.rssBytes));
    const rssAtEnd = median([...samples.slice(-2), end].map((s) => s.rssBytes));
    const drift = (rssAtEnd - rssAfterWarmUp) / rssAfterWarmUp;
    const peak = Math.max(...samples.map((s) => s.rssBytes), end.rssBytes);
    const ready = [...photoOutcomes.values()].filter((s) => s === 'ready').length;
    const recorded = await recordedApiRow();
    const mixedTenant = results.find((r) => r.name === 'GET /v1/tenant')!;
    const routeRow = (r: RouteResult) => [r.name, r.requests, r.rps.toFixed(0), r.p50, r.p99, r.max, r.serverErrors, r.non2xx + r.errors];

    return [
      {
        title: `${SECONDS} s mixed load, ${routes.reduce((n, r) => n + r.connections, 0)} connections (autocannon, loopback), with photo uploads and a RAW batch alongside`,
        columns: ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', '5xx', 'other non-2xx or errors'],
        rows: [
          ...results.map(routeRow),
          [
            'all routes',
            totals.requests,
            (totals.requests / SECONDS).toFixed(0),
            '',
            '',
            '',
            totals.serverErrors,
            totals.non2xx - totals.serverErrors + totals.errors,
          ],
        ],
        targets: [target('5xx answers', totals.serverErrors, '≤', 0)],
        notes: [
          `Machine load average over the last minute of the run: ${loadAverage.toFixed(1)} on ${os.cpus().length} cores (other work shares this machine).`,
          `After a ${WARM_UP_SECONDS} s warm-up of the same mix. The animal and photo rows created by the load stay in the database, so later requests run against a growing table (${results.find((r) => r.name === 'POST /v1/animals')?.requests ?? 0} animals).`,
        ],
      },
      {
        title: 'The API process over the run',
        columns: ['RSS after warm-up (MB)', 'RSS at the end (MB)', 'drift', 'peak RSS (MB)', 'event-loop delay p50 ms', 'p99 ms', 'max ms'],
        rows: [
          [
            (rssAfterWarmUp / MB).toFixed(0),
            (rssAtEnd / MB).toFixed(0),
            `${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(1)} %`,
            (peak / MB).toFixed(0),
            end.eventLoopDelayMs.p50.toFixed(1),
            end.eventLoopDelayMs.p99.toFixed(1),
            end.eventLoopDelayMs.max.toFixed(1),
          ],
        ],
        targets: [target('RSS drift after warm-up, % (either way)', Math.abs(drift * 100), '≤', 10, (n) => n.toFixed(1))],
        notes: [
          'RSS samples are medians of three 1 s samples. Event-loop delay from monitorEventLoopDelay (10 ms resolution) in the API process.',
        ],
      },
      {
        title: 'Alongside the load',
        columns: ['work', 'count', 'outcome', 'time'],
        rows: [
          [
            'photos uploaded (presigned PUT → Lambda → ready)',
            photoOutcomes.size,
            `${ready} ready, ${photoOutcomes.size - ready} not`,
            photoLatencies.length
              ? `upload → ready median ${(median(photoLatencies) / 1000).toFixed(2)} s, max ${(Math.max(...photoLatencies) / 1000).toFixed(2)} s`
              : '',
          ],
          [
            `RAW batch (nikon_d1.nef, web 2048 + thumb 400)`,
            RAW_FILES,
            rawStatus,
            rawDoneAt
              ? `${((rawDoneAt - started) / 1000).toFixed(1)} s from submit to completed (${((RAW_FILES / (rawDoneAt - started)) * 60_000).toFixed(1)} files/min)`
              : '',
          ],
        ],
      },
      {
        title: 'Compared with the 10 s benchmark',
        columns: ['load', 'req/s', 'GET /v1/tenant p50 ms', 'GET /v1/tenant p99 ms', '5xx'],
        rows: [
          [
            '`bench api` load (GET /v1/tenant alone, 50 connections, 10 s), same process, just before the soak',
            baseline.rps.toFixed(0),
            baseline.p50,
            baseline.p99,
            baseline.serverErrors,
          ],
          [
            `soak: ${SECONDS} s mixed load, all routes (GET /v1/tenant share: ${mixedTenant.rps.toFixed(0)}/s)`,
            (totals.requests / SECONDS).toFixed(0),
            mixedTenant.p50,
            mixedTenant.p99,
            totals.serverErrors,
          ],
          ...(recorded ? [['`bench api` row recorded above in this file', recorded.rps, '', recorded.p99, '']] : []),
        ],
        notes: [
          'The mixed load writes (animals, photo rows) and shares the 2 cores with the Lambda renders and the RAW worker, so its req/s is not the read-only ceiling; the same-run row is the fair comparison.',
        ],
      },
    ];
  } finally {
    if (api) {
      api.child.kill('SIGTERM');
      await Promise.race([api.exited, sleep(45_000)]);
      killQuietly(api.pid);
    }
    aws.child.kill('SIGTERM');
    await once(aws.child, 'exit');
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
