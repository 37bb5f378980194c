import sharp, { type Metadata } from 'sharp';
import { ImageRejectedError } from './errors.js';
import { readTakenAt } from './exif-date.js';
import { isSrgbProfile } from './icc.js';
import { sniffImageFormat, type AcceptedFormat } from './sniff.js';

export interface OriginalMetadata {
  /** The real format detected from the bytes. */
  format: string;
  /** Dimensions after EXIF orientation (HEIF: after its irot/imir transforms) is applied. */
  width: number;
  height: number;
  /** EXIF DateTimeOriginal as ISO-8601 UTC, or null. */
  takenAt: string | null;
}

/** What the header says, gathered before any pixel is decoded. */
export interface InspectedImage {
  readonly original: OriginalMetadata & { format: AcceptedFormat };
  /** The embedded ICC profile, classified. */
  readonly profile: 'none' | 'srgb' | 'other';
  /** Stored as 16-bit RGB (PNG, TIFF, 10/12-bit AVIF...). */
  readonly rgb16: boolean;
  /** The embedded ICC profile itself (needed when the pixels come from another decoder: HEIC). */
  readonly icc: Buffer | undefined;
  /** Index of the primary image among the top-level images of a HEIF file, else 0. */
  readonly primaryPage: number;
}

/** sharp's container id for each accepted format. */
const SHARP_FORMAT: Readonly<Record<AcceptedFormat, string>> = {
  jpeg: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tiff: 'tiff',
  heif: 'heif',
  avif: 'heif',
};

function megapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  return Number.isInteger(mp) ? String(mp) : mp.toFixed(1);
}

/**
 * Sniffs the format and reads the header only (no pixel decode), then enforces the pixel limit,
 * so a 280 MP bomb is refused in milliseconds with almost no memory.
 */
export async function inspectImage(input: Buffer, maxPixels: number): Promise<InspectedImage> {
  const sniffed = sniffImageFormat(input);
  if (!sniffed.accepted) {
    throw new ImageRejectedError('unsupported-format', `not a supported image (detected: ${sniffed.detected})`);
  }

  let header: Metadata;
  try {
    // The limit is enforced below with a readable message; the header read itself allocates no pixels.
    header = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new ImageRejectedError('corrupt', `image data is truncated or corrupt (unreadable ${sniffed.format} header)`, { cause });
  }
  if (header.format !== SHARP_FORMAT[sniffed.format] || !header.width || !header.height) {
    throw new ImageRejectedError('corrupt', `image data is truncated or corrupt (unreadable ${sniffed.format} header)`);
  }

  // The HEIF container holds either HEVC (HEIC) or AV1 (AVIF); the codec is the truth.
  const format: AcceptedFormat =
    sniffed.format === 'heif' || sniffed.format === 'avif' ? (header.compression === 'av1' ? 'avif' : 'heif') : sniffed.format;

  const storedPixels = header.width * header.height;
  if (storedPixels > maxPixels) {
    throw new ImageRejectedError(
      'too-large',
      `image is ${megapixels(storedPixels)} megapixels (${header.width}x${header.height}); the limit is ${megapixels(maxPixels)}`,
    );
  }

  return {
    original: {
      format,
      width: header.autoOrient?.width ?? header.width,
      height: header.autoOrient?.height ?? header.height,
      // libvips hands out no EXIF for a TIFF, whose EXIF IFD sits in the file's own TIFF structure.
      takenAt: readTakenAt(header.exif ?? (format === 'tiff' ? input : undefined)),
    },
    profile: !header.icc ? 'none' : isSrgbProfile(header.icc) ? 'srgb' : 'other',
    rgb16: header.space === 'rgb16',
    icc: header.icc,
    primaryPage: header.pagePrimary ?? 0,
  };
}
