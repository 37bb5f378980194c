/**
 * `npm run bench -- proofs`: a studio's proof sheet, `source: embedded-preview` → one 400 px
 * WebP, through the batch worker's develop stage (`developRaw`) in this process, beside the
 * LibRaw extractor it used before (`simple_dcraw -e`, a sandboxed process per file).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PRESET, developRaw, NativeRawDecoder, type ProcessingPreset } from '#imaging';
import { readTiffPreview } from '../libs/imaging/src/raw/tiff-preview.js';
import { fixture } from '../test/support/fixtures.js';
import { type BenchTable, median, renderTable, target } from './support/infra.js';

const FILES = Number(process.env.BENCH_PROOFS_FILES ?? 30);
const RUNS = 3;

const PRESET: ProcessingPreset = {
  ...DEFAULT_PRESET,
  source: 'embedded-preview',
  variants: [{ name: 'proof', longEdge: 400, format: 'webp', quality: 80 }],
};

/** Real camera files whose embedded JPEG previews are intact (the sensor data of two is cut off). */
const SOURCES = [
  { file: ['raw', 'broken', 'nikon_d7100_truncated.nef'], label: 'Nikon D7100 NEF, 6000×4000 preview' },
  { file: ['raw', 'broken', 'sony_slt-a55_truncated.arw'], label: 'Sony SLT-A55 ARW, 1616×1080 preview' },
  { file: ['raw', 'canon_eos_6d_lossy_reduced.dng'], label: 'Canon EOS 6D DNG, 1024×683 preview' },
];

/** Median of RUNS passes over the files, one file at a time: ms per file. */
async function perFile(files: string[], each: (file: string) => Promise<unknown>): Promise<number> {
  await each(files[0]);
  const passes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    for (const file of files) await each(file);
    passes.push((performance.now() - started) / files.length);
  }
  return median(passes);
}

export async function benchProofs(): Promise<BenchTable[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'revela-bench-proofs-'));
  const rows: Array<Array<string | number>> = [];
  let developMs: number;
  try {
    const files: string[] = [];
    for (let i = 0; i < FILES; i++) {
      const source = SOURCES[i % SOURCES.length];
      const copy = path.join(dir, `${i}-${source.file.at(-1)}`);
      await copyFile(fixture(...source.file), copy);
      files.push(copy);
    }
    const sources = new Set<string>();
    developMs = await perFile(files, async (file) => {
      const result = await developRaw(file, PRESET);
      sources.add(result.source);
      if (result.variants[0]?.width > 400 || result.variants[0]?.height > 400) throw new Error('proof larger than 400 px');
    });
    if ([...sources].join() !== 'embedded-preview') throw new Error(`proofs came from ${[...sources].join()}`);
    const readMs = await perFile(files, readTiffPreview);
    rows.push(['develop stage: developRaw, source embedded-preview → 400 px WebP (preview read in-process)', developMs.toFixed(1)]);
    rows.push(['  of which reading the preview from the TIFF IFDs (readTiffPreview)', readMs.toFixed(1)]);
    const native = new NativeRawDecoder();
    if (await native.available()) {
      const libRawMs = await perFile(files, (file) => native.extractPreview(file));
      rows.push([
        'before: the preview extracted by LibRaw (`simple_dcraw -e`, sandboxed process per file), extraction alone',
        libRawMs.toFixed(1),
      ]);
    }
    for (const source of SOURCES) {
      const own = files.filter((file) => file.endsWith(source.file.at(-1)!));
      rows.push([`develop stage, ${source.label} only`, (await perFile(own, (file) => developRaw(file, PRESET))).toFixed(1)]);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return [
    {
      title: `Proofs: \`source: embedded-preview\` → 400 px WebP, ${FILES} real camera files, one at a time, median of ${RUNS} passes`,
      columns: ['pipeline', 'ms per file'],
      rows,
      targets: [target('ms per file, in-process, no process spawned per file', developMs, '<', 50, (n) => n.toFixed(1))],
      notes: [
        'The develop stage is what the batch worker runs per file after the download (sniff, preview, blank check, render); S3 transfers are not included.',
        'Files cycle through the three fixtures with intact previews (`../shared/fixtures/raw`); TIFF-based RAWs (DNG, NEF, ARW, CR2, …) are read in-process, others (CRW, CR3) still go to LibRaw.',
      ],
    },
  ];
}

/** `node dist/bench/proofs.js` runs it alone. */
if (import.meta.url === `file://${process.argv[1]}`) {
  benchProofs().then(
    (tables) => {
      for (const table of tables) console.log(`${renderTable(table)}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
