import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { image } from '../clinic/photo-helpers.js';
import { waitForPhoto } from '../clinic/photo-helpers.js';
import { fixture } from '../support/fixtures.js';
import { createJob, uploadFile, waitForJob } from '../support/studio.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * README: "Keys, tokens and presigned URLs are never logged." The API's JSON log stream is captured,
 * at debug level, through a clinic flow (presigned upload, the Lambda's signed report, presigned
 * renditions) and a studio flow (presigned upload, a worker with its token, presigned downloads),
 * plus a refused key. (The batch worker's own output goes to the test's stdout, not into this stream.)
 */
describe('logs: no keys, tokens or presigned URLs', () => {
  let t: TestApp;
  const lines: string[] = [];
  const logStream = { write: (line: string) => void lines.push(line) };

  before(async () => {
    t = await startTestApp({ LOG_LEVEL: 'debug', IDLE_SHUTDOWN_SECONDS: '1' }, { thumbnails: true, logStream });
  });
  after(async () => {
    await t.close();
  });

  it('logs requests with their ids and tenants, and none of the secrets the flows handled', async () => {
    const secrets = new Map<string, string>([
      ['admin token', t.adminToken],
      ['callback signing key', t.config.callbackSigningKey],
    ]);
    const presigned: string[] = [];

    const clinic = await t.createTenant('clinic');
    const studio = await t.createTenant('studio');
    secrets.set('clinic key', clinic.key).set('studio key', studio.key);
    const wrongKey = `${clinic.key.slice(0, -6)}AAAAAA`;
    secrets.set('a refused key', wrongKey);
    assert.equal((await t.http().get('/v1/animals').set('Authorization', `Bearer ${wrongKey}`)).status, 401);

    // Clinic: presigned PUT, the Lambda's HMAC-signed report, presigned rendition links.
    const animal = await t
      .http()
      .post('/v1/animals')
      .set('Authorization', `Bearer ${clinic.key}`)
      .send({ name: 'Rex', species: 'dog', tutor: { name: 'Ana' } });
    assert.equal(animal.status, 201);
    const bytes = image('grayscale_gray_icc.jpg');
    const asked = await t
      .http()
      .post(`/v1/animals/${animal.body.id}/photos`)
      .set('Authorization', `Bearer ${clinic.key}`)
      .send({ contentType: 'image/jpeg', filename: 'rex.jpg', bytes: bytes.length });
    assert.equal(asked.status, 201);
    presigned.push(asked.body.upload.url);
    assert.equal((await fetch(asked.body.upload.url, { method: 'PUT', headers: asked.body.upload.headers, body: bytes })).status, 200);
    const photo = await waitForPhoto(t, `Bearer ${clinic.key}`, animal.body.id, asked.body.photo.id);
    assert.equal(photo.status, 'ready');
    presigned.push(...photo.renditions.map((r) => r.url));

    // Studio: presigned PUT, a worker holding a token and presigned URLs, presigned downloads.
    const jobId = await createJob(t, studio.key, {
      name: 'Logged',
      preset: { variants: [{ name: 'thumb', longEdge: 200, format: 'webp', quality: 80 }] },
    });
    await uploadFile(t, studio.key, jobId, fixture('raw', 'kodak_dc50.kdc'));
    assert.equal((await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', `Bearer ${studio.key}`)).status, 200);
    assert.equal((await waitForJob(t, studio.key, jobId)).status, 'completed');
    const download = await t.http().get(`/v1/jobs/${jobId}/download`).set('Authorization', `Bearer ${studio.key}`);
    assert.equal(download.status, 200);
    presigned.push(download.body.archive.url);

    // What was captured is the API's log: request lines with their ids, the tenant once authenticated,
    // the worker's calls among them.
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const completed = entries.filter((e) => e.msg === 'request completed');
    assert.ok(completed.length > 10, `${completed.length} request lines`);
    assert.ok(completed.every((e) => typeof e.requestId === 'string'));
    assert.ok(completed.some((e) => e.tenantId === clinic.id));
    assert.ok(
      entries.some((e) => String((e.req as { path?: string } | undefined)?.path ?? '').startsWith('/internal/')),
      'the worker and Lambda calls are logged',
    );

    const log = lines.join('');
    for (const [what, secret] of secrets) assert.equal(log.includes(secret), false, `the ${what} is in the logs`);
    for (const url of presigned) {
      const signature = new URL(url).searchParams.get('X-Amz-Signature')!;
      assert.ok(signature);
      assert.equal(log.includes(signature), false, `a presigned URL's signature is in the logs: ${url.split('?')[0]}`);
    }
    assert.doesNotMatch(log, /X-Amz-(Signature|Credential)/i, 'no presigned URL at all');
    assert.doesNotMatch(log, /rvw_[A-Za-z0-9_-]{20,}/, 'no worker token');
    assert.doesNotMatch(log, /rvl_[A-Za-z0-9_-]{20,}/, 'no API key');
  });
});
