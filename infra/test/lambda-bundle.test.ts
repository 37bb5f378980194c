/**
 * The artefact the stack deploys: dist/lambda/thumbnail-lambda.zip (`npm run build:lambda`). Its
 * handler file is where the stack's handler setting points, and the unzipped bundle, run by Node 24
 * (the Lambda runtime, from the `node` npm package), handles a real S3 event from the local S3 server
 * and sends signed reports to a stand-in for the API's internal listener.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { REPORT_ID_HEADER, SIGNATURE_HEADER, verifyRequest } from '#signing';
import type { PhotoReport } from '#thumbnails';
import { createS3Client, type EmbeddedS3Handle, startEmbeddedS3 } from '#storage';
import { fixture } from '../../test/support/fixtures.js';
import { readZip } from '../../test/support/zip.js';
import { THUMBNAIL_HANDLER } from '../lib/revela-stack.js';

const run = promisify(execFile);
const ZIP = path.resolve('dist/lambda/thumbnail-lambda.zip');
const BUILD_SCRIPT = path.resolve('dist/scripts/build-lambda.js');
/** Lambda's nodejs24.x runtime, stood in for by the `node` npm package at that major version. */
const NODE_24 = ['-y', 'node@24'];

/** The bundle is built once per test run (npm test empties dist/ first); about 4 s. */
async function ensureBundle(): Promise<void> {
  if (existsSync(ZIP)) return;
  assert.ok(existsSync(BUILD_SCRIPT), 'dist/scripts/build-lambda.js is missing: run `npm run build` first');
  await run(process.execPath, [BUILD_SCRIPT], { cwd: process.cwd(), maxBuffer: 16 * 1024 * 1024 });
}

describe('the thumbnail Lambda bundle', { timeout: 120_000 }, () => {
  let entries: Map<string, Buffer>;
  const [moduleName, exportName] = THUMBNAIL_HANDLER.split('.');

  before(async () => {
    await ensureBundle();
    entries = await readZip(await readFile(ZIP));
  });

  it(`holds the handler the stack names (${THUMBNAIL_HANDLER}) and the native sharp packages`, () => {
    const file = ['.mjs', '.js', '.cjs'].map((ext) => `${moduleName}${ext}`).find((name) => entries.has(name));
    assert.ok(file, `${moduleName}.mjs|.js|.cjs at the root of the zip`);
    assert.match(
      entries.get(file)!.toString('utf8'),
      new RegExp(`export\\s*\\{[^}]*\\b${exportName}\\b[^}]*\\}|export\\s+(const|async function|function)\\s+${exportName}\\b`),
    );
    for (const pkg of ['sharp', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64'])
      assert.ok(entries.has(`node_modules/${pkg}/package.json`), pkg);
  });

  describe('under Node 24, against the local S3 server', () => {
    let dir: string;
    let s3: EmbeddedS3Handle;
    let api: Server;
    const reports: Array<{ path: string; report: PhotoReport; signature: { ok: boolean } }> = [];
    const signingKey = randomBytes(32).toString('hex');
    const buckets = { uploads: 'revela-smoke-uploads', processed: 'revela-smoke-processed' };

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'revela-lambda-smoke-'));
      for (const [name, data] of entries) {
        if (name.endsWith('/')) continue;
        await mkdir(path.dirname(path.join(dir, 'bundle', name)), { recursive: true });
        await writeFile(path.join(dir, 'bundle', name), data);
      }
      s3 = await startEmbeddedS3({ dataDir: path.join(dir, 's3'), port: 0, buckets: Object.values(buckets) });
      // Stands in for the API's internal listener: records each report and checks its signature.
      api = createServer((request: IncomingMessage, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (c: Buffer) => chunks.push(c));
        request.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const report = JSON.parse(body) as PhotoReport;
          const signature = verifyRequest(signingKey, request.headers[SIGNATURE_HEADER] as string | undefined, {
            method: request.method ?? '',
            path: request.url ?? '',
            reportId: request.headers[REPORT_ID_HEADER] as string | undefined,
            body,
          });
          reports.push({ path: request.url ?? '', report, signature });
          const photoId = decodeURIComponent((request.url ?? '').split('/')[4] ?? '');
          response.writeHead(signature.ok ? 200 : 401, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ photoId, status: report.status, changed: true, proceed: true }));
        });
      });
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    });

    after(async () => {
      await new Promise<void>((resolve) => api?.close(() => resolve()));
      await s3?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('renders a real upload event into the processed bucket and reports it, signed', async () => {
      const [tenant, animal, photo] = [randomUUID(), randomUUID(), randomUUID()];
      const key = `tenants/${tenant}/animals/${animal}/photos/${photo}/original`;
      const events: S3Event[] = [];
      s3.onEvent((event) => events.push(event));
      const client = createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true });
      await client.send(
        new PutObjectCommand({
          Bucket: buckets.uploads,
          Key: key,
          Body: await readFile(fixture('images', 'orientation_6.jpg')),
          ContentType: 'image/jpeg',
        }),
      );
      for (let i = 0; i < 100 && !events.some((e) => e.Records.some((r) => r.s3.bucket.name === buckets.uploads)); i++)
        await new Promise((r) => setTimeout(r, 50));
      const event = events.find((e) => e.Records.some((r) => r.s3.bucket.name === buckets.uploads));
      assert.ok(event, 'the S3 server emitted an ObjectCreated event');
      await writeFile(path.join(dir, 'event.json'), JSON.stringify(event));
      await writeFile(
        path.join(dir, 'invoke.mjs'),
        [
          "import { readFile } from 'node:fs/promises';",
          "import { pathToFileURL } from 'node:url';",
          'const bundle = await import(pathToFileURL(process.argv[2]).href);',
          "const event = JSON.parse(await readFile(process.argv[3], 'utf8'));",
          `const outcomes = await bundle[${JSON.stringify(exportName)}](event);`,
          'process.stdout.write(JSON.stringify({ node: process.version, outcomes }));',
        ].join('\n'),
      );

      const port = (api.address() as AddressInfo).port;
      const { stdout } = await run(
        'npx',
        [...NODE_24, path.join(dir, 'invoke.mjs'), path.join(dir, 'bundle', `${moduleName}.mjs`), path.join(dir, 'event.json')],
        {
          cwd: dir,
          timeout: 90_000,
          maxBuffer: 16 * 1024 * 1024,
          // What Lambda would give the function (the stack's variables), pointed at the local servers.
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME ?? os.homedir(),
            npm_config_yes: 'true',
            npm_config_update_notifier: 'false',
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'S3RVER',
            AWS_SECRET_ACCESS_KEY: 'S3RVER',
            BUCKET_UPLOADS: buckets.uploads,
            BUCKET_PROCESSED: buckets.processed,
            S3_ENDPOINT: s3.endpoint,
            S3_FORCE_PATH_STYLE: 'true',
            PUBLIC_API_URL: `http://127.0.0.1:${port}`,
            CALLBACK_SIGNING_KEY: signingKey,
          },
        },
      );
      const result = JSON.parse(stdout.slice(stdout.lastIndexOf('{"node"'))) as {
        node: string;
        outcomes: Array<{ outcome: string; photoId: string }>;
      };
      assert.match(result.node, /^v24\./);
      assert.deepEqual(
        result.outcomes.map((o) => [o.outcome, o.photoId]),
        [['ready', photo]],
      );

      assert.deepEqual(
        reports.map((r) => [r.report.status, r.signature.ok, r.path]),
        [
          ['processing', true, `/internal/v1/photos/${photo}/result`],
          ['ready', true, `/internal/v1/photos/${photo}/result`],
        ],
      );
      const ready = reports[1].report;
      assert.equal(ready.status, 'ready');
      if (ready.status !== 'ready') return;
      assert.deepEqual(ready.renditions.map((r) => r.name).sort(), ['large', 'small', 'thumb']);
      for (const rendition of ready.renditions) {
        assert.ok(rendition.key.startsWith(`tenants/${tenant}/animals/${animal}/photos/${photo}/`));
        const head = await client.send(new HeadObjectCommand({ Bucket: buckets.processed, Key: rendition.key }));
        assert.equal(head.ContentLength, rendition.bytes);
      }
    });
  });
});
