import { SSMClient } from '@aws-sdk/client-ssm';
import type { S3Event } from 'aws-lambda';
import { loadThumbnailConfig, withSigningKeyFromSsm } from '#config';
import { createThumbnailHandler, type RecordOutcome } from '#thumbnails';

let deployed: Promise<(event: S3Event) => Promise<RecordOutcome[]>> | undefined;

/**
 * The AWS Lambda entry point. Configuration comes from the environment, and the signing key from
 * its SSM parameter, both read once per container (again after a failed start). The rendering and
 * reporting live in libs/thumbnails, which the local runtime wires to the embedded S3 server.
 */
export const handler = async (event: S3Event): Promise<RecordOutcome[]> => {
  deployed ??= withSigningKeyFromSsm(process.env, () => new SSMClient({}))
    .then((env) => createThumbnailHandler(loadThumbnailConfig(env)))
    .catch((error: unknown) => {
      deployed = undefined;
      throw error;
    });
  return (await deployed)(event);
};
