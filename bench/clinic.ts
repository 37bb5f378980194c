/**
 * Clinic renditions throughput: the thumbnail Lambda's handler (real s3rver, signed reports to a
 * stub API, 2 invocations in flight through the same async invoker `npm start` uses) against the
 * floor (bare sharp in this process, decode once, same three renditions, 2 in flight) and
 * ImageMagick (`/usr/bin/convert`, a process per image, 2 in flight).
 *
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import sharp from 'sharp';
import { ImageRejectedError, renderClinicPhoto } from '#imaging';
import { REPORT_ID_HEADER, SIGNATURE_HEADER, verifyRequest } from '#signing';
import { createS3Client, keys, startEmbeddedS3 } from '#storage';
import { createThumbnailHandler, type PhotoReportAck } from '#thumbnails';
import { createAsyncInvoker } from '../apps/api/src/runtime/async-invoker.js';
import { mapLimit } from '../test/clinic/photo-helpers.js';
import { fixture } from '../test/support/fixtures.js';
import { type BenchTable, median, renderTable, target } from './support/infra.js';

const run = promisify(execFile);
const IMAGES = Number(process.env.BENCH_CLINIC_IMAGES ?? 20);
const RUNS = Number(process.env.BENCH_CLINIC_RUNS ?? 3);
const IN_FLIGHT = 2;
const IMAGEMAGICK = '/usr/bin/convert'; // /usr/local/bin/convert is not ImageMagick on these machines
const SIGNING_KEY = 'bench-signing-key-0123456789abcdef0123456789';
const BUCKETS = { uploads: 'revela-uploads', processed: 'revela-processed' };

interface Workload {
  label: string;
  file: string;
}

const WORKLOADS: Workload[] = [
  { label: '24 MP JPEG (progressive_6000x4000.jpg)', file: 'progressive_6000x4000.jpg' },
  { label: '12 MP HEIC (iphone7_display_p3.heic)', file: 'iphone7_display_p3.heic' },
];

/** Median wall time (ms) of `RUNS` timed runs, after one warm-up unless told otherwise. */
async function timed(runOnce: () => Promise<unknown>, warmUp = true): Promise<number> {
  if (warmUp) await runOnce();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await runOnce();
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * The floor: one decode per image to the largest rendition, the three renditions from those pixels.
 * The fixture's embedded profile is sRGB, so like the renditions library it skips the no-op transform.
 */
export async function bareSharp(input: Buffer): Promise<void> {
  const { data, info } = await sharp(input, { failOn: 'error', ignoreIcc: true })
    .autoOrient()
    .resize({ width: 1600, height: 1600, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
  await Promise.all([
    sharp(data, raw).resize(160, 160, { fit: 'cover' }).webp({ quality: 80 }).toBuffer(),
    sharp(data, raw).resize(480, 480, { fit: 'inside' }).webp({ quality: 80 }).toBuffer(),
    sharp(data, raw).jpeg({ quality: 82, progressive: true }).withIccProfile('srgb').toBuffer(),
  ]);
}

/** ImageMagick, the usual way: one process per image, no `jpeg:size` hint (it spills to disk here). */
async function imageMagick(file: string, outDir: string, index: number): Promise<void> {
  const out = (name: string) => path.join(outDir, `${index}_${name}`);
  await run(IMAGEMAGICK, [
    file,
    '-auto-orient',
    '-colorspace',
    'sRGB',
    '-resize',
    '1600x1600>',
    '-quality',
    '82',
    '-interlace',
    'Plane',
    '-write',
    out('large.jpg'),
    '-resize',
    '480x480>',
    '-quality',
    '80',
    '-write',
    out('small.webp'),
    '-resize',
    '160x160^',
    '-gravity',
    'center',
    '-extent',
    '160x160',
    out('thumb.webp'),
  ]);
}

/** Accepts every signed report, as the API would, and always lets the handler proceed. */
function startStubApi(): Promise<{ url: string; reports: () => number; close(): Promise<void> }> {
  let count = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verified = verifyRequest(SIGNING_KEY, req.headers[SIGNATURE_HEADER] as string | undefined, {
        method: req.method ?? '',
        path: req.url ?? '',
        reportId: req.headers[REPORT_ID_HEADER] as string | undefined,
        body,
      });
      if (!verified.ok) {
        res.writeHead(401).end();
        return;
      }
      count++;
      const report = JSON.parse(body.toString()) as { status: PhotoReportAck['status'] };
      const ack: PhotoReportAck = { photoId: req.url!.split('/')[4], status: report.status, changed: true, proceed: true };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ack));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        reports: () => count,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

function createdEvent(key: string, size: number): S3Event {
  return {
    Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: BUCKETS.uploads }, object: { key, size } } }],
  } as unknown as S3Event;
}

async function sharpDecodes(input: Buffer): Promise<boolean> {
  try {
    await sharp(input).resize(8).raw().toBuffer();
    return true;
  } catch {
    return false;
  }
}

/** Whether the renditions library decodes this input here (HEIC needs an HEVC decoder). */
async function decodes(input: Buffer): Promise<boolean> {
  try {
    await renderClinicPhoto(input);
    return true;
  } catch (error) {
    if (error instanceof ImageRejectedError && error.code === 'decoder-unavailable') return false;
    throw error;
  }
}

const perMinute = (ms: number) => (IMAGES / (ms / 1000)) * 60;
const perImage = (ms: number) => ((ms / IMAGES) * IN_FLIGHT) / 1000;

export async function benchClinic(): Promise<BenchTable[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'revela-bench-clinic-'));
  const s3server = await startEmbeddedS3({ dataDir: path.join(work, 's3'), port: 0, buckets: Object.values(BUCKETS) });
  const api = await startStubApi();
  const s3 = createS3Client({ endpoint: s3server.endpoint, region: 'us-east-1', forcePathStyle: true });
  const handler = createThumbnailHandler(
    {
      buckets: BUCKETS,
      s3: { endpoint: s3server.endpoint, region: 'us-east-1', forcePathStyle: true },
      apiUrl: api.url,
      signingKey: SIGNING_KEY,
      callbackTimeoutMs: 30_000,
    },
    { log: () => undefined },
  );
  const rows: Array<Array<string | number>> = [];
  const notes: string[] = [];
  // The targets are about the 24 MP JPEG through the handler; NaN (not measured) counts as missed.
  let jpegHandler = { perMinute: Number.NaN, share: Number.NaN };
  try {
    for (const workload of WORKLOADS) {
      const file = fixture('images', workload.file);
      const input = await readFile(file);
      const indices = Array.from({ length: IMAGES }, (_, i) => i);

      if (!(await decodes(input))) {
        notes.push(
          `${workload.label}: not measured through the handler: the renditions library cannot decode HEIC here (no HEVC decoder), so such photos end \`failed\`.`,
        );
      } else {
        const tenantId = randomUUID();
        const animalId = randomUUID();
        const photoKeys = indices.map(() => keys.photoOriginal(tenantId, animalId, randomUUID()));
        await mapLimit(photoKeys, 4, async (key) => {
          await s3.send(new PutObjectCommand({ Bucket: BUCKETS.uploads, Key: key, Body: input }));
        });
        const handlerMs = await timed(async () => {
          let failures = 0;
          const invoker = createAsyncInvoker<S3Event>(
            async (event) => {
              const outcomes = await handler(event);
              if (outcomes[0]?.outcome !== 'ready') failures++;
            },
            { concurrency: IN_FLIGHT, retries: 0, backoffMs: 0, onGiveUp: () => failures++ },
          );
          for (const key of photoKeys) invoker.dispatch(createdEvent(key, input.length));
          await invoker.idle();
          if (failures > 0) throw new Error(`${failures} handler invocations did not end ready`);
        });
        const libraryMs = await timed(() => mapLimit(indices, IN_FLIGHT, async () => void (await renderClinicPhoto(input))));
        // sharp alone cannot decode HEIC (no HEVC in its libvips): the library in-process is the floor then.
        const sharpMs = (await sharpDecodes(input)) ? await timed(() => mapLimit(indices, IN_FLIGHT, () => bareSharp(input))) : undefined;
        const floorMs = sharpMs ?? libraryMs;
        const share = (ms: number) => (floorMs / ms).toFixed(2);
        if (workload.file === 'progressive_6000x4000.jpg' && sharpMs !== undefined)
          jpegHandler = { perMinute: perMinute(handlerMs), share: sharpMs / handlerMs };
        rows.push([
          workload.label,
          'thumbnail handler (s3rver GET, render, 3 PUTs, 2 signed reports)',
          perMinute(handlerMs).toFixed(0),
          perImage(handlerMs).toFixed(3),
          share(handlerMs),
        ]);
        rows.push([
          workload.label,
          'renditions library in-process (no S3, no reports)',
          perMinute(libraryMs).toFixed(0),
          perImage(libraryMs).toFixed(3),
          share(libraryMs),
        ]);
        if (sharpMs !== undefined)
          rows.push([
            workload.label,
            'bare sharp, one process, decode once (floor)',
            perMinute(sharpMs).toFixed(0),
            perImage(sharpMs).toFixed(3),
            '1.00',
          ]);
      }

      const imOut = await mkdtemp(path.join(work, 'im-'));
      // A process per image has no warm state to build up: no warm-up run.
      const imMs = await timed(() => mapLimit(indices, IN_FLIGHT, (_, i) => imageMagick(file, imOut, i)), false);
      rows.push([
        workload.label,
        `ImageMagick ${IMAGEMAGICK}, a process per image`,
        perMinute(imMs).toFixed(0),
        perImage(imMs).toFixed(3),
        '',
      ]);
    }
  } finally {
    s3.destroy();
    await api.close();
    await s3server.stop();
    await rm(work, { recursive: true, force: true });
  }
  return [
    {
      title: `Clinic renditions (160 WebP cover, 480 WebP, 1600 JPEG q82): ${IMAGES} images, ${IN_FLIGHT} in flight, median of ${RUNS} runs`,
      columns: ['input', 'pipeline', 'images/min', 's/image (per worker)', 'share of the floor'],
      rows,
      targets: [
        target('handler images/min, 24 MP JPEG', jpegHandler.perMinute, '≥', 500, (n) => n.toFixed(0)),
        target('handler / bare sharp, 24 MP JPEG, same run', jpegHandler.share, '≥', 0.9, (n) => n.toFixed(2)),
      ],
      notes: [
        'The handler reports to a stub API that verifies each signature; the real API adds one indexed UPDATE per report.',
        'Floor: bare sharp where sharp decodes the input, else the renditions library in-process. "share of the floor" = floor time / pipeline time (1.00 = as fast as the floor).',
        ...notes,
      ],
    },
  ];
}

/** `node dist/bench/clinic.js` runs it alone. */
if (import.meta.url === `file://${process.argv[1]}`) {
  benchClinic().then(
    (tables) => {
      for (const table of tables) console.log(`${renderTable(table)}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
