import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { WorkerConfig } from '#config';

/**
 * The worker's API token: given directly by the local launcher, or read on EC2 from the SSM
 * parameter that only this instance's role may read (its one AWS permission).
 */
export async function resolveWorkerToken(token: WorkerConfig['token']): Promise<string> {
  if ('value' in token) return token.value;
  const ssm = new SSMClient({ region: token.region });
  try {
    const result = await ssm.send(new GetParameterCommand({ Name: token.parameter, WithDecryption: true }));
    const value = result.Parameter?.Value;
    if (!value) throw new Error(`the token parameter ${token.parameter} is empty`);
    return value;
  } finally {
    ssm.destroy();
  }
}
