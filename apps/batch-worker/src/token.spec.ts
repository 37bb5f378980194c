import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveWorkerToken } from './token.js';

describe('the worker token', () => {
  const ssm = mockClient(SSMClient);

  it('is read from its SSM parameter with decryption, waiting while the launch tag is not there yet', async () => {
    ssm.reset();
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(denied)
      .rejectsOnce(denied)
      .resolves({ Parameter: { Value: 'rvw_token' } });
    const waits: number[] = [];
    const token = await resolveWorkerToken(
      { parameter: '/revela/prod/worker-tokens/w1', region: 'eu-west-1' },
      async (ms) => void waits.push(ms),
    );
    assert.equal(token, 'rvw_token');
    assert.deepEqual(
      ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input),
      Array.from({ length: 3 }, () => ({ Name: '/revela/prod/worker-tokens/w1', WithDecryption: true })),
    );
    assert.deepEqual(waits, [3000, 3000]);
  });

  it('gives up on any other error at once', async () => {
    ssm.reset();
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await assert.rejects(
      resolveWorkerToken({ parameter: '/p', region: undefined }, async () => undefined),
      /throttled/,
    );
    assert.equal(ssm.commandCalls(GetParameterCommand).length, 1);
  });
});
