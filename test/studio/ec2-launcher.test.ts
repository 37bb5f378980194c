import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import pg from 'pg';
import { fixture } from '../support/fixtures.js';
import { createJob, uploadFile } from '../support/studio.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TEMPLATE = 'lt-0123456789abcdef0';

describe('EC2 worker launcher', () => {
  const ec2 = mockClient(EC2Client);
  let t: TestApp;
  let instance = 0;

  before(async () => {
    ec2.on(RunInstancesCommand).callsFake(() => ({ Instances: [{ InstanceId: `i-0000000000000000${++instance}` }] }));
    t = await startTestApp({ WORKER_LAUNCHER: 'ec2', EC2_LAUNCH_TEMPLATE_ID: TEMPLATE, MAX_WORKERS: '2', WORKER_CONCURRENCY: '2' });
  });
  after(async () => {
    await t.close();
    ec2.restore();
  });

  it('starts the instances the backlog needs from the launch template, tagged, with no secret in user data', async () => {
    const studio = await t.createTenant('studio');
    const jobId = await createJob(t, studio.key, { name: 'Cloud' });
    for (const name of ['nikon_d1.nef', 'kodak_dc50.kdc', 'canon_eos_6d_lossy_reduced.dng']) {
      await uploadFile(t, studio.key, jobId, fixture('raw', name));
    }
    const submitted = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', `Bearer ${studio.key}`);
    assert.equal(submitted.status, 200);

    const calls = ec2.commandCalls(RunInstancesCommand);
    assert.equal(calls.length, 2, '3 files at 2 per worker need 2 workers (MAX_WORKERS=2)');
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    const { rows: workers } = await db.query(`SELECT id, kind, instance_id FROM workers ORDER BY instance_id`);
    await db.end();
    assert.deepEqual(workers.map((w) => [w.kind, w.instance_id]), [
      ['ec2', 'i-00000000000000001'],
      ['ec2', 'i-00000000000000002'],
    ]);

    for (const [index, call] of calls.entries()) {
      const input = call.args[0].input;
      const workerId = workers[index].id as string;
      const tags = [
        { Key: 'Name', Value: `revela-batch-worker-${workerId.slice(0, 8)}` },
        { Key: 'revela:role', Value: 'batch-worker' },
        { Key: 'revela:worker-id', Value: workerId },
        { Key: 'revela:tenant-id', Value: studio.id },
        { Key: 'revela:job-id', Value: jobId },
      ];
      const userData = Buffer.from(input.UserData!, 'base64').toString('utf8');
      assert.deepEqual(input, {
        LaunchTemplate: { LaunchTemplateId: TEMPLATE, Version: '$Latest' },
        MinCount: 1,
        MaxCount: 1,
        InstanceInitiatedShutdownBehavior: 'terminate',
        UserData: input.UserData,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
        ClientToken: workerId,
      });
      assert.match(userData, new RegExp(`WORKER_ID=${workerId}`));
      for (const secret of [t.adminToken, t.config.database.url, 'postgres://', t.config.callbackSigningKey]) {
        assert.ok(!userData.includes(secret), 'no secret in user data');
      }
    }

    const again = await t.http().post(`/v1/jobs/${jobId}/cancel`).set('Authorization', `Bearer ${studio.key}`);
    assert.equal(again.status, 200);
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 2, 'no more instances than the backlog needs');
  });
});
