import { setTimeout as sleep } from 'node:timers/promises';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { WorkerConfig } from '#config';

/** The API tags the parameter with the instance ARN just after launch; until then reads are refused. */
const READ_FOR_MS = 120_000;
const RETRY_MS = 3_000;
const NOT_YET = new Set(['AccessDeniedException', 'ParameterNotFound']);

/**
 * The worker's API token: given directly by the local launcher, or read on EC2 from the SSM
 * parameter that only this instance's role may read (its one AWS permission).
 */
export async function resolveWorkerToken(token: WorkerConfig['token'], wait: (ms: number) => Promise<unknown> = sleep): Promise<string> {
  if ('value' in token) return token.value;
  const ssm = new SSMClient({ region: token.region });
  try {
    for (let waited = 0; ; waited += RETRY_MS) {
      try {
        const result = await ssm.send(new GetParameterCommand({ Name: token.parameter, WithDecryption: true }));
        const value = result.Parameter?.Value;
        if (!value) throw new Error(`the token parameter ${token.parameter} is empty`);
        return value;
      } catch (error) {
        if (!NOT_YET.has((error as { name?: string }).name ?? '') || waited >= READ_FOR_MS) throw error;
      }
      await wait(RETRY_MS);
    }
  } finally {
    ssm.destroy();
  }
}
