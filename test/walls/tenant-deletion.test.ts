import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { createS3Client } from '#storage';
import { createAnimal, image, uploadPresigned, waitForPhoto } from '../clinic/photo-helpers.js';
import { fixture } from '../support/fixtures.js';
import { createJob, uploadFile, waitForJob } from '../support/studio.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PRESET = { variants: [{ name: 'web', longEdge: 400, format: 'jpeg', quality: 80 }] };

/**
 * Deleting a tenant: S3 first (objects and open multipart uploads under its prefix), then every
 * row in one transaction; resumable when interrupted; other tenants untouched.
 */
describe('tenant deletion', () => {
  let t: TestApp;
  let owner: pg.Client;
  let s3: S3Client;

  before(async () => {
    t = await startTestApp({ IDLE_SHUTDOWN_SECONDS: '3' }, { thumbnails: true, s3Proxy: true });
    owner = new pg.Client({ connectionString: t.database.url });
    await owner.connect();
    s3 = createS3Client({ endpoint: t.s3.endpoint, region: 'us-east-1', forcePathStyle: true });
  });
  after(async () => {
    s3.destroy();
    await owner.end();
    await t.close();
  });

  const bearer = (key: string) => `Bearer ${key}`;
  const deleteTenant = (id: string) => t.http().delete(`/v1/tenants/${id}`).set('Authorization', bearer(t.adminToken));

  /** Rows naming the tenant, per table: every table with a tenant_id column, the tenant row, its idempotency records. */
  async function rowsOf(tenantId: string): Promise<Record<string, number>> {
    const { rows: tables } = await owner.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY 1`,
    );
    assert.ok(tables.length >= 11, 'every tenant table is checked');
    const counts: Record<string, number> = {};
    for (const { table_name } of tables) {
      const { rows } = await owner.query(`SELECT count(*)::int AS n FROM "${table_name}" WHERE tenant_id = $1`, [tenantId]);
      counts[table_name] = rows[0].n;
    }
    counts.tenants = (await owner.query(`SELECT count(*)::int AS n FROM tenants WHERE id = $1`, [tenantId])).rows[0].n;
    counts.idempotency_keys = (
      await owner.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE scope = $1`, [`tenant:${tenantId}`])
    ).rows[0].n;
    return counts;
  }
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  async function objectsOf(tenantId: string): Promise<string[]> {
    const found: string[] = [];
    for (const bucket of new Set(Object.values(t.config.s3.buckets))) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tenants/${tenantId}/` }));
      found.push(...(page.Contents ?? []).map((o) => `${bucket}/${o.Key}`));
    }
    return found;
  }

  async function clinicWithReadyPhoto(name: string): Promise<{ id: string; key: string; animalId: string; photoId: string }> {
    const clinic = await t.createTenant('clinic', name);
    const animalId = await createAnimal(t, bearer(clinic.key));
    const photo = await uploadPresigned(t, bearer(clinic.key), animalId, 'front.jpg', image('orientation_1.jpg'));
    const ready = await waitForPhoto(t, bearer(clinic.key), animalId, photo.id);
    assert.equal(ready.status, 'ready');
    return { ...clinic, animalId, photoId: photo.id };
  }

  it('deletes every row and object of a clinic and of a studio, and nothing of another tenant', async () => {
    const clinic = await clinicWithReadyPhoto('Doomed Clinic');
    const bystander = await clinicWithReadyPhoto('Bystander');

    const studio = await t.createTenant('studio', 'Doomed Studio');
    const jobId = await createJob(t, studio.key, { name: 'Delivered', preset: PRESET });
    await uploadFile(t, studio.key, jobId, fixture('raw', 'lg_g4_h815_sample_1mp.dng'));
    assert.equal((await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', bearer(studio.key))).status, 200);
    const job = await waitForJob(t, studio.key, jobId);
    assert.equal(job.status, 'completed');
    const zip = await t.http().get(`/v1/jobs/${jobId}/download`).set('Authorization', bearer(studio.key));
    assert.ok(zip.body.archive, 'the job has its ZIP');
    // A second job with a large file declared: a multipart upload is open under the tenant's prefix.
    const draftId = await createJob(t, studio.key, { name: 'Unfinished' });
    const declared = await t
      .http()
      .post(`/v1/jobs/${draftId}/files`)
      .set('Authorization', bearer(studio.key))
      .set('Idempotency-Key', randomUUID())
      .send({ filename: 'big.nef', bytes: 150_000_000 });
    assert.equal(declared.status, 201, declared.text);
    assert.equal(declared.body.upload.method, 'MULTIPART');
    assert.equal(t.s3Proxy!.openMultipartUploads().length, 1);

    const beforeBystander = await rowsOf(bystander.id);
    const bystanderObjects = await objectsOf(bystander.id);
    for (const doomed of [clinic, studio]) {
      assert.ok(total(await rowsOf(doomed.id)) > 3);
      assert.ok((await objectsOf(doomed.id)).length > 0);
    }
    assert.ok((await objectsOf(studio.id)).some((key) => key.endsWith('/archive.zip')));
    assert.equal((await rowsOf(studio.id)).idempotency_keys, 1);
    assert.ok((await rowsOf(studio.id)).audit_events >= 2, 'its audit log goes with it');
    assert.ok((await objectsOf(clinic.id)).length >= 4, 'the original and its renditions');

    for (const doomed of [clinic, studio]) {
      const res = await deleteTenant(doomed.id);
      assert.equal(res.status, 204, res.text);
      const left = await rowsOf(doomed.id);
      assert.equal(total(left), 0, `rows left: ${JSON.stringify(left)}`);
      assert.deepEqual(await objectsOf(doomed.id), []);
      assert.equal((await t.http().get('/v1/tenant').set('Authorization', bearer(doomed.key))).status, 401);
      assert.equal((await t.http().get(`/v1/tenants/${doomed.id}`).set('Authorization', bearer(t.adminToken))).status, 404);
    }
    assert.deepEqual(t.s3Proxy!.openMultipartUploads(), [], 'the open multipart upload was aborted');

    assert.deepEqual(await rowsOf(bystander.id), beforeBystander);
    assert.deepEqual(await objectsOf(bystander.id), bystanderObjects);
    const photo = await t
      .http()
      .get(`/v1/animals/${bystander.animalId}/photos/${bystander.photoId}`)
      .set('Authorization', bearer(bystander.key));
    assert.equal(photo.status, 200);
    assert.equal((await fetch(photo.body.renditions[0].url)).status, 200);

    // The deletion outlives the tenant in the platform's audit log; repeating it is fine.
    const log = await t.http().get('/v1/admin/audit-events').query({ action: 'tenant.deleted' }).set('Authorization', bearer(t.adminToken));
    const deleted = log.body.items.map((e: { tenantId: string | null; target: { id: string } }) => [e.tenantId, e.target.id]);
    assert.deepEqual(
      deleted.sort(),
      [
        [null, clinic.id],
        [null, studio.id],
      ].sort(),
    );
    // A rendition that lands after the deletion (a thumbnail Lambda still running) is swept by a repeated DELETE.
    const late = `tenants/${clinic.id}/animals/${clinic.animalId}/photos/${clinic.photoId}/renditions/large.jpg`;
    await s3.send(new PutObjectCommand({ Bucket: t.config.s3.buckets.processed, Key: late, Body: 'late' }));
    assert.deepEqual(await objectsOf(clinic.id), [`${t.config.s3.buckets.processed}/${late}`]);
    assert.equal((await deleteTenant(clinic.id)).status, 204);
    assert.deepEqual(await objectsOf(clinic.id), []);
    assert.equal((await deleteTenant(randomUUID())).status, 404);
  });

  it('finishes an interrupted deletion when it is asked again', async () => {
    const studio = await t.createTenant('studio', 'Interrupted');
    const jobId = await createJob(t, studio.key, { name: 'Stored' });
    await uploadFile(t, studio.key, jobId, fixture('raw', 'kodak_dc50.kdc'));

    t.s3Proxy!.fault = 'slowdown';
    let failed;
    try {
      failed = await deleteTenant(studio.id);
    } finally {
      t.s3Proxy!.fault = 'none';
    }
    assert.ok(failed.status >= 500, `S3 refused: ${failed.status}`);
    // Marked before S3 was touched: the tenant is locked out, and nothing is lost half-way.
    assert.equal((await t.http().get('/v1/tenant').set('Authorization', bearer(studio.key))).status, 401);
    assert.ok((await rowsOf(studio.id)).jobs === 1);
    assert.equal((await objectsOf(studio.id)).length, 1);
    const shown = await t.http().get(`/v1/tenants/${studio.id}`).set('Authorization', bearer(t.adminToken));
    assert.equal(shown.body.status, 'deleting', 'the admin sees the unfinished deletion');

    assert.equal((await deleteTenant(studio.id)).status, 204);
    assert.equal(total(await rowsOf(studio.id)), 0);
    assert.deepEqual(await objectsOf(studio.id), []);
  });
});
