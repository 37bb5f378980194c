import { decodeToBase, baseBox } from './decode.js';
import { toRejection } from './decode-errors.js';
import { encodeRendition, type RenderedRendition } from './encode.js';
import { inspectImage, type OriginalMetadata } from './inspect.js';
import { CLINIC_RENDITIONS, DEFAULT_MAX_PIXELS } from './specs.js';

export interface RenderClinicPhotoOptions {
  /** Largest accepted width x height; defaults to DEFAULT_MAX_PIXELS. */
  maxPixels?: number;
}

export interface RenderClinicPhotoResult {
  original: OriginalMetadata;
  renditions: RenderedRendition[];
}

/**
 * Renders the clinic renditions of one uploaded photo: header check first (format, pixel limit),
 * then a single decode to the largest rendition size, from which every rendition is encoded.
 *
 * @throws ImageRejectedError with a user-facing reason when the input cannot be rendered.
 */
export async function renderClinicPhoto(input: Buffer, options: RenderClinicPhotoOptions = {}): Promise<RenderClinicPhotoResult> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (!Number.isInteger(maxPixels) || maxPixels <= 0) throw new RangeError('maxPixels must be a positive integer');

  const inspected = await inspectImage(input, maxPixels);
  const { original } = inspected;

  let base;
  try {
    base = await decodeToBase(input, baseBox(original, CLINIC_RENDITIONS), {
      maxPixels,
      profile: inspected.profile,
      rgb16: inspected.rgb16,
    });
  } catch (error) {
    throw toRejection(error, original.format);
  }

  const renditions = await Promise.all(CLINIC_RENDITIONS.map((spec) => encodeRendition(base, spec)));
  return { original, renditions };
}
