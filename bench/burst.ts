/**
 * `npm run bench -- burst`: time to first thumbnail when a clinic drops a whole folder. The real
 * API process (`node dist/apps/api/src/main.js`, as `npm start` runs it: embedded S3 in-process,
 * its ObjectCreated events invoking the thumbnail Lambda's handler through the local async
 * invoker, signed reports back to the API) receives 20 presigned PUTs at once. Measured: each
 * photo's time from the end of its PUT to `ready` (the row's `processed_at`), the time until the
 * last is ready, and the latency of GET /v1/animals from a client browsing meanwhile. The API runs
 * once per handler placement (LOCAL_THUMBNAIL_PLACEMENT), side by side in the same run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import sharp from 'sharp';
import { type ApiProcess, probe, startApiProcess } from '../test/faults/support/api-process.js';
import { must } from '../test/faults/support/http.js';
import { mapLimit } from '../test/clinic/photo-helpers.js';
import { fixture } from '../test/support/fixtures.js';
import { bareSharp } from './clinic.js';
import { type BenchTable, benchDatabase, freePort, median, renderTable, target } from './support/infra.js';

const PHOTOS = Number(process.env.BENCH_BURST_PHOTOS ?? 20);
const RUNS = Number(process.env.BENCH_BURST_RUNS ?? 3);
const PLACEMENTS = ['in-process', 'worker-threads'] as const;
/** For experiments: `BENCH_BURST_ONLY=worker-threads,image/jpeg` runs only what it names. */
const ONLY = process.env.BENCH_BURST_ONLY?.split(',');
type Placement = (typeof PLACEMENTS)[number];

interface Workload {
  label: string;
  contentType: string;
  filename: string;
  bytes: Buffer;
}

/** A 12 MP phone-sized JPEG (4000×3000, q92), made from the 24 MP fixture. */
async function twelveMegapixelJpeg(): Promise<Buffer> {
  return sharp(fixture('images', 'progressive_6000x4000.jpg')).resize(4000, 3000).jpeg({ quality: 92 }).toBuffer();
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * A person browsing the animal list while the photos process: two clients, each sending the next
 * GET /v1/animals as soon as the last answered. Samples are [start ms, latency ms].
 */
function browse(baseUrl: string, key: string): { samples: Array<[number, number]>; stop(): Promise<void> } {
  const samples: Array<[number, number]> = [];
  let running = true;
  const client = async () => {
    while (running) {
      const started = performance.now();
      const at = Date.now();
      const res = await fetch(`${baseUrl}/v1/animals?limit=20`, { headers: { authorization: `Bearer ${key}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET /v1/animals answered ${res.status}`);
      samples.push([at, performance.now() - started]);
      await sleep(10);
    }
  };
  const clients = [client(), client()];
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

interface BurstResult {
  /** First PUT start → last PUT answered: the uploads themselves, into the API process's S3. */
  uploadsMs: number;
  medianMs: number;
  p95Ms: number;
  lastReadyMs: number;
  animalsP99Ms: number;
  loopP99Ms: number;
}

async function burst(api: ApiProcess, db: pg.Client, key: string, animalId: string, work: Workload): Promise<BurstResult> {
  const declared = await Promise.all(
    Array.from({ length: PHOTOS }, async (_, i) => {
      const body = await must(201, api.baseUrl, 'POST', `/v1/animals/${animalId}/photos`, key, {
        contentType: work.contentType,
        filename: `${i}-${work.filename}`,
        bytes: work.bytes.length,
      });
      return body as { photo: { id: string }; upload: { url: string; headers: Record<string, string> } };
    }),
  );
  const ids = declared.map((d) => d.photo.id);
  const browsing = browse(api.baseUrl, key);
  await sleep(200);
  await probe(api, 'probe:reset');
  const burstStart = Date.now();
  const putEnds = new Map<string, number>();
  await Promise.all(
    declared.map(async (d) => {
      const put = await fetch(d.upload.url, { method: 'PUT', headers: d.upload.headers, body: work.bytes });
      await put.arrayBuffer();
      if (!put.ok) throw new Error(`presigned PUT answered ${put.status}`);
      putEnds.set(d.photo.id, Date.now());
    }),
  );
  const deadline = Date.now() + 180_000;
  let rows: Array<{ id: string; status: string; processed: number | null; failure_reason: string | null }>;
  for (;;) {
    rows = (
      await db.query<{ id: string; status: string; processed: number | null; failure_reason: string | null }>(
        `SELECT id, status, failure_reason, (extract(epoch FROM processed_at) * 1000)::float8 AS processed FROM photos WHERE id = ANY($1)`,
        [ids],
      )
    ).rows;
    if (rows.every((row) => row.status === 'ready' || row.status === 'failed')) break;
    if (Date.now() > deadline) throw new Error(`photos not ready after 180 s: ${JSON.stringify(rows.map((r) => r.status))}`);
    await sleep(25);
  }
  const loop = await probe(api);
  await browsing.stop();
  const failed = rows.filter((row) => row.status !== 'ready');
  if (failed.length > 0) throw new Error(`${failed.length} photos failed: ${failed[0].failure_reason}`);
  const latencies = rows.map((row) => row.processed! - putEnds.get(row.id)!);
  const lastReady = Math.max(...rows.map((row) => row.processed!));
  const during = browsing.samples.filter(([at]) => at >= burstStart && at <= lastReady).map(([, ms]) => ms);
  return {
    uploadsMs: Math.max(...putEnds.values()) - burstStart,
    medianMs: median(latencies),
    p95Ms: percentile(latencies, 95),
    lastReadyMs: lastReady - burstStart,
    animalsP99Ms: percentile(during, 99),
    loopP99Ms: loop.eventLoopDelayMs.p99,
  };
}

/** GET /v1/animals latency p99 with nothing else going on, for reference. */
async function idleP99(api: ApiProcess, key: string): Promise<number> {
  const browsing = browse(api.baseUrl, key);
  await sleep(3_000);
  await browsing.stop();
  return percentile(
    browsing.samples.slice(20).map(([, ms]) => ms),
    99,
  );
}

async function withApi<T>(placement: Placement, databaseUrl: string, run: (api: ApiProcess, adminToken: string) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'revela-bench-burst-'));
  const env = {
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    EMBEDDED_S3_PORT: String(await freePort()),
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    ADMIN_TOKEN: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
    LOCAL_THUMBNAIL_PLACEMENT: placement,
  };
  const api = await startApiProcess(env, { probe: true });
  try {
    return await run(api, env.ADMIN_TOKEN);
  } finally {
    api.child.kill('SIGTERM');
    await api.exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function benchBurst(): Promise<BenchTable[]> {
  const jpeg = await twelveMegapixelJpeg();
  const workloads: Workload[] = [
    { label: '12 MP JPEG (4000×3000 q92)', contentType: 'image/jpeg', filename: 'photo.jpg', bytes: jpeg },
    {
      label: '12 MP HEIC (iphone7_display_p3.heic)',
      contentType: 'image/heic',
      filename: 'photo.heic',
      bytes: await readFile(fixture('images', 'iphone7_display_p3.heic')),
    },
  ];
  // The floor of the last-ready target: bare sharp rendering the same photos, 2 in flight, in this process.
  await bareSharp(jpeg);
  const sharpWalls: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await mapLimit(
      Array.from({ length: PHOTOS }, (_, n) => n),
      2,
      () => bareSharp(jpeg),
    );
    sharpWalls.push(performance.now() - started);
  }
  // Per image and per worker, as `bench clinic` reports it: 20 × this / cores is the wall time above.
  const sharpMs = (median(sharpWalls) * 2) / PHOTOS;
  const cores = os.cpus().length;

  const database = await benchDatabase();
  const db = new pg.Client({ connectionString: database.url });
  const rows: Array<Array<string | number>> = [];
  const results = new Map<string, BurstResult>();
  let connected = false;
  try {
    for (const placement of PLACEMENTS.filter((p) => !ONLY || ONLY.includes(p))) {
      await withApi(placement, database.url, async (api, adminToken) => {
        if (!connected) await db.connect();
        connected = true;
        const clinic = await must(201, api.baseUrl, 'POST', '/v1/tenants', adminToken, { name: `Burst ${placement}`, kind: 'clinic' });
        const key = clinic.apiKey.key as string;
        for (let i = 0; i < 40; i++)
          await must(201, api.baseUrl, 'POST', '/v1/animals', key, { name: `Animal ${i}`, species: 'dog', tutor: { name: 'Maria Silva' } });
        const animal = await must(201, api.baseUrl, 'POST', '/v1/animals', key, { name: 'Burst', species: 'cat', tutor: { name: 'Ana' } });
        const idle = await idleP99(api, key);
        rows.push([placement, 'none (idle API)', '', '', '', '', idle.toFixed(1), '']);
        for (const work of workloads.filter((w) => !ONLY || ONLY.includes(w.contentType))) {
          // One burst to warm up (the threads, heic-decode's WebAssembly), then the measured ones.
          process.stderr.write(`burst: ${placement}, ${work.label}\n`);
          await burst(api, db, key, animal.id, work);
          const runs: BurstResult[] = [];
          for (let i = 0; i < RUNS; i++) runs.push(await burst(api, db, key, animal.id, work));
          const m = (pick: (r: BurstResult) => number) => median(runs.map(pick));
          const result: BurstResult = {
            uploadsMs: m((r) => r.uploadsMs),
            medianMs: m((r) => r.medianMs),
            p95Ms: m((r) => r.p95Ms),
            lastReadyMs: m((r) => r.lastReadyMs),
            animalsP99Ms: m((r) => r.animalsP99Ms),
            loopP99Ms: m((r) => r.loopP99Ms),
          };
          results.set(`${placement} ${work.contentType}`, result);
          rows.push([
            placement,
            work.label,
            result.uploadsMs.toFixed(0),
            result.medianMs.toFixed(0),
            result.p95Ms.toFixed(0),
            result.lastReadyMs.toFixed(0),
            result.animalsP99Ms.toFixed(1),
            result.loopP99Ms.toFixed(1),
          ]);
        }
      });
    }
  } finally {
    await db.end().catch(() => undefined);
    await database.close();
  }
  const after = (type: string) => results.get(`worker-threads ${type}`);
  const lastReadyBound = (PHOTOS * sharpMs) / cores;
  return [
    {
      title: `Time to first thumbnail: ${PHOTOS} photos uploaded at once through \`npm start\`'s wiring, median of ${RUNS} bursts`,
      columns: [
        'thumbnail handler placement',
        'photos',
        'first PUT → last PUT answered, ms',
        'PUT end → ready, median ms',
        'p95 ms',
        'first PUT → last ready, ms',
        'GET /v1/animals p99 ms during the burst',
        'API event-loop delay p99 ms',
      ],
      rows,
      targets: [
        target('20 JPEGs: PUT end → ready median, ms (worker threads)', after('image/jpeg')?.medianMs ?? Number.NaN, '<', 1000, (n) =>
          n.toFixed(0),
        ),
        target(
          `20 JPEGs: last ready, ms (20 × bare sharp ${sharpMs.toFixed(0)} ms / ${cores} cores)`,
          after('image/jpeg')?.lastReadyMs ?? Number.NaN,
          '≤',
          lastReadyBound,
          (n) => n.toFixed(0),
        ),
        target('20 JPEGs: GET /v1/animals p99 ms (worker threads)', after('image/jpeg')?.animalsP99Ms ?? Number.NaN, '<', 50, (n) =>
          n.toFixed(1),
        ),
        target('20 HEICs: GET /v1/animals p99 ms (worker threads)', after('image/heic')?.animalsP99Ms ?? Number.NaN, '<', 50, (n) =>
          n.toFixed(1),
        ),
      ],
      notes: [
        'Each photo: presigned PUT to the embedded S3 (in the API process) → ObjectCreated event → local async invoker (2 in flight) → thumbnail handler (S3 GET, three renditions, three PUTs, signed reports) → `ready`. "ready" is the row\'s `processed_at`; the PUT ends when its answer arrives at the client.',
        "GET /v1/animals?limit=20 (41 animals) from two clients, each sending the next request 10 ms after the last answer, counted from the first PUT to the last ready photo. `in-process` is the placement before this change (the handler on the API's event loop); `worker-threads` is the default now.",
        `Bare sharp time per image: the three renditions of the same 12 MP JPEG in this process, ${PHOTOS} images 2 in flight (median of 3), × 2 / ${PHOTOS} = ${sharpMs.toFixed(0)} ms per image per worker; 20 × that / ${cores} cores is bare sharp's own wall time for the burst.`,
      ],
    },
  ];
}

/** `node dist/bench/burst.js` runs it alone. */
if (import.meta.url === `file://${process.argv[1]}`) {
  benchBurst().then(
    (tables) => {
      for (const table of tables) console.log(`${renderTable(table)}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
