import { createRequire } from 'node:module';
import sharp from 'sharp';
import { ImageRejectedError } from './errors.js';
import { rgbaToTiff } from './rgba-tiff.js';

/**
 * HEIC (HEVC-coded HEIF) support. sharp's prebuilt libvips has no HEVC decoder, so the pixels come
 * from heic-decode (libheif compiled to WebAssembly) and are handed back to sharp, with the
 * original ICC profile, as an uncompressed TIFF (see `rgbaToTiff`).
 */

interface HeicPixels {
  readonly width: number;
  readonly height: number;
  /** 8-bit RGBA, row-major, no padding. */
  readonly data: Uint8ClampedArray;
}

interface HeicTopLevelImage {
  readonly width: number;
  readonly height: number;
  decode(): Promise<HeicPixels>;
}

interface HeicDecode {
  (input: { buffer: Uint8Array }): Promise<HeicPixels>;
  all(input: { buffer: Uint8Array }): Promise<HeicTopLevelImage[] & { dispose(): void }>;
}

let heicDecode: HeicDecode | undefined;

/**
 * heic-decode is CommonJS without type declarations, so it is loaded with `require` (typed here)
 * and only on the first HEIC: its 2 MB WebAssembly bundle and heap are not paid for otherwise.
 */
function loadHeicDecode(): HeicDecode {
  if (!heicDecode) {
    try {
      heicDecode = createRequire(import.meta.url)('heic-decode') as HeicDecode;
    } catch (cause) {
      throw new ImageRejectedError('decoder-unavailable', 'HEIC decoding is not available on this server', { cause });
    }
  }
  return heicDecode;
}

/** Major brands heic-decode accepts (it refuses anything else before libheif sees it). */
const DECODABLE_MAJOR_BRANDS = new Set(['mif1', 'msf1', 'heic', 'heix', 'hevc', 'hevx']);

function truncated(detail: string): ImageRejectedError {
  return new ImageRejectedError('corrupt', 'image data is truncated or corrupt', { cause: new Error(detail) });
}

interface Box {
  readonly type: string;
  /** Start of the payload. */
  readonly start: number;
  /** End of the box as declared (may exceed the file when it is truncated). */
  readonly end: number;
}

function* boxes(bytes: Buffer, from: number, to: number): Generator<Box> {
  let at = from;
  while (at + 8 <= to) {
    let size = bytes.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return;
      size = Number(bytes.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < header) throw truncated(`HEIF box at ${at} has an invalid size ${size}`);
    yield { type: bytes.toString('latin1', at + 4, at + 8), start: at + header, end: at + size };
    at += size;
  }
}

function readUInt(bytes: Buffer, at: number, size: number): number {
  switch (size) {
    case 0:
      return 0;
    case 4:
      return bytes.readUInt32BE(at);
    case 8:
      return Number(bytes.readBigUInt64BE(at));
    default:
      throw truncated(`HEIF iloc uses an invalid field size ${size}`);
  }
}

/**
 * libheif decodes a HEIC whose tile data is missing without complaint and paints the missing
 * tiles green, so a cut-off upload would render as a half-green photo. Every top-level box and
 * every file-based item extent listed in `iloc` must therefore lie inside the file.
 */
export function assertHeifComplete(bytes: Buffer): void {
  let meta: Box | undefined;
  for (const box of boxes(bytes, 0, bytes.length)) {
    if (box.end > bytes.length) {
      throw truncated(`HEIF '${box.type}' box ends at byte ${box.end} but the file has ${bytes.length} bytes`);
    }
    if (box.type === 'meta') meta = box;
  }
  if (!meta) throw truncated('HEIF file has no meta box');
  // meta is a full box: 4 bytes of version and flags before its children.
  const iloc = [...boxes(bytes, meta.start + 4, meta.end)].find((box) => box.type === 'iloc');
  if (!iloc) throw truncated('HEIF file has no iloc box');

  try {
    let at = iloc.start;
    const version = bytes[at];
    at += 4;
    const offsetSize = bytes[at] >> 4;
    const lengthSize = bytes[at] & 0x0f;
    const baseOffsetSize = bytes[at + 1] >> 4;
    const indexSize = version === 1 || version === 2 ? bytes[at + 1] & 0x0f : 0;
    at += 2;
    const itemCount = version < 2 ? bytes.readUInt16BE(at) : bytes.readUInt32BE(at);
    at += version < 2 ? 2 : 4;
    for (let item = 0; item < itemCount; item++) {
      const itemId = version < 2 ? bytes.readUInt16BE(at) : bytes.readUInt32BE(at);
      at += version < 2 ? 2 : 4;
      let constructionMethod = 0;
      if (version === 1 || version === 2) {
        constructionMethod = bytes.readUInt16BE(at) & 0x0f;
        at += 2;
      }
      at += 2; // data_reference_index
      const baseOffset = readUInt(bytes, at, baseOffsetSize);
      at += baseOffsetSize;
      const extentCount = bytes.readUInt16BE(at);
      at += 2;
      for (let extent = 0; extent < extentCount; extent++) {
        at += indexSize;
        const offset = readUInt(bytes, at, offsetSize);
        at += offsetSize;
        const length = readUInt(bytes, at, lengthSize);
        at += lengthSize;
        // 0 = offsets into this file; 1 (idat) and 2 (other items) are inside boxes checked above.
        if (constructionMethod === 0 && baseOffset + offset + length > bytes.length) {
          throw truncated(`HEIF item ${itemId} needs bytes up to ${baseOffset + offset + length} but the file has ${bytes.length}`);
        }
      }
      if (at > iloc.end) throw truncated('HEIF iloc box is cut short');
    }
  } catch (error) {
    if (error instanceof ImageRejectedError) throw error;
    throw truncated(`HEIF iloc box is unreadable: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Decodes the primary image of a HEIC to 8-bit RGBA. libheif applies the HEIF transforms
 * (`irot`, `imir`, `clap`) itself, so the pixels are upright; the EXIF Orientation in a HEIC only
 * restates them and must not be applied again (libvips drops it from HEIF metadata too).
 *
 * The decode runs synchronously inside WebAssembly (about 1 s for 12 MP) and libheif's wasm heap
 * grows to fit the largest image seen, never shrinking.
 *
 * @param primaryPage index of the primary image among the top-level images, as sharp reports it
 *   (`pagePrimary`); both list them in libheif's top-level order.
 */
export async function decodeHeic(bytes: Buffer, primaryPage: number): Promise<HeicPixels> {
  const brand = bytes.toString('latin1', 8, 12);
  if (!DECODABLE_MAJOR_BRANDS.has(brand)) {
    throw new ImageRejectedError('decoder-unavailable', `HEIC decoding is not available for HEIF files of brand '${brand.trim()}'`);
  }
  assertHeifComplete(bytes);
  const images = await loadHeicDecode().all({ buffer: bytes });
  try {
    const primary = images[primaryPage] ?? images[0];
    if (!primary) throw new Error('HEIF file holds no image');
    const pixels = await primary.decode();
    if (pixels.data.length !== pixels.width * pixels.height * 4) {
      throw new Error(`HEIF decoder returned ${pixels.data.length} bytes for ${pixels.width}x${pixels.height} RGBA`);
    }
    return pixels;
  } finally {
    images.dispose();
  }
}

/**
 * Decodes a HEIC and returns it as an uncompressed TIFF, tagged with the original `icc`, already
 * shrunk to `box` (`inside`, never enlarged). The shrink happens before the colour conversion, like
 * JPEG shrink-on-load, so the profile transform in `decodeToBase` runs on 2 MP instead of 12 MP;
 * `decodeToBase` then finds the pixels at its target size and does not resample them again.
 */
export async function decodeHeicToTiff(
  bytes: Buffer,
  options: { primaryPage: number; icc: Buffer | undefined; box: { width: number; height: number } },
): Promise<Buffer> {
  const decoded = await decodeHeic(bytes, options.primaryPage);
  const { data, info } = await sharp(Buffer.from(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength), {
    raw: { width: decoded.width, height: decoded.height, channels: 4 },
    limitInputPixels: false, // checked from the header before decoding
  })
    .resize({ width: options.box.width, height: options.box.height, fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new Error(`HEIC resize produced ${info.channels} channels, expected 4`);
  return rgbaToTiff({ width: info.width, height: info.height, data }, options.icc);
}
