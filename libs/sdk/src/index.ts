/**
 * The Revela API's TypeScript client. `schema.d.ts` is generated from openapi/revela.json by
 * openapi-typescript (`npm run openapi`), and the client is openapi-fetch's; what is written by hand
 * here is only the bearer key, the problem error and a pagination iterator.
 */
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';

export type { components, operations, paths };
export type Schemas = components['schemas'];
export type RevelaClient = Client<paths>;

export interface RevelaClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** e.g. `https://api.revela.example` (no trailing `/v1`: paths carry it). */
  baseUrl: string;
  /** A tenant API key (`rvl_…`) or, for creating tenants, the platform admin token. */
  apiKey: string;
}

/** A typed client: `client.POST('/v1/jobs', { body })`, `client.GET('/v1/jobs/{id}', { params: { path: { id } } })`. */
export function createRevelaClient({ baseUrl, apiKey, ...options }: RevelaClientOptions): RevelaClient {
  const client = createClient<paths>({ ...options, baseUrl: baseUrl.replace(/\/+$/, '') });
  client.use(bearerAuth(apiKey));
  return client;
}

/** Sends `Authorization: Bearer <token>` on every request. */
export function bearerAuth(token: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  };
}

export type ProblemDetails = Schemas['ProblemDocument'];

/** An RFC 9457 problem answered by the API, as an Error. */
export class RevelaProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: ProblemDetails['errors'];

  constructor(
    readonly problem: ProblemDetails,
    readonly response: Response,
  ) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = 'RevelaProblem';
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors;
  }
}

type Result<Data> = { data?: Data; error?: unknown; response: Response };

/** The data of a successful call, or a thrown RevelaProblem: `const job = await unwrap(client.POST('/v1/jobs', { body }))`. */
export async function unwrap<Data>(call: Promise<Result<Data>> | Result<Data>): Promise<Data> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const problem = isProblem(error) ? error : { type: 'about:blank', title: response.statusText || 'Error', status: response.status };
    throw new RevelaProblem(problem, response);
  }
  return data as Data;
}

function isProblem(value: unknown): value is ProblemDetails {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ProblemDetails).status === 'number' &&
    typeof (value as ProblemDetails).title === 'string'
  );
}

/**
 * Every item of a cursor-paginated list, page after page:
 * `for await (const job of paginate((cursor) => client.GET('/v1/jobs', { params: { query: { cursor } } }))) …`
 */
export async function* paginate<Item>(
  page: (cursor: string | undefined) => Promise<Result<{ items: Item[]; nextCursor?: string | null }>>,
): AsyncGenerator<Item> {
  let cursor: string | undefined;
  do {
    const { items, nextCursor } = await unwrap(page(cursor));
    yield* items;
    cursor = nextCursor ?? undefined;
  } while (cursor);
}
