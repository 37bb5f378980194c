import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { OPENAPI_TAGS } from '../../apps/api/src/openapi.js';
import { REGENERATE_COMMAND, renderSdkTypes, SDK_TYPES_FILE, SPEC_FILE } from '../../scripts/openapi-contract.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Json = Record<string, any>;

/** JSON pointers where two documents differ (at most `limit`), to say what changed. */
function differences(a: unknown, b: unknown, at = '', out: string[] = [], limit = 12): string[] {
  if (out.length >= limit) return out;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(at || '/');
    return out;
  }
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    differences((a as Json)[key], (b as Json)[key], `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, out, limit);
  }
  return out;
}

function operations(spec: Json): Array<{ path: string; method: string; op: Json }> {
  return Object.entries(spec.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({ path, method, op: op as Json })),
  );
}

describe('the OpenAPI contract', () => {
  let t: TestApp;
  let served: Json;
  let committed: Json;

  before(async () => {
    t = await startTestApp();
    const res = await t.http().get('/docs-json');
    assert.equal(res.status, 200);
    served = res.body;
    committed = JSON.parse(await readFile(SPEC_FILE, 'utf8'));
  });
  after(async () => {
    await t.close();
  });

  it('is committed as openapi/revela.json, identical to the served one, and the SDK types match it', async () => {
    const changed = differences(committed, served);
    assert.deepEqual(
      changed,
      [],
      `openapi/revela.json is not the spec the API serves (differs at ${changed.join(', ')}): run \`${REGENERATE_COMMAND}\` and commit the result.`,
    );
    // Compared as JSON, not as text: the order of keys inside a schema (e.g. `type` before or after
    // `enum`) follows the order Nest's modules load in, and carries no meaning.
    assert.ok(
      (await readFile(SDK_TYPES_FILE, 'utf8')) === (await renderSdkTypes(committed)),
      `libs/sdk/src/schema.d.ts is not generated from openapi/revela.json: run \`${REGENERATE_COMMAND}\`.`,
    );
  });

  it('names every operation by intent, once', () => {
    const ids = operations(served).map(({ op }) => op.operationId as string);
    for (const id of ids) assert.match(id, /^[a-z]+[A-Z][A-Za-z]*$/, `${id} is not a verbNoun operationId`);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    for (const id of [
      'createJob',
      'listJobs',
      'getJob',
      'listAnimals',
      'createAnimal',
      'getPhoto',
      'createWebhookEndpoint',
      'getJobDownload',
    ])
      assert.ok(ids.includes(id), id);
  });

  it('groups operations under described tags, one per operation', () => {
    const described = new Map((served.tags as Array<{ name: string; description: string }>).map((tag) => [tag.name, tag.description]));
    assert.deepEqual(
      [...described.keys()],
      OPENAPI_TAGS.map(([name]) => name),
    );
    for (const [name, description] of described) assert.ok(description.length > 20, `${name} has a description`);
    for (const { path, method, op } of operations(served)) {
      assert.equal(op.tags?.length, 1, `${method} ${path} has one tag`);
      assert.ok(described.has(op.tags[0]), `${method} ${path}: ${op.tags[0]} is a declared tag`);
    }
  });

  it('describes the key scheme truthfully: an opaque bearer key, not a JWT', () => {
    const schemes = served.components.securitySchemes as Json;
    assert.equal(schemes.apiKey.scheme, 'bearer');
    assert.equal(schemes.apiKey.bearerFormat, undefined);
    assert.match(schemes.apiKey.description, /rvl_.*not a JWT/);
    assert.doesNotMatch(JSON.stringify(schemes), /JWT"/);
  });

  it('has an example for every request and response body, and problem+json on every error', () => {
    for (const { path, method, op } of operations(served)) {
      const bodies = [
        ...Object.entries(op.requestBody?.content ?? {}),
        ...Object.values(op.responses as Json).flatMap((r: Json) => Object.entries(r.content ?? {})),
      ];
      for (const [type, media] of bodies as Array<[string, Json]>) {
        if (media.schema?.format === 'binary' || type === 'multipart/form-data') continue;
        assert.ok(media.example !== undefined || media.examples !== undefined, `${method} ${path} ${type} has an example`);
      }
      for (const [status, response] of Object.entries(op.responses as Json)) {
        if (Number(status) < 400) continue;
        assert.deepEqual(Object.keys(response.content ?? {}), ['application/problem+json'], `${method} ${path} ${status} is problem+json`);
        assert.equal(response.content['application/problem+json'].example.status, Number(status));
      }
    }
  });

  it('documents the rate-limit, idempotency and pagination headers and parameters', () => {
    assert.ok(
      served.components.headers.RateLimit && served.components.headers['RateLimit-Policy'] && served.components.headers['Retry-After'],
    );
    for (const { path, method, op } of operations(served)) {
      if (!op.security?.length) continue;
      const success = Object.entries(op.responses as Json).find(([status]) => status.startsWith('2'))![1];
      assert.ok(success.headers?.RateLimit && success.headers['RateLimit-Policy'], `${method} ${path} documents RateLimit`);
      assert.ok(op.responses['429']?.headers?.['Retry-After'], `${method} ${path} documents 429 with Retry-After`);
      if (method === 'post') {
        assert.ok(
          op.parameters.some((p: Json) => p.$ref === '#/components/parameters/IdempotencyKey'),
          `${method} ${path} takes Idempotency-Key`,
        );
        assert.ok(op.responses['409'] && op.responses['422'], `${method} ${path} documents 409 and 422`);
        assert.ok(success.headers['Idempotent-Replayed'], `${method} ${path} documents Idempotent-Replayed`);
      }
      if (method === 'get' && /^list[A-Z]/.test(op.operationId)) {
        const names = op.parameters.map((p: Json) => p.name);
        assert.ok(names.includes('limit') && names.includes('cursor'), `${op.operationId} documents limit and cursor`);
      }
    }
  });
});
