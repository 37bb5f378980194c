const TIFF_SHORT = 3;
const TIFF_LONG = 4;
const TIFF_UNDEFINED = 7;
/** Rows per TIFF strip: about 1 MB strips for a 4000 px wide photo, so libtiff never buffers the whole image. */
const ROWS_PER_STRIP = 64;

/**
 * Wraps 8-bit RGBA pixels in a minimal uncompressed little-endian TIFF carrying `icc`.
 *
 * sharp cannot attach a profile to raw input: `raw` pixels are always taken as sRGB, and
 * `withIccProfile()` converts from sRGB to the given profile instead of assigning it. The TIFF
 * lets sharp see the original profile as embedded, so the Display P3 (or any other) to sRGB
 * conversion is exactly the one every other format gets. Costs one copy of the pixels.
 */
export function rgbaToTiff(
  pixels: { width: number; height: number; data: Uint8Array | Uint8ClampedArray },
  icc: Buffer | undefined,
): Buffer {
  const { width, height } = pixels;
  const rowBytes = width * 4;
  if (pixels.data.length !== rowBytes * height) throw new RangeError('pixel buffer does not match width x height x 4');
  const strips = Math.ceil(height / ROWS_PER_STRIP);

  const entries: Array<[tag: number, type: number, count: number, value: number | 'external']> = [
    [256, TIFF_LONG, 1, width], // ImageWidth
    [257, TIFF_LONG, 1, height], // ImageLength
    [258, TIFF_SHORT, 4, 'external'], // BitsPerSample 8,8,8,8
    [259, TIFF_SHORT, 1, 1], // Compression: none
    [262, TIFF_SHORT, 1, 2], // PhotometricInterpretation: RGB
    [273, TIFF_LONG, strips, 'external'], // StripOffsets
    [277, TIFF_SHORT, 1, 4], // SamplesPerPixel
    [278, TIFF_LONG, 1, ROWS_PER_STRIP], // RowsPerStrip
    [279, TIFF_LONG, strips, 'external'], // StripByteCounts
    [284, TIFF_SHORT, 1, 1], // PlanarConfiguration: chunky
    [338, TIFF_SHORT, 1, 2], // ExtraSamples: unassociated alpha
  ];
  if (icc) entries.push([34675, TIFF_UNDEFINED, icc.length, 'external']); // ICCProfile

  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  const bitsOffset = ifdOffset + ifdSize;
  const stripOffsetsOffset = bitsOffset + 8;
  const stripCountsOffset = stripOffsetsOffset + strips * 4;
  const iccOffset = stripCountsOffset + strips * 4;
  const dataOffset = iccOffset + (icc ? icc.length + (icc.length % 2) : 0);

  const head = Buffer.alloc(dataOffset);
  head.write('II*\0', 0, 'latin1');
  head.writeUInt32LE(ifdOffset, 4);
  head.writeUInt16LE(entries.length, ifdOffset);
  const external: Record<number, number> = {
    258: bitsOffset,
    273: strips === 1 ? -1 : stripOffsetsOffset,
    279: strips === 1 ? -1 : stripCountsOffset,
    34675: iccOffset,
  };
  entries.forEach(([tag, type, count, value], i) => {
    const at = ifdOffset + 2 + i * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(count, at + 4);
    if (value !== 'external') {
      if (type === TIFF_SHORT) head.writeUInt16LE(value, at + 8);
      else head.writeUInt32LE(value, at + 8);
    } else if (external[tag] === -1) {
      // A single strip: its offset/count fits in the entry itself.
      head.writeUInt32LE(tag === 273 ? dataOffset : rowBytes * height, at + 8);
    } else {
      head.writeUInt32LE(external[tag], at + 8);
    }
  });
  head.writeUInt32LE(0, ifdOffset + 2 + entries.length * 12); // no next IFD
  for (let i = 0; i < 4; i++) head.writeUInt16LE(8, bitsOffset + i * 2);
  for (let strip = 0; strip < strips; strip++) {
    const rows = Math.min(ROWS_PER_STRIP, height - strip * ROWS_PER_STRIP);
    head.writeUInt32LE(dataOffset + strip * ROWS_PER_STRIP * rowBytes, stripOffsetsOffset + strip * 4);
    head.writeUInt32LE(rows * rowBytes, stripCountsOffset + strip * 4);
  }
  icc?.copy(head, iccOffset);

  const data = Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
  return Buffer.concat([head, data], head.length + data.length);
}
