import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { type BenchTable, benchDatabase, freePort, target } from './support/infra.js';

const DURATION_SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const CONNECTIONS = 50;
const here = path.dirname(fileURLToPath(import.meta.url));

function startProcess(script: string, env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/ready|API listening/.test(output)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}): ${output.slice(-2000)}`)));
  });
}

async function load(url: string, key: string) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    headers: { authorization: `Bearer ${key}` },
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** GET /v1/tenant under 50 concurrent connections: Revela vs bare Fastify + pg, same database, same run. */
export async function benchApi(): Promise<BenchTable> {
  const database = await benchDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'revela-bench-api-'));
  const children: ChildProcess[] = [];
  try {
    const apiPort = await freePort();
    const adminToken = randomBytes(32).toString('base64url');
    children.push(
      await startProcess(path.join(here, '../apps/api/src/main.js'), {
        DATABASE_URL: database.url,
        PORT: String(apiPort),
        ADMIN_TOKEN: adminToken,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '100000000',
        DATA_DIR: dataDir,
        EMBEDDED_S3_PORT: String(await freePort()),
      }),
    );
    const created = await fetch(`http://127.0.0.1:${apiPort}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench Studio', kind: 'studio' }),
    });
    const { apiKey } = (await created.json()) as { apiKey: { key: string } };

    const barePort = await freePort();
    children.push(await startProcess(path.join(here, 'support/bare-fastify.js'), { DATABASE_URL: database.url, PORT: String(barePort) }));

    await load(`http://127.0.0.1:${apiPort}/v1/tenant`, apiKey.key); // warm-up, discarded
    const ours = await load(`http://127.0.0.1:${apiPort}/v1/tenant`, apiKey.key);
    await load(`http://127.0.0.1:${barePort}/v1/tenant`, apiKey.key);
    const bare = await load(`http://127.0.0.1:${barePort}/v1/tenant`, apiKey.key);
    return {
      title: `Authenticated GET /v1/tenant, ${CONNECTIONS} connections, ${DURATION_SECONDS} s (autocannon, loopback)`,
      columns: ['server', 'req/s', 'p50 ms', 'p99 ms'],
      rows: [
        ['Revela API (NestJS + Fastify + TypeORM)', ours.rps.toFixed(0), ours.p50, ours.p99],
        ['bare Fastify + pg, same lookup', bare.rps.toFixed(0), bare.p50, bare.p99],
        ['ratio ours / bare', (ours.rps / bare.rps).toFixed(2), '', ''],
      ],
      targets: [target('ratio ours / bare', ours.rps / bare.rps, '≥', 0.6, (n) => n.toFixed(2)), target('p99 ms', ours.p99, '<', 20)],
    };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
