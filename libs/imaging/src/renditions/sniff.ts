import { ascii, containerOf, hasBytes, heifFamily, isoBmffBrands, tiffMagic } from '../formats/magic.js';

/** Formats the clinic pipeline accepts, named as reported in `OriginalMetadata.format`. */
export type AcceptedFormat = 'jpeg' | 'png' | 'webp' | 'heif' | 'avif' | 'tiff' | 'gif';

export type SniffResult =
  { readonly accepted: true; readonly format: AcceptedFormat } | { readonly accepted: false; readonly detected: string };

/** ISO-BMFF: AVIF when any `ftyp` brand says so, else HEIF when any brand says so. */
function sniffIsoBmff(bytes: Buffer): SniffResult {
  const brands = isoBmffBrands(bytes);
  const format = heifFamily(brands);
  if (format) return { accepted: true, format };
  return { accepted: false, detected: `ISO media (${brands[0].trim() || 'unknown brand'})` };
}

function looksLikeText(bytes: Buffer): boolean {
  const sample = bytes.subarray(0, 512);
  if (sample.length === 0) return false;
  let printable = 0;
  for (const byte of sample) {
    if (byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f) || byte >= 0x80) printable++;
  }
  return !sample.includes(0) && printable === sample.length;
}

/** Names a few common non-image or unsupported uploads so the rejection reason is useful. */
function describeUnsupported(bytes: Buffer): string {
  const head = ascii(bytes, 0, 256).trimStart().toLowerCase();
  if (bytes.length === 0) return 'empty file';
  if (head.startsWith('%pdf')) return 'pdf';
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  if (hasBytes(bytes, [0x42, 0x4d])) return 'bmp';
  if (hasBytes(bytes, [0x38, 0x42, 0x50, 0x53])) return 'psd';
  if (hasBytes(bytes, [0xff, 0x0a]) || hasBytes(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'jpeg xl';
  if (hasBytes(bytes, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return 'jpeg 2000';
  if (hasBytes(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'zip archive';
  if (looksLikeText(bytes)) return 'text';
  return 'unknown binary data';
}

/** Detects the real format from magic bytes; file names and declared content types are never trusted. */
export function sniffImageFormat(bytes: Buffer): SniffResult {
  // Classic and BigTIFF are told by their first four bytes alone, whatever the IFD offset spells.
  const tiff = tiffMagic(bytes);
  if (tiff === 'tiff' || tiff === 'bigtiff') return { accepted: true, format: 'tiff' };
  const container = containerOf(bytes);
  switch (container) {
    case 'jpeg':
    case 'png':
    case 'gif':
    case 'webp':
      return { accepted: true, format: container };
    case 'isobmff':
      // Only a complete `ftyp` header (size, type, major brand, minor version) counts.
      if (bytes.length >= 16) return sniffIsoBmff(bytes);
      break;
  }
  return { accepted: false, detected: describeUnsupported(bytes) };
}
