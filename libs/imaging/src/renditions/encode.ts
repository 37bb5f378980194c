import sharp from 'sharp';
import type { DecodedBase } from './decode.js';
import { CONTENT_TYPES, type RenditionSpec } from './specs.js';

export interface RenderedRendition {
  name: string;
  format: 'webp' | 'jpeg';
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  data: Buffer;
}

function fitsWithoutResize(base: DecodedBase, spec: RenditionSpec): boolean {
  if (spec.fit === 'cover') return base.width === spec.width && base.height === spec.height;
  return base.width <= spec.width && base.height <= spec.height;
}

/**
 * Encodes one rendition from the decoded base. Output carries no metadata except,
 * when the spec asks for it, an sRGB ICC profile (EXIF, GPS, XMP and IPTC never survive:
 * sharp strips them unless told otherwise, and the base is raw pixels anyway).
 */
export async function encodeRendition(base: DecodedBase, spec: RenditionSpec): Promise<RenderedRendition> {
  let pipeline = sharp(base.data, { raw: { width: base.width, height: base.height, channels: base.channels } });
  if (!fitsWithoutResize(base, spec)) {
    pipeline = pipeline.resize(
      spec.fit === 'cover'
        ? { width: spec.width, height: spec.height, fit: 'cover', position: 'centre' }
        : { width: spec.width, height: spec.height, fit: 'inside', withoutEnlargement: true },
    );
  }
  pipeline =
    spec.format === 'jpeg'
      ? pipeline.jpeg({ quality: spec.quality, progressive: spec.progressive, chromaSubsampling: '4:2:0' })
      : pipeline.webp({ quality: spec.quality });
  if (spec.embedIccProfile) pipeline = pipeline.withIccProfile('srgb');

  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return {
    name: spec.name,
    format: spec.format,
    contentType: CONTENT_TYPES[spec.format],
    width: info.width,
    height: info.height,
    bytes: data.length,
    data,
  };
}
