import { open } from 'node:fs/promises';
import path from 'node:path';
import { AVIF_BRANDS, CR3_BRAND, containerOf, heifFamily, isoBmffBrands, tiffMagic, type TiffMagic } from '../formats/magic.js';
import { TAG, TiffReader } from './tiff.js';

export type SniffKind =
  | 'tiff-raw' // TIFF-based camera RAW: DNG, NEF, ARW, ORF, RW2, PEF, GPR, ...
  | 'crw' // Canon CIFF (HEAPCCDR)
  | 'cr3' // Canon CR3 (ISO-BMFF, brand crx)
  | 'kdc' // Kodak TIFF-based RAW (KDC/DCR)
  | 'jpeg'
  | 'png'
  | 'heif' // HEIC/HEIF (and AVIF, brand reported separately)
  | 'tiff' // plain TIFF, no RAW markers
  | 'webp'
  | 'gif'
  | 'unknown';

export interface SniffResult {
  kind: SniffKind;
  /** True when the file should go through LibRaw (includes 'unknown': LibRaw knows headerless RAWs by file size). */
  raw: boolean;
  /** True when sharp can read the file directly (already developed image). */
  developed: boolean;
  mime: string;
  size: number;
  /** Short human label, e.g. "DNG (GoPro HERO6 Black, VC-5)". */
  label: string;
  dng?: boolean;
  make?: string;
  model?: string;
  /** ISO-BMFF major brand for heif/cr3. */
  brand?: string;
  /** GoPro GPR (DNG with VC-5 compression), which stock LibRaw builds cannot unpack. */
  gpr?: boolean;
}

const HEAD_BYTES = 64 * 1024;
const RAW_EXTENSIONS = new Set([
  '.dng',
  '.nef',
  '.nrw',
  '.arw',
  '.srf',
  '.sr2',
  '.orf',
  '.rw2',
  '.pef',
  '.cr2',
  '.3fr',
  '.erf',
  '.mef',
  '.mos',
  '.iiq',
  '.raw',
  '.rwl',
  '.srw',
  '.x3f',
  '.gpr',
  '.kdc',
  '.dcr',
  '.dcs',
  '.k25',
  '.fff',
  '.mrw',
  '.raf',
]);

/** Classify a file by its magic bytes (never by its extension alone). Reads the first 64 KB and the size. */
export async function sniffFile(filePath: string): Promise<SniffResult> {
  const fh = await open(filePath, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await fh.read(head, 0, head.length, 0);
    let tiffBuf = head;
    if (isRawTiff(tiffMagic(head)) && head.length >= 8) {
      // IFD0 may live beyond the head (rare); read around it.
      const r = new TiffReader(head);
      const off = r.firstIfd;
      if (off + 2 > head.length && off < size) {
        const more = Buffer.alloc(Math.min(size, off + 16 * 1024));
        await fh.read(more, 0, more.length, 0);
        tiffBuf = more;
      }
    }
    return classify(tiffBuf, size, path.extname(filePath).toLowerCase());
  } finally {
    await fh.close();
  }
}

/** The TIFF magics read here; BigTIFF (64-bit offsets) is left to LibRaw as 'unknown'. */
function isRawTiff(magic: TiffMagic | undefined): magic is Exclude<TiffMagic, 'bigtiff'> {
  return magic !== undefined && magic !== 'bigtiff';
}

export function classify(head: Buffer, size: number, ext = ''): SniffResult {
  const base = { size };
  switch (containerOf(head)) {
    case 'jpeg':
      return { ...base, kind: 'jpeg', raw: false, developed: true, mime: 'image/jpeg', label: 'JPEG' };
    case 'png':
      return { ...base, kind: 'png', raw: false, developed: true, mime: 'image/png', label: 'PNG' };
    case 'webp':
      return { ...base, kind: 'webp', raw: false, developed: true, mime: 'image/webp', label: 'WebP' };
    case 'gif':
      return { ...base, kind: 'gif', raw: false, developed: true, mime: 'image/gif', label: 'GIF' };
    case 'ciff':
      return { ...base, kind: 'crw', raw: true, developed: false, mime: 'image/x-canon-crw', label: 'Canon CRW (CIFF)', make: 'Canon' };
    case 'isobmff':
      return classifyIsoBmff(isoBmffBrands(head), size);
    case 'tiff': {
      const magic = tiffMagic(head);
      if (isRawTiff(magic)) return classifyTiff(head, magic, size, ext);
      break;
    }
  }
  return {
    ...base,
    kind: 'unknown',
    // Headerless RAWs (e.g. Kodak C330) have no magic: LibRaw identifies them by file size.
    raw: true,
    developed: false,
    mime: 'application/octet-stream',
    label: 'unknown (no known magic bytes)',
  };
}

function classifyIsoBmff(brands: readonly string[], size: number): SniffResult {
  const brand = brands[0];
  if (brands.includes(CR3_BRAND)) {
    return { size, kind: 'cr3', raw: true, developed: false, mime: 'image/x-canon-cr3', label: 'Canon CR3', brand, make: 'Canon' };
  }
  if (heifFamily(brands)) {
    // Reported as AVIF by the major brand only.
    const avif = AVIF_BRANDS.has(brand);
    return {
      size,
      kind: 'heif',
      raw: false,
      developed: true,
      mime: avif ? 'image/avif' : 'image/heic',
      label: avif ? 'AVIF' : 'HEIF/HEIC',
      brand,
    };
  }
  return {
    size,
    kind: 'unknown',
    raw: true,
    developed: false,
    mime: 'application/octet-stream',
    label: `ISO-BMFF (${brand.trim()})`,
    brand,
  };
}

function classifyTiff(head: Buffer, magic: 'tiff' | 'orf' | 'rw2', size: number, ext: string): SniffResult {
  if (magic !== 'tiff') {
    // ORF (IIRO/MMOR) and RW2 (IIU\0) use a TIFF structure with a private magic.
    const label = magic === 'rw2' ? 'Panasonic RW2' : 'Olympus ORF';
    return { size, kind: 'tiff-raw', raw: true, developed: false, mime: 'image/x-raw', label };
  }
  let make: string | undefined;
  let model: string | undefined;
  let dng = false;
  let cfa = false;
  let subIfds = false;
  let reduced = false;
  let exif = false;
  let compression: number | undefined;
  try {
    const r = new TiffReader(head);
    const ifd0 = r.ifd(r.firstIfd);
    make = r.ascii(ifd0.get(TAG.Make));
    model = r.ascii(ifd0.get(TAG.Model));
    dng = ifd0.has(TAG.DNGVersion);
    cfa = ifd0.has(TAG.CFAPattern) || ifd0.has(TAG.CFARepeatPatternDim);
    subIfds = ifd0.has(TAG.SubIFDs);
    exif = ifd0.has(TAG.ExifIFD);
    reduced = ((r.numbers(ifd0.get(TAG.NewSubfileType))?.[0] ?? 0) & 1) === 1;
    if (dng && subIfds) {
      // Compression of the main (full-resolution) image, to spot GoPro's VC-5 (GPR).
      const sub = r.numbers(ifd0.get(TAG.SubIFDs)) ?? [];
      for (const off of sub) {
        const s = r.ifd(off);
        if (((r.numbers(s.get(TAG.NewSubfileType))?.[0] ?? 0) & 1) === 0) {
          compression = r.numbers(s.get(TAG.Compression))?.[0];
          break;
        }
      }
    }
  } catch {
    // corrupt IFD: decide from the magic and extension below
  }
  const camera = [make, model].filter(Boolean).join(' ');
  if (dng) {
    const gpr = compression === 9 || /gopro/i.test(make ?? '') || ext === '.gpr';
    return {
      size,
      kind: 'tiff-raw',
      raw: true,
      developed: false,
      mime: 'image/x-adobe-dng',
      dng: true,
      gpr,
      make,
      model,
      label: `DNG${camera ? ` (${camera}${gpr ? ', GoPro VC-5' : ''})` : ''}`,
    };
  }
  if (make && /kodak/i.test(make)) {
    return { size, kind: 'kdc', raw: true, developed: false, mime: 'image/x-kodak-kdc', make, model, label: `Kodak RAW (${camera})` };
  }
  // Camera RAWs put a reduced-resolution preview in IFD0 and the sensor data in SubIFDs/EXIF; plain
  // TIFFs from scanners and editors hold the full image in IFD0 and rarely name a camera.
  const rawLike = cfa || (make !== undefined && (subIfds || reduced || exif)) || (make !== undefined && RAW_EXTENSIONS.has(ext));
  if (rawLike) {
    return {
      size,
      kind: 'tiff-raw',
      raw: true,
      developed: false,
      mime: 'image/x-raw',
      make,
      model,
      label: `TIFF-based RAW${camera ? ` (${camera})` : ''}`,
    };
  }
  return { size, kind: 'tiff', raw: false, developed: true, mime: 'image/tiff', make, model, label: 'TIFF' };
}
