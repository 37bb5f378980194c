/**
 * `npm run bench`: runs every benchmark on this machine and rewrites BENCHMARKS.md with the results,
 * the machine and the command. Pass names to run a subset, e.g. `npm run bench -- api`.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { benchApi } from './api.js';
import { benchClinic } from './clinic.js';
import { benchStudio } from './studio.js';
import { benchUpload } from './upload.js';
import { type BenchTable, renderTable } from './support/infra.js';

const benches: Record<string, () => Promise<BenchTable | BenchTable[]>> = {
  api: benchApi,
  upload: benchUpload,
  clinic: benchClinic,
  studio: benchStudio,
};

async function main(): Promise<void> {
  const selected = process.argv.slice(2).filter((name) => name in benches);
  const names = selected.length > 0 ? selected : Object.keys(benches);
  const sections: string[] = [];
  for (const name of names) {
    process.stderr.write(`bench: ${name}…\n`);
    const result = await benches[name]();
    for (const table of Array.isArray(result) ? result : [result]) {
      const text = renderTable(table);
      process.stdout.write(`${text}\n\n`);
      sections.push(text);
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    '# Benchmarks',
    '',
    `Command: \`npm run bench${selected.length ? ' -- ' + selected.join(' ') : ''}\``,
    `Date: ${new Date().toISOString()}`,
    `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`,
    '',
  ];
  await writeFile('BENCHMARKS.md', [...header, ...sections].join('\n') + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
