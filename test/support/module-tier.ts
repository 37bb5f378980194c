/**
 * The module tier: one feature's real controllers behind the real HTTP edge (Fastify, the global
 * validation pipe, the problem+json filter, the auth guard and its decorators), with everything
 * behind a chosen seam replaced by recording fakes. No PostgreSQL, no S3, no workers: a suite
 * boots in milliseconds, so every validation and authorisation rule can have its own case.
 *
 * - `providers` are the real providers the suite wants (e.g. a service whose up-front rules are
 *   under test). Every other dependency of the controllers and of those providers that is a class
 *   becomes a strict recording fake: program it with `tier.fake(Token).on(method, impl)`. A call to
 *   a method nobody programmed fails the request, and `tier.request()` throws naming the method.
 * - `tier.calls()` lists every call that reached a fake, so "invalid input never reaches the
 *   service" is `assert.deepEqual(tier.calls(), [])`.
 * - Authentication is real down to the key lookup: ApiKeysService and the AuthGuard run as in the
 *   app, over an in-memory ApiKeysRepository. `tier.keys.issue('clinic')` mints a real-format key
 *   for a tenant of that kind; `tier.adminToken` is the platform admin token.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { type Provider, type Type, VersioningType } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { PinoLogger } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig, loadConfig } from '#config';
import { API_KEY_SCOPES, type ApiKeyScope, type AuthenticatedTenant, type TenantKind } from '#database';
import { ProblemDetailsFilter } from '../../apps/api/src/common/problem.filter.js';
import { createValidationPipe } from '../../apps/api/src/common/validation.js';
import { issueApiKey } from '../../apps/api/src/tenants/api-key-token.js';
import { ApiKeysRepository, type KeyOwner } from '../../apps/api/src/tenants/api-keys.repository.js';
import { ApiKeysService } from '../../apps/api/src/tenants/api-keys.service.js';
import { AuthFailureLimiter } from '../../apps/api/src/tenants/auth-failure-limiter.js';
import { AuthGuard } from '../../apps/api/src/tenants/auth.guard.js';

export interface FakeCall {
  fake: string;
  method: string;
  args: unknown[];
}

type Method = (...args: any[]) => unknown;
type MethodsOf<T> = { [K in keyof T & string]: T[K] extends Method ? K : never }[keyof T & string];

/** Nest calls these on every provider that has them; a fake must not answer them. */
const LIFECYCLE_HOOKS = new Set([
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

function methodNames(type: Type): string[] {
  const names = new Set<string>();
  for (let proto = type.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || LIFECYCLE_HOOKS.has(name)) continue;
      if (typeof Object.getOwnPropertyDescriptor(proto, name)?.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/** A stand-in for one provider: every method records its call, then runs what the test programmed. */
export class Fake<T extends object = any> {
  readonly instance: T;
  private readonly impls = new Map<string, Method>();

  constructor(
    readonly name: string,
    type: Type<T>,
    private readonly log: FakeCall[],
    /** Where calls to unprogrammed methods are reported. */
    private readonly missing: string[],
    /** Methods that answer without being recorded (the key lookup on every request). */
    private readonly quiet = new Set<string>(),
  ) {
    const instance: Record<string, Method> = {};
    for (const method of methodNames(type)) instance[method] = (...args: unknown[]) => this.invoke(method, args);
    this.instance = instance as T;
  }

  /** What `method` does from now on; unprogrammed methods throw, which answers 500. */
  on<K extends MethodsOf<T>>(method: K, impl: T[K]): this {
    this.impls.set(method, impl as Method);
    return this;
  }

  /** The arguments of each call to `method`, oldest first. */
  callsTo<K extends MethodsOf<T>>(method: K): Array<T[K] extends Method ? Parameters<T[K]> : never> {
    return this.log.filter((c) => c.fake === this.name && c.method === method).map((c) => c.args) as never;
  }

  private invoke(method: string, args: unknown[]): unknown {
    if (!this.quiet.has(method)) this.log.push({ fake: this.name, method, args });
    const impl = this.impls.get(method);
    if (!impl) {
      this.missing.push(`${this.name}.${method}`);
      throw new Error(`module tier: ${this.name}.${method} was called but the test did not program it`);
    }
    return impl(...args);
  }
}

/** In-memory API keys: real-format keys whose owner (tenant kind, revocation) the test decides. */
export class KeyStore {
  private readonly owners = new Map<string, KeyOwner>();

  constructor(readonly fake: Fake<ApiKeysRepository>) {
    fake.on('findOwnerByPrefix', async (prefix) => this.owners.get(prefix));
    fake.on('touch', async () => undefined);
  }

  /** A key for a new tenant of `kind`: `authorization` is the header value to send. */
  issue(
    kind: TenantKind,
    options: { revoked?: boolean; name?: string; scopes?: ApiKeyScope[] } = {},
  ): { key: string; authorization: string; tenant: AuthenticatedTenant } {
    const issued = issueApiKey();
    const tenant: AuthenticatedTenant = {
      tenantId: randomUUID(),
      kind,
      apiKeyId: randomUUID(),
      name: options.name ?? `${kind} ${randomBytes(3).toString('hex')}`,
      createdAt: new Date('2026-01-02T03:04:05.000Z'),
      scopes: options.scopes ?? [...API_KEY_SCOPES],
    };
    this.owners.set(issued.prefix, {
      keyId: tenant.apiKeyId,
      tenantId: tenant.tenantId,
      kind,
      tenantName: tenant.name,
      tenantCreatedAt: tenant.createdAt,
      secretHash: issued.secretHash,
      revoked: options.revoked ?? false,
      lastUsedAt: new Date(),
      scopes: [...tenant.scopes],
      tenantSuspended: false,
      expiresAt: null,
    });
    return { key: issued.key, authorization: `Bearer ${issued.key}`, tenant };
  }
}

export interface ModuleTierOptions {
  controllers: Type[];
  /** Real providers; every other class the controllers and these need is a recording fake. */
  providers?: Provider[];
  /** Non-class tokens (symbols, strings) to fake as well; classes are faked without being named. */
  fakeTokens?: Array<{ token: string | symbol; type: Type }>;
}

export interface TierResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** Parsed JSON (problem documents included), or the text. */
  body: any;
  text: string;
  /** The request path, which a problem document names as its `instance`. */
  path: string;
}

export interface TierRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  /** The Authorization header value, e.g. `tier.keys.issue('clinic').authorization`. */
  authorization?: string;
  query?: Record<string, string | number>;
  /** Objects are sent as JSON; strings, buffers and streams as they are (set a content type). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ModuleTier {
  app: NestFastifyApplication;
  config: AppConfig;
  adminToken: string;
  keys: KeyStore;
  fake<T extends object>(token: Type<T> | string | symbol): Fake<T>;
  /** Every call that reached a fake since the last `resetCalls()`, key lookups excepted. */
  calls(): FakeCall[];
  resetCalls(): void;
  request(request: TierRequest): Promise<TierResponse>;
  close(): Promise<void>;
}

/** Builds the testing module and the Fastify application around it (not listening: requests are injected). */
export async function startModuleTier(options: ModuleTierOptions): Promise<ModuleTier> {
  const adminToken = randomBytes(32).toString('base64url');
  const config = loadConfig({ RUNTIME: 'embedded', LOG_LEVEL: 'silent', ADMIN_TOKEN: adminToken });
  const log: FakeCall[] = [];
  const missing: string[] = [];
  const fakes = new Map<unknown, Fake>();
  const makeFake = (token: unknown, type: Type, quiet?: Set<string>) => {
    const name = typeof token === 'function' ? token.name : String(token);
    const fake = new Fake(name, type, log, missing, quiet);
    fakes.set(token, fake);
    return fake;
  };

  const keys = new KeyStore(
    makeFake(ApiKeysRepository, ApiKeysRepository, new Set(['findOwnerByPrefix', 'touch'])) as Fake<ApiKeysRepository>,
  );
  const explicit = (options.fakeTokens ?? []).map(({ token, type }) => ({ provide: token, useValue: makeFake(token, type).instance }));

  const moduleRef = await Test.createTestingModule({
    controllers: options.controllers,
    providers: [
      ...(options.providers ?? []),
      ...explicit,
      ApiKeysService,
      AuthFailureLimiter,
      { provide: ApiKeysRepository, useValue: keys.fake.instance },
      { provide: APP_CONFIG, useValue: config },
      { provide: PinoLogger, useValue: { assign: () => undefined } },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    ],
  })
    // Classes only: optional non-class tokens (e.g. multipart options) must stay unresolved.
    .useMocker((token) => (typeof token === 'function' ? (fakes.get(token) ?? makeFake(token, token as Type)).instance : undefined))
    .compile();

  // The HTTP edge as app.factory.ts builds it: body limit, raw body, URI versioning, the global
  // validation pipe and the streamed octet-stream body.
  const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimitBytes });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, {
    rawBody: true,
    logger: process.env.REVELA_TEST_LOG_LEVEL ? ['error', 'warn'] : false,
  });
  app.enableVersioning({ type: VersioningType.URI, defaultVersion: undefined });
  app.useGlobalPipes(createValidationPipe());
  adapter.getInstance().addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  await app.init();
  await adapter.getInstance().ready();

  return {
    app,
    config,
    adminToken,
    keys,
    fake<T extends object>(token: Type<T> | string | symbol) {
      const fake = fakes.get(token);
      if (!fake)
        throw new Error(`module tier: nothing faked ${typeof token === 'function' ? token.name : String(token)}; is it a real provider?`);
      return fake as Fake<T>;
    },
    calls: () => [...log],
    resetCalls: () => {
      log.length = 0;
    },
    async request({ method, url, authorization, query, body, headers = {} }) {
      const isJson = body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body) && !(body instanceof Readable);
      const response = await app.inject({
        method,
        url,
        query: query && Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
        headers: {
          ...(authorization ? { authorization } : {}),
          ...(isJson ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        payload: isJson ? JSON.stringify(body) : body,
      });
      if (missing.length > 0) {
        const methods = missing.splice(0).join(', ');
        throw new Error(
          `module tier: ${method} ${url} answered ${response.statusCode} after calling ${methods}, which the test did not program`,
        );
      }
      const type = String(response.headers['content-type'] ?? '');
      return {
        status: response.statusCode,
        headers: response.headers,
        body: /json/.test(type) && response.body ? JSON.parse(response.body) : response.body,
        text: response.body,
        path: url.split('?')[0],
      };
    },
    async close() {
      await app.close();
    },
  };
}

/**
 * A multipart/form-data body with one file part, as a browser sends it. With `data` a number, the
 * file is that many filler bytes, streamed from one reused chunk: a 50 MB upload then costs
 * milliseconds instead of allocating and copying 100 MB.
 */
export function multipartFile(
  field: string,
  file: { filename: string; contentType: string; data: Buffer | number },
): { body: Readable; headers: Record<string, string> } {
  const boundary = `----revela${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`;
  function* parts(): Generator<Buffer> {
    yield Buffer.from(head);
    if (typeof file.data === 'number') {
      const chunk = Buffer.alloc(Math.min(file.data, 1024 * 1024), 0xff);
      for (let left = file.data; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
    } else {
      yield file.data;
    }
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return { body: Readable.from(parts(), { objectMode: false }), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/**
 * Asserts an RFC 9457 problem document: the media type, `type`, `title`, `status`, `instance`, and
 * with `fields` the exact set of field paths in `errors[]`, each with a message.
 */
export function assertProblem(res: TierResponse, status: number, expected: { slug?: string; fields?: string[] } = {}): void {
  assert.equal(res.status, status, res.text);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/, res.text);
  assert.equal(res.body.status, status);
  assert.match(res.body.type, /^https:\/\/docs\.revela\.dev\/problems\/[a-z0-9-]+$/);
  if (expected.slug) assert.equal(res.body.type, `https://docs.revela.dev/problems/${expected.slug}`);
  assert.equal(typeof res.body.title, 'string');
  assert.ok(res.body.title.length > 0);
  assert.equal(res.body.instance, res.path);
  assert.doesNotMatch(res.text, /at \w+ \(|node_modules|SELECT /, 'no internals');
  if (expected.fields) {
    assert.equal(res.body.title, 'Request validation failed');
    assert.ok(Array.isArray(res.body.errors), res.text);
    for (const error of res.body.errors) assert.ok(typeof error.message === 'string' && error.message.length > 0, JSON.stringify(error));
    const fields = [...new Set(res.body.errors.map((e: { field: string }) => e.field))].sort();
    assert.deepEqual(fields, [...expected.fields].sort(), res.text);
  }
}
