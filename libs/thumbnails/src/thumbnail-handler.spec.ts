import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3EventRecord } from 'aws-lambda';
import { loadThumbnailConfig } from '#config';
import { createThumbnailHandler, decodeEventKey } from './thumbnail-handler.js';

const env = {
  BUCKET_UPLOADS: 'uploads',
  BUCKET_PROCESSED: 'processed',
  PUBLIC_API_URL: 'https://api.example.com/',
  CALLBACK_SIGNING_KEY: 's'.repeat(40),
  AWS_REGION: 'eu-west-1',
};

function record(key: string, bucket = 'uploads', eventName = 'ObjectCreated:Put'): S3EventRecord {
  return { eventName, s3: { bucket: { name: bucket }, object: { key, size: 10 } } } as unknown as S3EventRecord;
}

describe('thumbnail Lambda', () => {
  it('decodes S3 event keys (URL-encoded, + for space)', () => {
    assert.equal(decodeEventKey('tenants/a/my+photo%2B1%C3%A9.jpg'), 'tenants/a/my photo+1é.jpg');
    assert.equal(decodeEventKey('plain/key'), 'plain/key');
  });

  it('loads its configuration from the environment and names what is wrong', () => {
    const config = loadThumbnailConfig(env);
    assert.deepEqual(config.buckets, { uploads: 'uploads', processed: 'processed' });
    assert.equal(config.apiUrl, 'https://api.example.com');
    assert.deepEqual(config.s3, { endpoint: undefined, region: 'eu-west-1', forcePathStyle: false });
    assert.equal(config.callbackTimeoutMs, 10_000);
    assert.equal(loadThumbnailConfig({ ...env, S3_ENDPOINT: 'http://127.0.0.1:4569' }).s3.forcePathStyle, true);
    assert.throws(
      () => loadThumbnailConfig({ ...env, CALLBACK_SIGNING_KEY: 'short', PUBLIC_API_URL: undefined }),
      (error: Error) => {
        assert.match(error.message, /CALLBACK_SIGNING_KEY: must be at least 32 characters/);
        assert.match(error.message, /PUBLIC_API_URL/);
        assert.ok(!error.message.includes('short'), 'values are never echoed');
        return true;
      },
    );
  });

  it('ignores other keys, buckets and event types without touching S3 or the API', async () => {
    const untouchable = { send: () => assert.fail('S3 must not be called') } as unknown as S3Client;
    const handler = createThumbnailHandler(
      { ...loadThumbnailConfig(env), apiUrl: 'http://127.0.0.1:9' },
      { s3: untouchable, log: () => undefined },
    );
    const photo =
      'tenants/0b7c3e7e-57a1-4c59-9c83-6a2f4f3b9d10/animals/1b7c3e7e-57a1-4c59-9c83-6a2f4f3b9d10/photos/2b7c3e7e-57a1-4c59-9c83-6a2f4f3b9d10/original';
    const outcomes = await handler({
      Records: [
        record(`${photo}.bak`),
        record(photo, 'processed'),
        record(photo, 'uploads', 'ObjectRemoved:Delete'),
        record('tenants/x/jobs/y/raw/z'),
      ],
    });
    assert.deepEqual(
      outcomes.map((o) => [o.outcome, 'why' in o ? o.why : '']),
      [
        ['ignored', 'not a photo original'],
        ['ignored', 'not the uploads bucket'],
        ['ignored', 'ObjectRemoved:Delete'],
        ['ignored', 'not a photo original'],
      ],
    );
  });

  it('throws when the API cannot be reached, so that the invocation is retried', async () => {
    // The tripwire counts calls as well as throwing: the handler catches and rethrows whatever a record
    // throws, so a throw alone would make the invocation reject for the wrong reason and still pass.
    let s3Calls = 0;
    const untouchable = {
      send: () => {
        s3Calls += 1;
        throw new Error('S3 must not be called before the API saw the upload');
      },
    } as unknown as S3Client;
    const handler = createThumbnailHandler(
      { ...loadThumbnailConfig(env), apiUrl: 'http://127.0.0.1:9', callbackTimeoutMs: 2000 },
      { s3: untouchable, log: () => undefined },
    );
    const photo =
      'tenants/0b7c3e7e-57a1-4c59-9c83-6a2f4f3b9d10/animals/1b7c3e7e-57a1-4c59-9c83-6a2f4f3b9d10/photos/2b7c3e7e-57a1-4c59-9c83-6a2f4f3b9d10/original';
    await assert.rejects(handler({ Records: [record(photo)] }), (error: Error) => {
      assert.ok(!(error instanceof assert.AssertionError), `rejected by an assertion, not by the unreachable API: ${error.message}`);
      // What undici throws when nothing listens on the port: the report to the API failed.
      assert.equal(error.name, 'TypeError');
      assert.equal(error.message, 'fetch failed');
      return true;
    });
    assert.equal(s3Calls, 0, 'S3 was not called before the API saw the upload');
  });
});
