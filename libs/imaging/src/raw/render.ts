import sharp, { type Sharp } from 'sharp';
import type { ExifFields } from './exif.js';
import { largestLongEdge, type ProcessingPreset, VARIANT_CONTENT as CONTENT, type VariantSpec } from './preset.js';

export interface RenderedVariant {
  name: string;
  format: VariantSpec['format'];
  contentType: string;
  extension: string;
  width: number;
  height: number;
  bytes: number;
  data: Buffer;
}

interface RawBase {
  data: Buffer;
  info: { width: number; height: number; channels: 1 | 2 | 3 | 4 };
}

function fromRaw(base: RawBase): Sharp {
  return sharp(base.data, { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels } });
}

/**
 * Render every variant from one decoded image: resize once to the largest variant (8-bit sRGB),
 * apply the colour settings at that size, then encode each variant from that buffer.
 */
export async function renderVariants(
  source: Sharp,
  preset: ProcessingPreset,
  exif: ExifFields | null,
): Promise<{ width: number; height: number; variants: RenderedVariant[] }> {
  const largest = largestLongEdge(preset.variants);
  let pipeline = source;
  if (largest !== 'original') {
    pipeline = pipeline.resize({ width: largest, height: largest, fit: 'inside', withoutEnlargement: true });
  }
  // 16-bit RGB / CMYK / grey / wide-gamut (embedded ICC) all become 8-bit sRGB here.
  let base: RawBase = await pipeline.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });

  const c = preset.colour;
  const k = Math.pow(2, c.exposure / 2.2); // exposure in linear light, applied to gamma-encoded values
  const a = k * (1 + c.contrast);
  const b = -128 * c.contrast;
  if (a !== 1 || b !== 0 || c.saturation !== 0 || c.autoLevels) {
    let adj = fromRaw(base);
    if (a !== 1 || b !== 0) {
      const colourBands = base.info.channels >= 3 ? 3 : 1;
      const alpha = base.info.channels - colourBands;
      adj = adj.linear(
        [...new Array<number>(colourBands).fill(a), ...new Array<number>(alpha).fill(1)],
        [...new Array<number>(colourBands).fill(b), ...new Array<number>(alpha).fill(0)],
      );
    }
    if (c.saturation !== 0) adj = adj.modulate({ saturation: Math.max(0, 1 + c.saturation) });
    if (c.autoLevels) adj = adj.normalise();
    base = await adj.raw().toBuffer({ resolveWithObject: true });
  }

  const variants: RenderedVariant[] = [];
  // Largest first, so the order of work matches the order of sizes.
  const ordered = [...preset.variants].sort((x, y) => edge(y, base) - edge(x, base));
  const rendered = new Map<VariantSpec, RenderedVariant>();
  for (const v of ordered) {
    let p = fromRaw(base);
    const target = v.longEdge === 'original' ? null : v.longEdge;
    const downscaled = target !== null && target < Math.max(base.info.width, base.info.height);
    if (downscaled) p = p.resize({ width: target, height: target, fit: 'inside', withoutEnlargement: true });
    if (preset.sharpen && downscaled) p = p.sharpen({ sigma: 0.5 });
    if (v.format === 'jpeg' && (base.info.channels === 4 || base.info.channels === 2)) p = p.flatten({ background: '#ffffff' });
    p = p.withIccProfile('srgb');
    if (exif) p = p.withExif(exif);
    switch (v.format) {
      case 'jpeg':
        p = p.jpeg({ quality: v.quality, progressive: false, chromaSubsampling: v.quality >= 90 ? '4:4:4' : '4:2:0' });
        break;
      case 'webp':
        p = p.webp({ quality: v.quality, effort: 2 });
        break;
      case 'avif':
        p = p.avif({ quality: v.quality, effort: 2 });
        break;
    }
    const { data, info } = await p.toBuffer({ resolveWithObject: true });
    rendered.set(v, {
      name: v.name,
      format: v.format,
      ...CONTENT[v.format],
      width: info.width,
      height: info.height,
      bytes: data.length,
      data,
    });
  }
  for (const v of preset.variants) variants.push(rendered.get(v)!);
  return { width: base.info.width, height: base.info.height, variants };
}

function edge(v: VariantSpec, base: RawBase): number {
  return v.longEdge === 'original' ? Math.max(base.info.width, base.info.height) : v.longEdge;
}
