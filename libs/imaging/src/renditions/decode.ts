import sharp from 'sharp';
import type { RenditionSpec } from './specs.js';

/** 8-bit sRGB pixels (3 channels, no alpha), upright, at the size of the largest rendition. */
export interface DecodedBase {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}

export interface DecodeOptions {
  readonly maxPixels: number;
  readonly profile: 'none' | 'srgb' | 'other';
  readonly rgb16: boolean;
}

/**
 * The smallest size every rendition can be derived from without upscaling decoded pixels:
 * an `inside` spec needs the long edge to reach its box, a `cover` spec the short edge.
 * Never larger than the original.
 */
export function baseBox(original: { width: number; height: number }, specs: readonly RenditionSpec[]): { width: number; height: number } {
  const scale = Math.min(
    1,
    Math.max(
      ...specs.map((spec) => {
        const sx = spec.width / original.width;
        const sy = spec.height / original.height;
        return spec.fit === 'cover' ? Math.max(sx, sy) : Math.min(sx, sy);
      }),
    ),
  );
  return {
    width: Math.max(1, Math.ceil(original.width * scale)),
    height: Math.max(1, Math.ceil(original.height * scale)),
  };
}

/**
 * The one and only decode: sharp shrinks on load (JPEG DCT scaling, WebP/HEIF thumbnails),
 * applies EXIF orientation, converts the embedded (or CMYK/grey) profile to sRGB,
 * flattens alpha onto white, and leaves 8-bit sRGB pixels in memory.
 *
 * `failOn: 'error'` makes truncated or corrupt data fail instead of yielding grey
 * (the default 'warning' would also refuse the many phone JPEGs with harmless libjpeg warnings).
 * Only the first frame/page is read (sharp's default `pages: 1`).
 */
export async function decodeToBase(input: Buffer, box: { width: number; height: number }, options: DecodeOptions): Promise<DecodedBase> {
  let pipeline = sharp(input, {
    failOn: 'error',
    limitInputPixels: options.maxPixels,
    autoOrient: true,
    // An sRGB profile needs no transform; skipping it saves a third of a 24 MP render.
    ignoreIcc: options.profile === 'srgb',
  })
    .resize({ width: box.width, height: box.height, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' });
  if (options.rgb16 && options.profile === 'other') {
    // sharp converts tagged 16-bit RGB to Display P3 and then only casts it to 8 bits, mislabelling
    // P3 values as sRGB. Working in sRGB from the start transforms it correctly; it costs
    // shrink-on-load, which 16-bit formats (PNG, TIFF, AVIF) do not have anyway.
    pipeline = pipeline.pipelineColourspace('srgb');
  }
  const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) {
    throw new Error(`decoder produced ${info.channels} channels, expected 3`);
  }
  return { data, width: info.width, height: info.height, channels: 3 };
}
