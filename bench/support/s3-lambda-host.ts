/**
 * A process standing in for AWS during the soak: the S3 server and the thumbnail Lambda it
 * invokes, apart from both the API under test and the load generator (so neither the Lambda's
 * renders nor s3rver's disk writes are measured as theirs). Prints `{"endpoint": …}` once ready;
 * stops on SIGTERM. Environment: DATA_DIR, API_URL, CALLBACK_SIGNING_KEY.
 */
import path from 'node:path';
import { loadConfig } from '#config';
import { startEmbeddedS3 } from '#storage';
import { wireThumbnailLambda } from '../../apps/api/src/runtime/thumbnail-wiring.js';

const dataDir = process.env.DATA_DIR!;
const config = loadConfig({ CALLBACK_SIGNING_KEY: process.env.CALLBACK_SIGNING_KEY, DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const s3 = await startEmbeddedS3({ dataDir: path.join(dataDir, 's3'), port: 0, buckets: Object.values(config.s3.buckets) });
const thumbnails = wireThumbnailLambda(s3, config, {
  apiUrl: process.env.API_URL!,
  log: (level, message, fields) => {
    if (level !== 'info') process.stderr.write(`${JSON.stringify({ level, source: 'thumbnail-lambda', message, ...fields })}\n`);
  },
});
process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
process.once('SIGTERM', () => {
  void thumbnails
    .close()
    .then(() => s3.stop())
    .finally(() => process.exit(0));
});
