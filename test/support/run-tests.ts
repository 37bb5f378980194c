/**
 * Test entry point: provides one PostgreSQL (DATABASE_URL, or an embedded one on a bare machine),
 * migrates a template database once, then runs every spec and suite with node's test runner. Each
 * suite clones the template into a database of its own, so suites are independent and parallel.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runMigrations, startEmbeddedPostgres } from '#database';
import { freePort } from './net.js';

async function findTests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && (e.name.endsWith('.spec.js') || e.name.endsWith('.test.js')))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const cleanups: Array<() => Promise<void>> = [];
  try {
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'revela-test-pg-'));
      await chmod(dir, 0o755); // PostgreSQL runs as its own user when we are root
      const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await freePort(), database: 'postgres' });
      cleanups.push(async () => {
        await embedded.stop();
        await rm(dir, { recursive: true, force: true });
      });
      adminUrl = embedded.url;
      process.stdout.write(`# using embedded PostgreSQL (${new URL(adminUrl).host})\n`);
    } else {
      process.stdout.write(`# using DATABASE_URL (${new URL(adminUrl).host})\n`);
    }

    const template = `revela_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
    await admin.query(`CREATE DATABASE "${template}"`);
    cleanups.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
      await admin.end();
    });
    await runMigrations(withDatabase(adminUrl, template));

    const root = path.resolve('dist');
    const files = (await findTests(root)).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
        stdio: 'inherit',
        env: { ...process.env, REVELA_TEST_ADMIN_DATABASE_URL: adminUrl, REVELA_TEST_TEMPLATE_DATABASE: template },
      });
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    });
    return code;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error(err));
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
