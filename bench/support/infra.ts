import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '#database';
import { freePort } from '../../test/support/net.js';

export { freePort };

export interface BenchDatabase {
  url: string;
  close(): Promise<void>;
}

/** A throwaway database: on DATABASE_URL's server when set, else on an embedded PostgreSQL. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const cleanups: Array<() => Promise<void>> = [];
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'revela-bench-pg-'));
    await chmod(dir, 0o755);
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await freePort(), database: 'postgres' });
    cleanups.push(async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    });
    adminUrl = embedded.url;
  }
  const name = `revela_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    close: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One target beside the figure measured for it in the same run. */
export interface BenchTarget {
  /** What is measured, e.g. "handler images/min (24 MP JPEG)". */
  what: string;
  /** The target as written, e.g. "≥ 500". */
  target: string;
  /** The figure, formatted. */
  measured: string;
  met: boolean;
}

export interface BenchTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Rendered as a table of target, figure and verdict under the results; a miss is marked. */
  targets?: BenchTarget[];
  notes?: string[];
}

export const MISSED = '**MISSED**';

/** A target of the form `figure <op> bound`; NaN (not measured) never meets it. */
export function target(
  what: string,
  measured: number,
  op: '≥' | '<' | '≤',
  bound: number,
  format: (n: number) => string = String,
): BenchTarget {
  const met = Number.isFinite(measured) && (op === '≥' ? measured >= bound : op === '<' ? measured < bound : measured <= bound);
  return { what, target: `${op} ${format(bound)}`, measured: Number.isFinite(measured) ? format(measured) : 'not measured', met };
}

export function renderTable(table: BenchTable): string {
  const lines = [`### ${table.title}`, '', `| ${table.columns.join(' | ')} |`, `|${table.columns.map(() => '---').join('|')}|`];
  for (const row of table.rows) lines.push(`| ${row.join(' | ')} |`);
  if (table.targets?.length) {
    lines.push('', '| target | figure | verdict |', '|---|---|---|');
    for (const t of table.targets) lines.push(`| ${t.what} ${t.target} | ${t.measured} | ${t.met ? 'met' : MISSED} |`);
  }
  for (const note of table.notes ?? []) lines.push('', note);
  return lines.join('\n');
}

/** The targets of these tables that were missed, one line each, for the end of a run. */
export function missedTargets(tables: BenchTable[]): string[] {
  return tables.flatMap((table) => (table.targets ?? []).filter((t) => !t.met).map((t) => `${t.what}: ${t.measured}, target ${t.target}`));
}
