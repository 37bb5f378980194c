import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createRevelaClient, paginate, RevelaProblem, type RevelaClient, unwrap } from '#sdk';
import { image } from '../clinic/photo-helpers.js';
import { fixture } from '../support/fixtures.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { readZip } from '../support/zip.js';

/**
 * Both flows through the generated SDK only (plus the presigned PUTs it hands out, which go to
 * storage, not to the API), against the real app: the thumbnail Lambda wired to S3 events and
 * batch workers started by the local launcher. Completion is learnt from webhooks, not by polling.
 */
describe('the TypeScript SDK against the real API', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let admin: RevelaClient;

  before(async () => {
    t = await startTestApp({ WEBHOOK_POLL_MS: '100', IDLE_SHUTDOWN_SECONDS: '3' }, { thumbnails: true });
    receiver = await WebhookReceiver.start();
    admin = createRevelaClient({ baseUrl: t.baseUrl, apiKey: t.adminToken });
  });
  after(async () => {
    await receiver.close();
    await t.close();
  });

  async function tenant(kind: 'clinic' | 'studio'): Promise<RevelaClient> {
    const created = await unwrap(admin.POST('/v1/tenants', { body: { name: `SDK ${kind}`, kind } }));
    return createRevelaClient({ baseUrl: t.baseUrl, apiKey: created.apiKey.key });
  }

  /** Registers an endpoint for `events` on its own path; returns a verifier for what arrives there. */
  async function subscribe(
    client: RevelaClient,
    events: Array<'photo.ready' | 'photo.failed' | 'job.completed' | 'job.completed_with_errors' | 'job.failed' | 'file.failed'>,
  ) {
    const hookPath = `/${randomUUID()}`;
    const endpoint = await unwrap(
      client.POST('/v1/webhook-endpoints', { body: { url: receiver.url(hookPath), events, description: 'SDK test' } }),
    );
    const webhook = new Webhook(endpoint.secret);
    return {
      wait: async (type: string, match: (data: Record<string, any>) => boolean = () => true) => {
        const found = await receiver.waitFor(
          (all) => all.find((r) => r.path === hookPath && r.event.type === type && match(r.event.data)),
          `${type} at ${hookPath}`,
          120_000,
        );
        return webhook.verify(found.body, found.headers as Record<string, string>) as { type: string; data: Record<string, any> };
      },
    };
  }

  it('clinic: registers an animal, uploads a photo, and hears photo.ready', async () => {
    const clinic = await tenant('clinic');
    const hooks = await subscribe(clinic, ['photo.ready', 'photo.failed']);
    const animal = await unwrap(
      clinic.POST('/v1/animals', {
        body: { name: 'Bolinha', species: 'dog', tutor: { name: 'Maria Silva' } },
        params: { header: { 'Idempotency-Key': randomUUID() } },
      }),
    );
    const bytes = image('orientation_6.jpg');
    const created = await unwrap(
      clinic.POST('/v1/animals/{animalId}/photos', {
        params: { path: { animalId: animal.id } },
        body: { contentType: 'image/jpeg', filename: 'bolinha.jpg', bytes: bytes.length },
      }),
    );
    assert.ok('upload' in created, 'the JSON form answers an upload target');
    const put = await fetch(created.upload.url, { method: 'PUT', headers: created.upload.headers, body: bytes });
    assert.equal(put.status, 200);

    const event = await hooks.wait('photo.ready', (data) => data.photo.id === created.photo.id);
    const photo = await unwrap(
      clinic.GET('/v1/animals/{animalId}/photos/{photoId}', { params: { path: { animalId: animal.id, photoId: created.photo.id } } }),
    );
    assert.equal(photo.status, 'ready');
    assert.deepEqual(
      event.data.photo.renditions.map((r: { name: string }) => r.name),
      photo.renditions.map((r) => r.name),
    );
    assert.equal(event.data.photo.original.width, photo.original!.width);

    const animals = [];
    for await (const item of paginate((cursor) => clinic.GET('/v1/animals', { params: { query: { cursor, limit: 1 } } })))
      animals.push(item.id);
    assert.deepEqual(animals, [animal.id]);
  });

  it('studio: creates a job, uploads RAW files, submits, hears job.completed_with_errors and downloads the ZIP', async () => {
    const studio = await tenant('studio');
    const hooks = await subscribe(studio, ['job.completed', 'job.completed_with_errors', 'job.failed', 'file.failed']);
    const job = await unwrap(
      studio.POST('/v1/jobs', {
        body: {
          name: 'SDK batch',
          preset: {
            variants: [
              { name: 'web', longEdge: 640, format: 'jpeg', quality: 80 },
              { name: 'thumb', longEdge: 160, format: 'webp', quality: 75 },
            ],
          },
        },
        params: { header: { 'Idempotency-Key': randomUUID() } },
      }),
    );
    const files = [
      fixture('raw', 'lg_g4_h815_sample_1mp.dng'),
      fixture('raw', 'kodak_dc50.kdc'),
      fixture('raw', 'broken', 'iphone12pro_pruned.dng'),
    ];
    for (const file of files) {
      const bytes = await readFile(file);
      const declared = await unwrap(
        studio.POST('/v1/jobs/{id}/files', {
          params: { path: { id: job.id } },
          body: { filename: path.basename(file), bytes: bytes.length },
        }),
      );
      assert.equal(declared.upload.method, 'PUT');
      const put = await fetch(declared.upload.url!, { method: 'PUT', headers: declared.upload.headers, body: bytes });
      assert.equal(put.status, 200);
    }

    await assert.rejects(unwrap(studio.GET('/v1/jobs/{id}/download', { params: { path: { id: job.id } } })), (error: unknown) => {
      assert.ok(error instanceof RevelaProblem);
      assert.equal(error.status, 409);
      return true;
    });
    const submitted = await unwrap(studio.POST('/v1/jobs/{id}/submit', { params: { path: { id: job.id } } }));
    assert.equal(submitted.status, 'queued');

    const finished = await hooks.wait('job.completed_with_errors', (data) => data.job.id === job.id);
    assert.equal(finished.data.job.fileCounts.done, 2);
    assert.equal(finished.data.job.fileCounts.failed, 1);
    const failedFile = await hooks.wait('file.failed', (data) => data.jobId === job.id);
    assert.equal(failedFile.data.file.filename, 'iphone12pro_pruned.dng');
    assert.ok(failedFile.data.file.error);

    const listed = [];
    for await (const file of paginate((cursor) =>
      studio.GET('/v1/jobs/{id}/files', { params: { path: { id: job.id }, query: { cursor, limit: 2 } } }),
    ))
      listed.push(file);
    assert.equal(listed.length, 3);

    const download = await unwrap(studio.GET('/v1/jobs/{id}/download', { params: { path: { id: job.id } } }));
    assert.ok(download.archive);
    const zip = await fetch(download.archive.url);
    assert.equal(zip.status, 200);
    const entries = await readZip(Buffer.from(await zip.arrayBuffer()));
    assert.deepEqual([...entries.keys()].sort(), [
      'kodak_dc50_thumb.webp',
      'kodak_dc50_web.jpg',
      'lg_g4_h815_sample_1mp_thumb.webp',
      'lg_g4_h815_sample_1mp_web.jpg',
    ]);
  });
});
