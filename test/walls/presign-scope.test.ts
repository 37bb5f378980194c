import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { keys } from '#storage';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBLEM = /^application\/problem\+json/;

/**
 * Keys read from rows are data, not proof: a row pointing outside its tenant's job folder (a bug,
 * a bad migration, a forged write) must never become a presigned link. And the database itself
 * refuses a file row that pairs one tenant with another tenant's job.
 */
describe('presigned URLs stay inside the caller’s prefix; job_files belong to their job’s tenant', () => {
  let t: TestApp;
  let db: pg.Client;
  let a: { id: string; key: string };
  let b: { id: string; key: string };
  let jobA: string;
  let jobB: string;

  before(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    a = await t.createTenant('studio');
    b = await t.createTenant('studio');
    const create = async (tenant: { key: string }) => {
      const res = await t.http().post('/v1/jobs').set('Authorization', `Bearer ${tenant.key}`).send({ name: 'Shoot' });
      assert.equal(res.status, 201, res.text);
      return res.body.id as string;
    };
    jobA = await create(a);
    jobB = await create(b);
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  const complete = (jobId: string, archiveKey: string) =>
    db.query(`UPDATE jobs SET status = 'completed', finished_at = now(), archive_key = $2, archive_bytes = 10 WHERE id = $1`, [
      jobId,
      archiveKey,
    ]);
  const download = (jobId: string) => t.http().get(`/v1/jobs/${jobId}/download`).set('Authorization', `Bearer ${a.key}`);

  it("links the job's own archive", async () => {
    await complete(jobA, keys.jobArchive(a.id, jobA));
    const res = await download(jobA);
    assert.equal(res.status, 200, res.text);
    assert.match(res.body.archive.url, new RegExp(`tenants/${a.id}/jobs/${jobA}/archive\\.zip`));
  });

  it("never presigns an archive key that points at another tenant's object", async () => {
    await complete(jobA, keys.jobArchive(b.id, jobB));
    const res = await download(jobA);
    assert.equal(res.status, 500);
    assert.match(res.headers['content-type'], PROBLEM);
    assert.ok(!res.text.includes(b.id), 'nothing of the other tenant leaks');
    assert.ok(!/X-Amz-Signature/i.test(res.text), 'no link was signed');
  });

  it("never presigns an output key outside the job's folder", async () => {
    await complete(jobA, keys.jobArchive(a.id, jobA));
    const fileId = randomUUID();
    const foreignOutput = [
      { variant: 'web', key: keys.jobOutput(b.id, jobB, fileId, 'web', 'jpg'), format: 'jpeg', width: 1, height: 1, bytes: 1 },
    ];
    await db.query(
      `INSERT INTO job_files (id, tenant_id, job_id, filename, bytes, object_key, status, outputs) VALUES ($1, $2, $3, 'a.nef', 1, $4, 'done', $5)`,
      [fileId, a.id, jobA, keys.jobRaw(a.id, jobA, fileId), JSON.stringify(foreignOutput)],
    );
    const res = await download(jobA);
    assert.equal(res.status, 500);
    assert.ok(!res.text.includes(b.id));
  });

  it("refuses, in the database, a file row that pairs one tenant with another tenant's job", async () => {
    const fileId = randomUUID();
    await assert.rejects(
      db.query(`INSERT INTO job_files (id, tenant_id, job_id, filename, bytes, object_key) VALUES ($1, $2, $3, 'x.nef', 1, $4)`, [
        fileId,
        a.id,
        jobB,
        keys.jobRaw(a.id, jobB, fileId),
      ]),
      (err: Error & { constraint?: string }) => err.constraint === 'job_files_job_fkey',
    );
  });
});
