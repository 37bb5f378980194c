import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { AddTagsToResourceCommand, DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import pg from 'pg';
import { asSystem } from '#database';
import { type ClaimArchiveResponse, type ClaimFileResponse, workerRoutes } from '#worker-protocol';
import { CapacityService } from '../../apps/api/src/jobs/launcher/capacity.service.js';
import { issueWorkerToken } from '../../apps/api/src/jobs/workers/worker-token.js';
import { WorkersRepository } from '../../apps/api/src/jobs/workers/workers.repository.js';
import { fixture } from '../support/fixtures.js';
import { createJob, uploadFile } from '../support/studio.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TEMPLATE = 'lt-0123456789abcdef0';
const PREFIX = '/revela/test/worker-tokens';
const INTERNAL_URL = 'http://10.0.1.10:3001';
const ACCOUNT = '123456789012';

/**
 * The EC2 launcher against mocked EC2 and SSM control planes (the only fakes: they cannot run
 * here). Every request is asserted whole; the database, S3 and the worker endpoints are real.
 */
describe('EC2 worker launcher', () => {
  const ec2 = mockClient(EC2Client);
  const ssm = mockClient(SSMClient);
  let t: TestApp;
  let db: pg.Client;
  let studio: { id: string; key: string };
  let instance = 0;
  /** Every worker token the API stored for an instance role, by worker id. */
  const issued = new Map<string, string>();
  const jobs: string[] = [];

  before(async () => {
    t = await startTestApp({
      WORKER_LAUNCHER: 'ec2',
      EC2_LAUNCH_TEMPLATE_ID: TEMPLATE,
      WORKER_TOKEN_PARAMETER_PREFIX: PREFIX,
      INTERNAL_API_URL: INTERNAL_URL,
      S3_REGION: 'eu-west-1',
      MAX_WORKERS: '3',
      WORKER_CONCURRENCY: '2',
      IDLE_SHUTDOWN_SECONDS: '120',
      WORKER_RECONCILE_SECONDS: '0',
    });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    studio = await t.createTenant('studio');
  });
  beforeEach(() => {
    ec2.reset();
    ssm.reset();
    ssm.on(PutParameterCommand).callsFake((input: { Name: string; Value: string }) => {
      issued.set(input.Name.split('/').pop()!, input.Value);
      return {};
    });
    ssm.on(AddTagsToResourceCommand).resolves({});
    ssm.on(DeleteParameterCommand).resolves({});
    ec2
      .on(RunInstancesCommand)
      .callsFake(() => ({ OwnerId: ACCOUNT, Instances: [{ InstanceId: `i-${String(++instance).padStart(17, '0')}` }] }));
    ec2.on(TerminateInstancesCommand).resolves({});
  });
  after(async () => {
    await db.end();
    await t.close();
    ec2.restore();
    ssm.restore();
  });

  async function submitJob(files: number): Promise<string> {
    const jobId = await createJob(t, studio.key, { name: `Cloud ${files}` });
    for (let i = 0; i < files; i += 1) await uploadFile(t, studio.key, jobId, fixture('raw', 'nikon_d1.nef'), `DSC_${i}.NEF`);
    const submitted = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', `Bearer ${studio.key}`);
    assert.equal(submitted.status, 200);
    jobs.push(jobId);
    return jobId;
  }

  async function openWorkers(): Promise<Array<{ id: string; instance_id: string | null }>> {
    return (await db.query(`SELECT id, instance_id FROM workers WHERE stopped_at IS NULL ORDER BY started_at, instance_id`)).rows;
  }

  function workerCall(route: string, token: string, body: unknown = {}): Promise<Response> {
    return fetch(`${t.baseUrl}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async function stopAll(): Promise<void> {
    for (const worker of await openWorkers())
      assert.equal((await workerCall(workerRoutes.stopped, issued.get(worker.id)!, { reason: 'idle' })).status, 204);
    assert.deepEqual(await openWorkers(), []);
  }

  it('launches what the backlog needs (3 files at 2 per worker: 2, under MAX_WORKERS=3), with the exact requests', async () => {
    const jobId = await submitJob(3);
    const calls = ec2.commandCalls(RunInstancesCommand);
    assert.equal(calls.length, 2);
    const workers = await openWorkers();
    assert.equal(workers.length, 2);

    for (const [index, call] of calls.entries()) {
      const input = call.args[0].input;
      const worker = workers.find((w) => w.instance_id === `i-${String(instance - 1 + index).padStart(17, '0')}`);
      assert.ok(worker, 'the worker row carries its instance id');
      const tags = [
        { Key: 'Name', Value: `revela-batch-worker-${worker.id.slice(0, 8)}` },
        { Key: 'revela:role', Value: 'batch-worker' },
        { Key: 'revela:worker-id', Value: worker.id },
        { Key: 'revela:tenant-id', Value: studio.id },
        { Key: 'revela:job-id', Value: jobId },
      ];
      const expectedUserData = [
        '#!/bin/bash',
        'set -euo pipefail',
        'install -d -m 0755 /etc/revela',
        "cat > /etc/revela/worker.env <<'ENV'",
        `WORKER_ID=${worker.id}`,
        `INTERNAL_API_URL=${INTERNAL_URL}`,
        'LOG_LEVEL=silent',
        'WORKER_CONCURRENCY=2',
        'IDLE_SHUTDOWN_SECONDS=120',
        'RAW_DECODER=auto',
        `WORKER_TOKEN_PARAMETER=${PREFIX}/${worker.id}`,
        'AWS_REGION=eu-west-1',
        'POWER_OFF_ON_EXIT=true',
        'ENV',
        'systemctl start revela-batch-worker',
        '',
      ].join('\n');
      assert.deepEqual(input, {
        LaunchTemplate: { LaunchTemplateId: TEMPLATE, Version: '$Latest' },
        MinCount: 1,
        MaxCount: 1,
        InstanceInitiatedShutdownBehavior: 'terminate',
        UserData: Buffer.from(expectedUserData).toString('base64'),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tags },
          { ResourceType: 'volume', Tags: tags },
        ],
        ClientToken: worker.id,
      });
      const token = issued.get(worker.id);
      assert.match(token ?? '', /^rvw_[A-Za-z0-9_-]{43}$/);
      for (const secret of [token!, t.adminToken, t.config.database.url, t.config.callbackSigningKey]) {
        assert.ok(!expectedUserData.includes(secret), 'no secret in user data');
      }
    }

    const puts = ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input);
    assert.deepEqual(
      puts.map((p) => ({ ...p, Value: '…' })),
      workers.map((w) => ({
        Name: `${PREFIX}/${w.id}`,
        Type: 'SecureString',
        Value: '…',
        Description: 'Revela batch worker token (deleted when the worker stops)',
        Tags: [
          { Key: 'revela:role', Value: 'batch-worker' },
          { Key: 'revela:worker-id', Value: w.id },
        ],
      })),
    );
    assert.deepEqual(
      ssm.commandCalls(AddTagsToResourceCommand).map((c) => c.args[0].input),
      workers.map((w) => ({
        ResourceType: 'Parameter',
        ResourceId: `${PREFIX}/${w.id}`,
        Tags: [{ Key: 'revela:instance-arn', Value: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/${w.instance_id}` }],
      })),
    );
  });

  it('counts the workers already alive: 2 more files make a backlog of 5, so one more instance (3 = MAX_WORKERS)', async () => {
    await submitJob(2);
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 1);
    assert.equal((await openWorkers()).length, 3);
  });

  it('holds at MAX_WORKERS; a stopped worker loses its token and parameter, and its place is refilled', async () => {
    const capacity = t.app.get(CapacityService);
    await capacity.ensureCapacity();
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 0, '5 files want 3 workers; 3 are alive');

    const [worker] = await openWorkers();
    const token = issued.get(worker.id)!;
    assert.equal((await workerCall(workerRoutes.heartbeat, token, { pid: 4242 })).status, 204);
    assert.equal((await workerCall(workerRoutes.stopped, token, { reason: 'idle' })).status, 204);
    assert.deepEqual(
      ssm.commandCalls(DeleteParameterCommand).map((c) => c.args[0].input),
      [{ Name: `${PREFIX}/${worker.id}` }],
    );
    const refused = await workerCall(workerRoutes.heartbeat, token, { pid: 4242 });
    assert.equal(refused.status, 401, 'the token is revoked with the stop');

    await capacity.ensureCapacity();
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 1, 'one place freed, one worker launched');
  });

  it('a failed RunInstances leaves the files queued, records the failed worker, deletes its token, and the next pass retries', async () => {
    await stopAll();
    ssm.resetHistory();
    ec2.reset();
    ec2
      .on(RunInstancesCommand)
      .rejectsOnce(new Error('InsufficientInstanceCapacity'))
      .resolves({ OwnerId: ACCOUNT, Instances: [{ InstanceId: 'i-00000000000000099' }] });
    const capacity = t.app.get(CapacityService);

    await capacity.ensureCapacity();
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 1, 'one attempt, then the pass gives up');
    const failed = await db.query(`SELECT id, stop_reason FROM workers WHERE stop_reason LIKE 'launch failed%'`);
    assert.equal(failed.rows.length, 1);
    assert.match(failed.rows[0].stop_reason, /InsufficientInstanceCapacity/);
    assert.deepEqual(
      ssm.commandCalls(DeleteParameterCommand).map((c) => c.args[0].input),
      [{ Name: `${PREFIX}/${failed.rows[0].id}` }],
    );
    const queued = await db.query(`SELECT count(*)::int AS n FROM job_files WHERE status = 'queued'`);
    assert.equal(queued.rows[0].n, 5, 'every file is still queued');

    await capacity.ensureCapacity();
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 4, 'the retry launches the 3 workers the backlog needs');
  });

  it('launches nothing for canceled jobs, though no worker is alive', async () => {
    await stopAll();
    for (const jobId of jobs) {
      assert.equal((await t.http().post(`/v1/jobs/${jobId}/cancel`).set('Authorization', `Bearer ${studio.key}`)).status, 200);
    }
    await t.app.get(CapacityService).ensureCapacity();
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 0);
  });

  it('terminates a worker whose heartbeat stopped (it crashed without powering off), then launches its replacement', async () => {
    await submitJob(2);
    const [worker] = await openWorkers();
    assert.ok(worker?.instance_id);
    const token = issued.get(worker.id)!;
    assert.equal((await workerCall(workerRoutes.heartbeat, token, { pid: 1 })).status, 204);
    // Its last heartbeat was 10 minutes ago.
    await db.query(`UPDATE workers SET last_heartbeat_at = now() - interval '10 minutes' WHERE id = $1`, [worker.id]);
    ec2.resetHistory();
    ssm.resetHistory();

    await t.app.get(CapacityService).ensureCapacity();
    assert.deepEqual(
      ec2.calls().map((c) => c.args[0].constructor.name),
      ['TerminateInstancesCommand', 'RunInstancesCommand'],
      'terminated first, replaced after',
    );
    assert.deepEqual(ec2.commandCalls(TerminateInstancesCommand)[0].args[0].input, { InstanceIds: [worker.instance_id] });
    const { rows } = await db.query(`SELECT stopped_at IS NOT NULL AS stopped, stop_reason FROM workers WHERE id = $1`, [worker.id]);
    assert.deepEqual(rows[0], { stopped: true, stop_reason: 'terminated: no heartbeat for 300 s' });
    assert.ok(
      ssm.commandCalls(DeleteParameterCommand).some((c) => c.args[0].input.Name === `${PREFIX}/${worker.id}`),
      'its token parameter is deleted',
    );
    assert.equal((await workerCall(workerRoutes.heartbeat, token, { pid: 1 })).status, 401, 'its token is revoked');
    assert.equal((await openWorkers()).length, 1);
  });

  it('terminates a worker past its maximum lifetime even though it still sends heartbeats, and leaves the others', async () => {
    const [old] = await openWorkers();
    await db.query(`UPDATE workers SET started_at = now() - interval '7 hours', last_heartbeat_at = now() WHERE id = $1`, [old.id]);
    ec2.resetHistory();
    await t.app.get(CapacityService).ensureCapacity();
    assert.deepEqual(
      ec2.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input),
      [{ InstanceIds: [old.instance_id] }],
    );
    const { rows } = await db.query(`SELECT stop_reason FROM workers WHERE id = $1`, [old.id]);
    assert.equal(rows[0].stop_reason, 'terminated: reached its maximum lifetime of 21600 s');
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 1, 'replaced');

    ec2.resetHistory();
    await t.app.get(CapacityService).ensureCapacity();
    assert.equal(ec2.commandCalls(TerminateInstancesCommand).length, 0, 'a young worker with a fresh start is left alone');
  });

  it('leaves the capacity pass to the API instance holding the cluster-wide lock', async () => {
    await stopAll();
    ec2.resetHistory();
    // Another API instance is in its capacity pass: it holds the advisory lock.
    const other = new pg.Client({ connectionString: t.database.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock(1380275788)');
      await t.app.get(CapacityService).ensureCapacity({}, { wait: false });
      assert.equal(ec2.commandCalls(RunInstancesCommand).length, 0, 'the periodic pass skips while another instance runs one');
      await other.query('COMMIT');
    } finally {
      await other.end();
    }
    await t.app.get(CapacityService).ensureCapacity({}, { wait: false });
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 1, 'once released, this instance launches what the backlog needs');
  });

  it('launches no more than a tenant’s cap of files in flight can use', async () => {
    await stopAll();
    for (const jobId of jobs) await t.http().post(`/v1/jobs/${jobId}/cancel`).set('Authorization', `Bearer ${studio.key}`);
    const limited = await t
      .http()
      .patch(`/v1/admin/tenants/${studio.id}/limits`)
      .set('Authorization', `Bearer ${t.adminToken}`)
      .send({ maxFilesInFlight: 1 });
    assert.equal(limited.status, 200);
    ec2.resetHistory();
    await submitJob(5);
    assert.equal(ec2.commandCalls(RunInstancesCommand).length, 1, '5 files, but one at a time: one worker, not three');
  });

  it('gives a worker whose archive claim went unanswered the same ZIP back, and hands a stopped worker’s ZIP over at once', async () => {
    await stopAll();
    for (const jobId of jobs) await t.http().post(`/v1/jobs/${jobId}/cancel`).set('Authorization', `Bearer ${studio.key}`);
    const jobId = await submitJob(1);
    const [first, ...others] = await openWorkers();
    assert.ok(first);
    assert.deepEqual(others, []);
    const token = issued.get(first.id)!;

    // The worker develops the one file and reports it.
    const claimed = (await (await workerCall(workerRoutes.claimFile, token)).json()) as ClaimFileResponse;
    assert.equal(claimed.file?.jobId, jobId);
    const outputs = Object.keys(claimed.file.outputs).map((variant) => ({ variant, width: 640, height: 426, bytes: 1000 }));
    const completed = await workerCall(workerRoutes.completeFile(claimed.file.id), token, {
      outputs,
      source: 'raw',
      timings: {},
      warnings: [],
    });
    assert.equal(completed.status, 200);

    // Its archive claim commits, but the answer is lost (the database restarts): it asks again.
    const claimArchive = async (workerToken: string) =>
      ((await (await workerCall(workerRoutes.claimArchive, workerToken)).json()) as ClaimArchiveResponse).archive;
    assert.equal((await claimArchive(token))?.jobId, jobId);
    const { rows: before } = await db.query(`SELECT archive_upload_id FROM jobs WHERE id = $1`, [jobId]);
    const again = await claimArchive(token);
    assert.equal(again?.jobId, jobId, 'the same job, not nothing for the whole archive lease');
    const { rows: after } = await db.query(`SELECT archive_upload_id, archive_owner FROM jobs WHERE id = $1`, [jobId]);
    assert.notEqual(after[0].archive_upload_id, before[0].archive_upload_id, 'a fresh multipart upload replaces the unanswered one');
    assert.equal(after[0].archive_owner, first.id);

    // Another worker cannot take it while the first holds it; once the first is stopped, it can.
    const secondToken = issueWorkerToken();
    await asSystem('test: a second worker', () =>
      t.app.get(WorkersRepository).register({ id: randomUUID(), kind: 'ec2', tokenHash: secondToken.hash, tokenTtlSeconds: 3600 }),
    );
    assert.equal(await claimArchive(secondToken.token), null);
    await t.app.get(CapacityService).workerStopped(first.id, 'terminated: no heartbeat for 300 s');
    assert.equal((await claimArchive(secondToken.token))?.jobId, jobId, 'the stopped worker’s archive lease ended with it');
    assert.equal((await workerCall(workerRoutes.stopped, secondToken.token, { reason: 'idle' })).status, 204);
  });
});
