/**
 * `npm run bench`: runs every benchmark on this machine and records the results in BENCHMARKS.md,
 * each under its own heading with the date, machine and command. `npm run bench -- api` runs one
 * and replaces only its section.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { benchApi } from './api.js';
import { benchBurst } from './burst.js';
import { benchClaim } from './claim.js';
import { benchClinic } from './clinic.js';
import { benchFullsize } from './fullsize.js';
import { benchProofs } from './proofs.js';
import { benchSoak } from './soak.js';
import { benchStudio } from './studio.js';
import { benchUpload } from './upload.js';
import { type BenchTable, missedTargets, renderTable } from './support/infra.js';

const benches: Record<string, () => Promise<BenchTable | BenchTable[]>> = {
  api: benchApi,
  upload: benchUpload,
  clinic: benchClinic,
  burst: benchBurst,
  studio: benchStudio,
  proofs: benchProofs,
  fullsize: benchFullsize,
  soak: benchSoak,
  claim: benchClaim,
};

const FILE = 'BENCHMARKS.md';
const INTRO = [
  '# Benchmarks',
  '',
  'Produced by `npm run bench` (all) or `npm run bench -- NAME` (one section). Targets come from the',
  'design document; every figure below was measured on the machine named in its section, and each',
  'target stands beside its figure, marked **MISSED** when the figure does not meet it.',
  '',
].join('\n');

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Splits the file into its `## name` sections, so one benchmark can be re-run on its own. */
function sections(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of text.split(/^(?=## )/m).slice(1)) found.set(part.slice(3, part.indexOf('\n')).trim(), part.trimEnd());
  return found;
}

async function main(): Promise<void> {
  const selected = process.argv.slice(2).filter((name) => name in benches);
  const names = selected.length > 0 ? selected : Object.keys(benches);
  const existing = sections(await readFile(FILE, 'utf8').catch(() => ''));
  const missed: string[] = [];
  for (const name of names) {
    process.stderr.write(`bench: ${name}…\n`);
    const result = await benches[name]();
    const results = Array.isArray(result) ? result : [result];
    missed.push(...missedTargets(results).map((line) => `${name}: ${line}`));
    const tables = results.map(renderTable);
    for (const table of tables) process.stdout.write(`${table}\n\n`);
    const header = [`## ${name}`, '', `Command: \`npm run bench -- ${name}\` · ${new Date().toISOString()} · ${machine()}`, ''];
    existing.set(name, [...header, ...tables].join('\n\n').replace(/\n\n\n+/g, '\n\n'));
  }
  const ordered = Object.keys(benches).flatMap((name) => (existing.has(name) ? [existing.get(name)!] : []));
  await writeFile(FILE, `${INTRO}\n${ordered.join('\n\n')}\n`);
  // Every target is printed beside its figure above; the misses are repeated here so none is overlooked.
  process.stdout.write(
    missed.length === 0
      ? 'bench: every target met\n'
      : `bench: ${missed.length} target(s) MISSED:\n${missed.map((line) => `  - ${line}\n`).join('')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
