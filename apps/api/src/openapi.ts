import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './common/idempotency.interceptor.js';
import { PROBLEM_CONTENT_TYPE } from './common/problem.js';

/** The API's areas, in the order a reader meets them. */
export const OPENAPI_TAGS: Array<[name: string, description: string]> = [
  ['Tenants', 'Tenants are created by the platform admin; each has a kind, `studio` or `clinic`, that decides which routes it may use.'],
  ['API keys', 'Opaque bearer keys (`rvl_…`), shown once, stored only as a hash, revocable.'],
  ['Animals', 'Clinics register animals with their tutor; photos hang off an animal.'],
  ['Photos', 'Photos of an animal: uploaded by presigned PUT or through the API, then rendered (thumb, small, large) asynchronously.'],
  ['Jobs', 'Studios develop batches of camera RAW files: create a draft job with a preset, add files, submit, follow its progress.'],
  ['Job files', 'The files of a job: declare each one to get where to upload it (presigned PUT, multipart, or through the API).'],
  ['Downloads', 'Short-lived links to a finished job’s ZIP and to every rendered variant.'],
  ['Webhooks', 'Endpoints that receive events (Standard Webhooks signatures), with their delivery history.'],
  ['Usage', 'What a tenant has used: files, compute time, storage.'],
  ['Audit', 'The append-only audit log: key creation and revocation, platform-admin actions, download links issued.'],
  ['Admin', 'Platform administration with the admin token (`ADMIN_TOKEN`): tenants and their limits.'],
  ['Health', 'Liveness and readiness probes; no credentials needed.'],
];

const DESCRIPTION = `Photo back end for photo studios (camera RAW batches) and veterinary clinics (animal photos).

- **Authentication.** \`Authorization: Bearer <API key>\` (\`rvl_…\`, an opaque key, not a JWT). The platform admin token creates tenants.
- **Errors.** Every error is RFC 9457 \`application/problem+json\` (\`type\`, \`title\`, \`status\`, \`detail\`, \`instance\`; validation errors add \`errors[]\` with \`field\` and \`message\`).
- **Pagination.** Lists take \`limit\` (1-100, default 20) and an opaque \`cursor\`, and answer \`nextCursor\`: pass it as \`cursor\` for the next page; it is null on the last page.
- **Idempotency.** Every POST accepts an \`${IDEMPOTENCY_KEY_HEADER}\` header (IETF draft). The same key with the same request within 24 hours answers the stored response with \`${IDEMPOTENT_REPLAYED_HEADER}: true\`; with a different request, 422; while the first is still running, 409 with \`Retry-After\`. Keys are scoped to the tenant.
- **Rate limits.** Each tenant has a budget per minute. Responses carry \`RateLimit-Policy\` and \`RateLimit\` (IETF draft); beyond the budget, 429 with \`Retry-After\`.
- **Webhooks.** Events (\`photo.ready\`, \`photo.failed\`, \`job.completed\`, \`job.completed_with_errors\`, \`job.failed\`, \`job.canceled\`, \`file.failed\`) are POSTed to your endpoints as Standard Webhooks: verify \`webhook-signature\` (HMAC-SHA256 over \`webhook-id.webhook-timestamp.body\`) with the endpoint's \`whsec_…\` secret, and drop duplicates by \`webhook-id\`. Bodies are \`{type, timestamp, data}\`, where \`data\` holds the resource as \`GET\` returns it, without presigned URLs.`;

/** The document the API serves at /docs-json and that is committed as openapi/revela.json. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Revela API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addSecurity('apiKey', {
      type: 'http',
      scheme: 'bearer',
      description:
        'A tenant API key: `Authorization: Bearer rvl_<16 hex>_<43 base64url>`. Opaque (not a JWT), 32 random bytes, shown once when created, revocable.',
    })
    .addSecurity('admin', {
      type: 'http',
      scheme: 'bearer',
      description: 'The platform admin token (`ADMIN_TOKEN`), for creating tenants.',
    });
  for (const [name, description] of OPENAPI_TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    // Every route names its operationId; this only shows up if one forgets.
    operationIdFactory: (_controller, method) => `unnamed_${method}`,
  });
  return finishDocument(document);
}

/*
 * From here on the document is walked as plain JSON: OpenAPI's own types are a union per node
 * (reference or object, schema or boolean) that would need a guard at every step of a walk that
 * only copies and annotates. The tests of openapi/revela.json check what comes out.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any */
type Json = Record<string, any>;

const HEADERS = {
  RateLimit: {
    description: 'The tenant’s remaining budget and the seconds until it resets (draft-ietf-httpapi-ratelimit-headers).',
    schema: { type: 'string' },
    example: '"default";r=5999;t=42',
  },
  'RateLimit-Policy': {
    description: 'The budget: `q` requests per `w` seconds (draft-ietf-httpapi-ratelimit-headers).',
    schema: { type: 'string' },
    example: '"default";q=6000;w=60',
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' }, example: 30 },
  [IDEMPOTENT_REPLAYED_HEADER]: {
    description: 'Present (`true`) when this is the stored response of an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
    example: 'true',
  },
};

const IDEMPOTENCY_PARAMETER = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: 'header',
  required: false,
  description:
    'Makes the request safe to retry: the same key with the same request within 24 hours answers the stored response. 1-255 visible ASCII characters, e.g. a UUID; scoped to the tenant.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
  example: '5f0c7d7e-2f8a-4a8e-9c1b-3e2f4d5a6b7c',
};

const PROBLEM_EXAMPLES: Record<number, [slug: string, title: string, detail: string]> = {
  400: ['validation-error', 'Request validation failed', 'name: name must be a string'],
  401: ['unauthorized', 'Unauthorized', 'The API key is unknown or revoked.'],
  403: ['insufficient-scope', 'Insufficient scope', 'This request needs an API key with the `write` scope; this key has `read`.'],
  404: ['not-found', 'Not found', 'Job was not found.'],
  409: ['conflict', 'Conflict', 'The job is processing; only a draft can be submitted.'],
  413: ['payload-too-large', 'Payload too large', 'Photos may be at most 50 MB.'],
  415: ['unsupported-media-type', 'Unsupported media type', 'Photos must be one of image/jpeg, image/png, …'],
  422: [
    'idempotency-key-reused',
    'Idempotency key reused',
    'This Idempotency-Key was used with a different request (method, path or body) in the last 24 hours.',
  ],
  429: ['too-many-requests', 'Too Many Requests', 'Too many requests for this tenant; retry after the time in Retry-After.'],
  503: ['service-unavailable', 'Service Unavailable', 'The database is not reachable.'],
};

/**
 * What the decorators cannot say route by route, applied to every operation it is true of:
 * problem+json on every error, the rate-limit headers and 429 on every authenticated route, the
 * Idempotency-Key header with its 409 and 422 on every authenticated POST, and an example on every
 * JSON body (derived from the schemas' own examples).
 */
export function finishDocument(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {}) as Json;
  components.headers = { ...components.headers, ...HEADERS };
  components.parameters = { ...components.parameters, IdempotencyKey: IDEMPOTENCY_PARAMETER };
  const problemSchema = { $ref: '#/components/schemas/ProblemDocument' };
  const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Json) as Array<[string, Json]>) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const secured = Array.isArray(operation.security) && operation.security.length > 0;
      // Decorators on a controller hand the same response objects to all its routes: edit copies.
      const responses: Json = (operation.responses = structuredClone(operation.responses ?? {}));
      if (operation.parameters) operation.parameters = structuredClone(operation.parameters);
      if (operation.requestBody) operation.requestBody = structuredClone(operation.requestBody);
      if (secured) {
        responses['429'] ??= { description: 'The tenant’s rate limit is exhausted.', headers: { 'Retry-After': header('Retry-After') } };
        if ((operation.security as Json[]).some((scheme) => 'apiKey' in scheme)) {
          responses['403'] ??= {
            description:
              'The API key lacks the scope this request needs (`read` for GET, `write` for other requests, `keys` for API keys).',
          };
        }
        if (method === 'post') {
          (operation.parameters ??= []).push({ $ref: '#/components/parameters/IdempotencyKey' });
          responses['409'] = {
            ...responses['409'],
            description: [
              responses['409']?.description,
              'A request with the same Idempotency-Key is still in progress (retry after `Retry-After`).',
            ]
              .filter(Boolean)
              .join(' Or: '),
          };
          responses['422'] ??= { description: 'The Idempotency-Key was used with a different request.' };
        }
      }
      for (const [status, response] of Object.entries(responses) as Array<[string, Json]>) {
        const code = Number(status);
        response.description ||= STATUS_CODES[code];
        if (code >= 400) {
          const [slug, title, detail] = PROBLEM_EXAMPLES[code] ?? [
            String(STATUS_CODES[code]).toLowerCase().replace(/\W+/g, '-'),
            STATUS_CODES[code],
            undefined,
          ];
          response.content = {
            [PROBLEM_CONTENT_TYPE]: {
              schema: problemSchema,
              example: {
                type: `https://docs.revela.dev/problems/${slug}`,
                title,
                status: code,
                ...(detail ? { detail } : {}),
                instance: path.replace(/\{(\w+)\}/g, '…'),
              },
            },
          };
          if (code === 429 || code === 409) response.headers = { ...response.headers, 'Retry-After': header('Retry-After') };
        }
        if (secured)
          response.headers = { ...response.headers, RateLimit: header('RateLimit'), 'RateLimit-Policy': header('RateLimit-Policy') };
        if (secured && method === 'post' && code >= 200 && code < 300)
          response.headers[IDEMPOTENT_REPLAYED_HEADER] = header(IDEMPOTENT_REPLAYED_HEADER);
        for (const media of Object.values((response.content ?? {}) as Json)) addExample(media, components);
      }
      for (const media of Object.values((operation.requestBody?.content ?? {}) as Json)) addExample(media, components);
    }
  }
  return document;
}

function addExample(media: Json, components: Json): void {
  if (media.example !== undefined || media.examples !== undefined || !media.schema) return;
  const example = exampleOf(media.schema, components, 0);
  if (example !== undefined) media.example = example;
}

/** An example value for a schema, built from its own examples, defaults and enums; undefined for binary bodies. */
export function exampleOf(schema: Json, components: Json, depth: number): unknown {
  if (depth > 12) return undefined;
  if (schema.$ref) return exampleOf(components.schemas?.[String(schema.$ref).split('/').pop()!] ?? {}, components, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part: Json) => exampleOf(part, components, depth + 1)));
  const choice = schema.oneOf ?? schema.anyOf;
  if (choice) return exampleOf(choice[0], components, depth + 1);
  if (schema.type === 'array') {
    const item = exampleOf(schema.items ?? {}, components, depth + 1);
    return item === undefined ? [] : [item];
  }
  if (schema.type === 'object' || schema.properties) {
    const example: Json = {};
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Json)) {
      const value = exampleOf(property, components, depth + 1);
      if (value !== undefined) example[name] = value;
    }
    if (!schema.properties && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      example.key = exampleOf(schema.additionalProperties, components, depth + 1);
    }
    return example;
  }
  switch (schema.type) {
    case 'string':
      if (schema.format === 'binary') return undefined;
      if (schema.format === 'uuid') return '3f0e8a52-9c4b-4d8e-a1f7-6b2c5d9e0f14';
      if (schema.format === 'date-time') return '2026-11-21T10:15:00.000Z';
      if (schema.format === 'date') return '2026-11-21';
      return schema.nullable ? null : 'string';
    case 'integer':
    case 'number':
      return schema.nullable ? null : (schema.minimum ?? 0);
    case 'boolean':
      return true;
    default:
      return undefined;
  }
}
