import autocannon from 'autocannon';

/** One route of the mix: its own autocannon instance, so that every route gets its own latencies. */
export interface RouteLoad {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  connections: number;
  key: string;
}

export interface RouteResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  serverErrors: number;
  errors: number;
}

export interface MixedLoadKeys {
  clinicKey: string;
  studioKey: string;
  /** An animal of the clinic, for the photo declarations. */
  animalId: string;
}

/**
 * The mixed load of issue 13 (26 connections): authenticated reads, listing animals, registering
 * animals, declaring photos (a row and a presigned PUT each), listing jobs.
 */
export function mixedRoutes({ clinicKey, studioKey, animalId }: MixedLoadKeys): RouteLoad[] {
  return [
    { name: 'GET /v1/tenant', method: 'GET', path: '/v1/tenant', connections: 8, key: studioKey },
    { name: 'GET /v1/animals?limit=20', method: 'GET', path: '/v1/animals?limit=20', connections: 5, key: clinicKey },
    {
      name: 'POST /v1/animals',
      method: 'POST',
      path: '/v1/animals',
      body: { name: 'Soak', species: 'dog', breed: 'Beagle', tutor: { name: 'Maria Silva' } },
      connections: 4,
      key: clinicKey,
    },
    {
      name: 'POST /v1/animals/{id}/photos (declare)',
      method: 'POST',
      path: `/v1/animals/${animalId}/photos`,
      body: { contentType: 'image/jpeg', filename: 'soak.jpg', bytes: 350_000 },
      connections: 4,
      key: clinicKey,
    },
    { name: 'GET /v1/jobs?limit=20', method: 'GET', path: '/v1/jobs?limit=20', connections: 5, key: studioKey },
  ];
}

/** Runs every route of the mix at once for `seconds` against `baseUrl` (loopback only). */
export async function runMixedLoad(baseUrl: string, routes: RouteLoad[], seconds: number): Promise<RouteResult[]> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) throw new Error(`load tests target loopback only, not ${baseUrl}`);
  const results = await Promise.all(
    routes.map((route) =>
      autocannon({
        url: baseUrl + route.path,
        method: route.method,
        connections: route.connections,
        duration: seconds,
        headers: { authorization: `Bearer ${route.key}`, ...(route.body ? { 'content-type': 'application/json' } : {}) },
        body: route.body ? JSON.stringify(route.body) : undefined,
      }),
    ),
  );
  return results.map((result, i) => ({
    name: routes[i].name,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    serverErrors: result['5xx'],
    errors: result.errors,
  }));
}

/** Samples `read` every `everyMs` until `stop` is called; answers the samples. */
export function sampleEvery<T>(everyMs: number, read: () => Promise<T>): { stop(): Promise<T[]> } {
  const samples: T[] = [];
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending
      .then(() => read())
      .then(
        (value) => void samples.push(value),
        () => undefined,
      );
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      return samples;
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
