/**
 * `npm run bench -- fullsize`: the default preset with its `full` variant (original size, which
 * forces a full demosaic), LibRaw's demosaic options by speed and by how far a 2048 px downscale
 * lands from AHD's, and the real camera files of `../shared/fixtures/raw` beside the synthetic DNG.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { DEFAULT_PRESET, developRaw, type ProcessingPreset } from '#imaging';
import { writeSyntheticDng } from '../libs/imaging/src/raw/testing/synthetic-dng.js';
import { fixture } from '../test/support/fixtures.js';
import { type BenchTable, median, renderTable, target } from './support/infra.js';

const run = promisify(execFile);
const FILES = Number(process.env.BENCH_FULLSIZE_FILES ?? 8);
const RUNS = 3;
const DEMOSAIC: Array<{ q: number; name: string }> = [
  { q: 0, name: 'linear' },
  { q: 1, name: 'VNG' },
  { q: 2, name: 'PPG (the develop stage)' },
  { q: 3, name: 'AHD (LibRaw default)' },
  { q: 4, name: 'DCB' },
  { q: 11, name: 'DHT' },
  { q: 12, name: 'AAHD' },
];
/** Real Bayer files among the fixtures (LinearRaw DNGs are already demosaiced). */
const REAL = [
  { file: 'canon_eos_d30.crw', label: 'Canon EOS D30 CRW, 3 MP' },
  { file: 'nikon_d1.nef', label: 'Nikon D1 NEF, 2.7 MP' },
  { file: 'canon_eos_550d_magiclantern_colorchart.dng', label: 'Canon 550D DNG (colour chart), 2 MP' },
];

async function decode(file: string, q: number): Promise<Buffer> {
  const { stdout } = await run('dcraw_emu', ['-w', '-q', String(q), '-T', '-Z', '-', file], {
    encoding: 'buffer',
    maxBuffer: 1024 * 2 ** 20,
  });
  return stdout;
}

/** A 2048 px (long edge, never enlarged) 8-bit sRGB rendering of a decoded TIFF. */
async function downscale(tiff: Buffer, channels: 1 | 3): Promise<{ data: Buffer; width: number; height: number }> {
  let image = sharp(tiff).resize({ width: 2048, height: 2048, fit: 'inside', withoutEnlargement: true });
  image = channels === 1 ? image.greyscale() : image.toColourspace('srgb').removeAlpha();
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function psnr(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  const mse = sum / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** Mean SSIM of the luma over 8×8 windows (stride 4), the usual constants. */
function ssim(a: Buffer, b: Buffer, width: number, height: number): number {
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let windows = 0;
  for (let y = 0; y + 8 <= height; y += 4) {
    for (let x = 0; x + 8 <= width; x += 4) {
      let ma = 0;
      let mb = 0;
      for (let j = 0; j < 8; j++)
        for (let i = 0; i < 8; i++) {
          ma += a[(y + j) * width + x + i];
          mb += b[(y + j) * width + x + i];
        }
      ma /= 64;
      mb /= 64;
      let va = 0;
      let vb = 0;
      let cov = 0;
      for (let j = 0; j < 8; j++)
        for (let i = 0; i < 8; i++) {
          const da = a[(y + j) * width + x + i] - ma;
          const db = b[(y + j) * width + x + i] - mb;
          va += da * da;
          vb += db * db;
          cov += da * db;
        }
      va /= 63;
      vb /= 63;
      cov /= 63;
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      windows++;
    }
  }
  return total / windows;
}

/** The develop stage, 2 in flight: files per minute. */
async function developRate(files: string[], preset: ProcessingPreset): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      while (next < files.length) await developRaw(files[next++], preset);
    }),
  );
  return (files.length / (performance.now() - started)) * 60_000;
}

export async function benchFullsize(): Promise<BenchTable[]> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'revela-bench-fullsize-'));
  try {
    const synthetic: string[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const file = path.join(work, `synthetic_${seed}.dng`);
      await writeSyntheticDng(file, { width: 6000, height: 4000, seed });
      synthetic.push(file);
    }
    const files = Array.from({ length: FILES }, (_, i) => synthetic[i % synthetic.length]);
    const web: ProcessingPreset = { ...DEFAULT_PRESET, variants: DEFAULT_PRESET.variants.filter((v) => v.longEdge !== 'original') };

    // Rounds side by side: the default preset (with `full`) and the same without it.
    const withFull: number[] = [];
    const withoutFull: number[] = [];
    for (let round = 0; round < RUNS; round++) {
      withFull.push(await developRate(files, DEFAULT_PRESET));
      withoutFull.push(await developRate(files, web));
    }
    const realFiles = REAL.map((r) => fixture('raw', r.file));
    const realRates: number[] = [];
    const realRatesFull: number[] = [];
    for (let round = 0; round < RUNS; round++) {
      realRates.push(await developRate([...realFiles, ...realFiles], web));
      realRatesFull.push(await developRate([...realFiles, ...realFiles], DEFAULT_PRESET));
    }
    const fullRate = median(withFull);
    const presetRows: Array<Array<string | number>> = [
      [`${FILES} synthetic 24 MP DNGs`, 'default: web 2048 JPEG + thumb 400 WebP + full original JPEG q90', fullRate.toFixed(1)],
      [`${FILES} synthetic 24 MP DNGs`, 'web + thumb only (half-size decode)', median(withoutFull).toFixed(1)],
      [`${REAL.length * 2} real camera files (${REAL.map((r) => r.file).join(', ')})`, 'web + thumb only', median(realRates).toFixed(1)],
      [`${REAL.length * 2} real camera files`, 'default (with full)', median(realRatesFull).toFixed(1)],
    ];

    const demosaicRows: Array<Array<string | number>> = [];
    const reference = new Map<string, { rgb: Awaited<ReturnType<typeof downscale>>; luma: Awaited<ReturnType<typeof downscale>> }>();
    for (const r of REAL) {
      const tiff = await decode(fixture('raw', r.file), 3);
      reference.set(r.file, { rgb: await downscale(tiff, 3), luma: await downscale(tiff, 1) });
    }
    for (const option of DEMOSAIC) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await decode(synthetic[0], option.q);
        times.push(performance.now() - started);
      }
      const quality: string[] = [];
      for (const r of REAL) {
        const tiff = await decode(fixture('raw', r.file), option.q);
        const ref = reference.get(r.file)!;
        const rgb = await downscale(tiff, 3);
        const luma = await downscale(tiff, 1);
        const p = psnr(rgb.data, ref.rgb.data);
        quality.push(
          `${Number.isFinite(p) ? p.toFixed(1) : '∞'} dB / ${ssim(luma.data, ref.luma.data, luma.width, luma.height).toFixed(4)}`,
        );
      }
      demosaicRows.push([`-q ${option.q} ${option.name}`, (median(times) / 1000).toFixed(2), ...quality]);
    }

    return [
      {
        title: `Full size: the develop stage (2 in flight, local disk, no S3), median of ${RUNS} rounds`,
        columns: ['files', 'preset', 'files/min'],
        rows: presetRows,
        targets: [target('default preset with full, 24 MP files/min (1.5 × darktable-cli 30)', fullRate, '≥', 45, (n) => n.toFixed(1))],
        notes: [
          '`../shared/fixtures/raw` holds no complete modern RAW (its snapshots left out every file above about 4 MB; see its SOURCES.md), so the real-camera rows are the old Bayer files it does have; a 24 MP CR2/NEF/ARW row needs such files.',
        ],
      },
      {
        title:
          'LibRaw demosaic options: full-size decode time (24 MP synthetic DNG, `dcraw_emu -w -q N`, one process) and distance from AHD after a 2048 px downscale',
        columns: ['option', 's per 24 MP file', ...REAL.map((r) => `${r.label}: PSNR / SSIM vs AHD`)],
        rows: demosaicRows,
        notes: [
          'PSNR over 8-bit sRGB RGB, SSIM (8×8 windows, stride 4) over luma, both of the 2048 px (never enlarged) renderings against AHD (`-q 3`, the LibRaw default). Higher is closer; the synthetic DNG is noise-like, so quality is judged on the real files only. The develop stage decodes full size with PPG (`-q 2`, `FULL_SIZE_DEMOSAIC`): the fastest option here and the closest to AHD.',
        ],
      },
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `node dist/bench/fullsize.js` runs it alone. */
if (import.meta.url === `file://${process.argv[1]}`) {
  benchFullsize().then(
    (tables) => {
      for (const table of tables) console.log(`${renderTable(table)}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
