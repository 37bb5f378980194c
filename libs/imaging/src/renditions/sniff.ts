/** Formats the clinic pipeline accepts, named as reported in `OriginalMetadata.format`. */
export type AcceptedFormat = 'jpeg' | 'png' | 'webp' | 'heif' | 'avif' | 'tiff' | 'gif';

export type SniffResult =
  | { readonly accepted: true; readonly format: AcceptedFormat }
  | { readonly accepted: false; readonly detected: string };

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

function ascii(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('latin1', start, Math.min(end, bytes.length));
}

function startsWith(bytes: Buffer, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, i) => bytes[offset + i] === value);
}

/** ISO-BMFF (HEIF family): the major brand and the compatible brands of the `ftyp` box. */
function sniffIsoBmff(bytes: Buffer): SniffResult | null {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return null;
  const boxSize = Math.min(bytes.readUInt32BE(0), bytes.length);
  const brands = [ascii(bytes, 8, 12)];
  for (let offset = 16; offset + 4 <= boxSize; offset += 4) brands.push(ascii(bytes, offset, offset + 4));
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return { accepted: true, format: 'avif' };
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return { accepted: true, format: 'heif' };
  return { accepted: false, detected: `ISO media (${brands[0]!.trim() || 'unknown brand'})` };
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
  if (startsWith(bytes, [0x42, 0x4d])) return 'bmp';
  if (startsWith(bytes, [0x38, 0x42, 0x50, 0x53])) return 'psd';
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'jpeg xl';
  if (startsWith(bytes, [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20])) return 'jpeg 2000';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'zip archive';
  if (looksLikeText(bytes)) return 'text';
  return 'unknown binary data';
}

/** Detects the real format from magic bytes; file names and declared content types are never trusted. */
export function sniffImageFormat(bytes: Buffer): SniffResult {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { accepted: true, format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { accepted: true, format: 'png' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { accepted: true, format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { accepted: true, format: 'webp' };
  const tiffLittle = startsWith(bytes, [0x49, 0x49]) && (bytes[2] === 0x2a || bytes[2] === 0x2b) && bytes[3] === 0;
  const tiffBig = startsWith(bytes, [0x4d, 0x4d, 0x00]) && (bytes[3] === 0x2a || bytes[3] === 0x2b);
  if (tiffLittle || tiffBig) {
    return { accepted: true, format: 'tiff' };
  }
  return sniffIsoBmff(bytes) ?? { accepted: false, detected: describeUnsupported(bytes) };
}
