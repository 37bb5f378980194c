import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { loadThumbnailConfig } from './app-config.js';
import { withSigningKeyFromSsm, withSsmSecrets } from './ssm-secrets.js';

describe('secrets from SSM Parameter Store (RUNTIME=aws)', () => {
  const ssm = mockClient(SSMClient);

  it('reads the secrets under the prefix, page by page, with decryption; the environment wins; other names are ignored', async () => {
    ssm.reset();
    ssm
      .on(GetParametersByPathCommand, { Path: '/revela/prod/config/', WithDecryption: true, Recursive: false, NextToken: undefined })
      .resolves({
        Parameters: [
          { Name: '/revela/prod/config/ADMIN_TOKEN', Value: 'admin-from-ssm' },
          { Name: '/revela/prod/config/MAX_WORKERS', Value: '99' },
        ],
        NextToken: 'page-2',
      })
      .on(GetParametersByPathCommand, { Path: '/revela/prod/config/', WithDecryption: true, Recursive: false, NextToken: 'page-2' })
      .resolves({
        Parameters: [
          { Name: '/revela/prod/config/CALLBACK_SIGNING_KEY', Value: 'key-from-ssm' },
          { Name: '/revela/prod/config/DATABASE_URL', Value: 'postgres://ssm@db/revela' },
        ],
      });
    const env = await withSsmSecrets(
      { RUNTIME: 'aws', SSM_PARAMETER_PREFIX: '/revela/prod/config/', DATABASE_URL: 'postgres://env@db/revela' },
      () => new SSMClient({ region: 'eu-west-1' }),
    );
    assert.equal(env.ADMIN_TOKEN, 'admin-from-ssm');
    assert.equal(env.CALLBACK_SIGNING_KEY, 'key-from-ssm');
    assert.equal(env.DATABASE_URL, 'postgres://env@db/revela', 'a variable set in the environment wins');
    assert.equal(env.MAX_WORKERS, undefined, 'only the secret variables come from the path');
    assert.equal(ssm.commandCalls(GetParametersByPathCommand).length, 2);
  });

  it('does not call SSM without RUNTIME=aws or without a prefix', async () => {
    ssm.reset();
    const env = { RUNTIME: 'embedded', SSM_PARAMETER_PREFIX: '/revela/prod/config/' };
    assert.deepEqual(await withSsmSecrets(env, () => new SSMClient({})), env);
    assert.deepEqual(await withSsmSecrets({ RUNTIME: 'aws' }, () => new SSMClient({})), { RUNTIME: 'aws' });
    assert.equal(ssm.commandCalls(GetParametersByPathCommand).length, 0);
  });

  it("gives the thumbnail Lambda its signing key from the named parameter, so the key is never in the function's environment", async () => {
    ssm.reset();
    const key = 'k'.repeat(48);
    ssm
      .on(GetParameterCommand, { Name: '/revela/prod/config/CALLBACK_SIGNING_KEY', WithDecryption: true })
      .resolves({ Parameter: { Value: key } });
    const lambdaEnv = {
      BUCKET_UPLOADS: 'revela-prod-uploads',
      BUCKET_PROCESSED: 'revela-prod-processed',
      PUBLIC_API_URL: 'http://api.revela-prod.internal:3001',
      CALLBACK_SIGNING_KEY_PARAMETER: '/revela/prod/config/CALLBACK_SIGNING_KEY',
    };
    assert.throws(() => loadThumbnailConfig(lambdaEnv), /CALLBACK_SIGNING_KEY/, 'without the read, the Lambda refuses to start');
    const config = loadThumbnailConfig(await withSigningKeyFromSsm(lambdaEnv, () => new SSMClient({ region: 'eu-west-1' })));
    assert.equal(config.signingKey, key);
    assert.equal(ssm.commandCalls(GetParameterCommand).length, 1);
  });
});
