import { open } from 'node:fs/promises';
import sharp from 'sharp';
import type { EmbeddedPreview } from './decoders/types.js';
import { exifFieldsFromBlob } from './exif.js';
import { TAG, TiffReader, type TiffEntry } from './tiff.js';

/** IFDs of TIFF-based RAWs (DNG, NEF, CR2, ARW, ORF, …) sit near the start of the file. */
const HEAD_BYTES = 1 << 20;
const MAX_PREVIEW_BYTES = 64 << 20;
const JPEG_INTERCHANGE_FORMAT = 0x0201;
const JPEG_INTERCHANGE_FORMAT_LENGTH = 0x0202;
const STRIP_OFFSETS = 0x0111;
const STRIP_BYTE_COUNTS = 0x0117;

interface Candidate {
  offset: number;
  length: number;
}

/** Start-of-frame markers a JPEG decoder for photos reads (baseline, extended, progressive; not lossless). */
const PHOTO_SOF = new Set([0xc0, 0xc1, 0xc2]);

/**
 * Width and height from a JPEG's start-of-frame, or null when it is not a baseline or progressive
 * JPEG (a CR2's or DNG's raw data is lossless JPEG, SOF3, which is not a preview).
 */
export function jpegFrameSize(jpeg: Buffer): { width: number; height: number } | null {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at] !== 0xff) return null;
    const marker = jpeg[at + 1];
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = jpeg.readUInt16BE(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (!PHOTO_SOF.has(marker) || at + 9 > jpeg.length) return null;
      const height = jpeg.readUInt16BE(at + 5);
      const width = jpeg.readUInt16BE(at + 7);
      return width > 0 && height > 0 ? { width, height } : null;
    }
    if (marker === 0xda || length < 2) return null;
    at += 2 + length;
  }
  return null;
}

function single(reader: TiffReader, entry: TiffEntry | undefined): number | undefined {
  const values = reader.numbers(entry);
  return values?.length === 1 ? values[0] : undefined;
}

/** JPEG streams an IFD points at: EXIF-style (JPEGInterchangeFormat) or a one-strip JPEG image. */
function candidatesOf(reader: TiffReader, ifd: Map<number, TiffEntry>): Candidate[] {
  const out: Candidate[] = [];
  const offset = single(reader, ifd.get(JPEG_INTERCHANGE_FORMAT));
  const length = single(reader, ifd.get(JPEG_INTERCHANGE_FORMAT_LENGTH));
  if (offset !== undefined && length) out.push({ offset, length });
  const compression = single(reader, ifd.get(TAG.Compression));
  const strip = single(reader, ifd.get(STRIP_OFFSETS));
  const bytes = single(reader, ifd.get(STRIP_BYTE_COUNTS));
  // Compression 7 also codes DNG raw data: only an IFD marked reduced-resolution holds a preview.
  const reduced = ((single(reader, ifd.get(TAG.NewSubfileType)) ?? 0) & 1) === 1;
  if ((compression === 6 || (compression === 7 && reduced)) && strip !== undefined && bytes) out.push({ offset: strip, length: bytes });
  return out;
}

/**
 * The largest embedded JPEG preview of a TIFF-based RAW, read in this process: the file's IFD0,
 * the IFDs chained after it and its SubIFDs are walked, and only the preview's own bytes are read.
 * Answers null when the file is not TIFF-based or holds no baseline/progressive JPEG; the caller
 * then asks LibRaw. Parsing stays in bounds-checked JavaScript: nothing here trusts an offset.
 */
export async function readTiffPreview(filePath: string): Promise<EmbeddedPreview | null> {
  const fh = await open(filePath, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    await fh.read(head, 0, head.length, 0);
    let reader: TiffReader;
    try {
      reader = new TiffReader(head);
    } catch {
      return null;
    }
    const ifds: Array<Map<number, TiffEntry>> = [];
    const seen = new Set<number>();
    const visit = (offset: number) => {
      if (seen.has(offset) || seen.size >= 16) return;
      seen.add(offset);
      const ifd = reader.ifd(offset);
      if (ifd.size === 0) return;
      ifds.push(ifd);
      for (const sub of reader.numbers(ifd.get(TAG.SubIFDs)) ?? []) visit(sub);
    };
    // IFD0 and the IFDs chained after it (IFD1 is the EXIF thumbnail in many RAWs).
    let next = reader.firstIfd;
    while (next >= 8 && next + 2 <= head.length && !seen.has(next) && seen.size < 16) {
      visit(next);
      const count = reader.u16(next);
      const link = next + 2 + count * 12;
      next = link + 4 <= head.length ? reader.u32(link) : 0;
    }

    let best: { jpeg: Buffer; width: number; height: number } | null = null;
    for (const candidate of ifds.flatMap((ifd) => candidatesOf(reader, ifd))) {
      if (candidate.length > MAX_PREVIEW_BYTES || candidate.offset + candidate.length > size) continue;
      const jpeg = Buffer.alloc(candidate.length);
      await fh.read(jpeg, 0, candidate.length, candidate.offset);
      const frame = jpegFrameSize(jpeg);
      if (frame && (!best || frame.width * frame.height > best.width * best.height)) best = { jpeg, ...frame };
    }
    if (!best) return null;
    // Dimensions as displayed, like the LibRaw extractors answer them.
    const orientation =
      (await sharp(best.jpeg)
        .metadata()
        .then((m) => m.orientation)
        .catch(() => undefined)) ?? 1;
    const swap = orientation >= 5;
    return {
      jpeg: best.jpeg,
      width: swap ? best.height : best.width,
      height: swap ? best.width : best.height,
      extractor: 'tiff-ifd',
      exif: exifFieldsFromBlob(head),
    };
  } finally {
    await fh.close();
  }
}
