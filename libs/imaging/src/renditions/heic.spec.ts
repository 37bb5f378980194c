import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { assertHeifComplete, decodeHeicToTiff } from './heic.js';
import { rgbaToTiff } from './rgba-tiff.js';
import { renderClinicPhoto } from './index.js';
import { assertCleanSrgb, colourGrid, image, meanAbsDiff, rendition } from './spec-helpers.js';

const HEIC = 'iphone7_display_p3.heic';

/** The fixture's pixels straight from libheif, at full size, untouched by our pipeline. */
async function libheifPixels(input: Buffer): Promise<Sharp> {
  const decode = createRequire(import.meta.url)('heic-decode') as (o: {
    buffer: Buffer;
  }) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
  const { width, height, data } = await decode({ buffer: input });
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } });
}

/** A copy of the fixture with one byte changed at the first occurrence of `marker` + `delta`. */
function patched(input: Buffer, marker: Buffer | string, delta: number, value: number): Buffer {
  const at = input.indexOf(marker);
  assert.ok(at > 0, `marker ${String(marker)} not found`);
  const copy = Buffer.from(input);
  copy[at + delta] = value;
  return copy;
}

/** Display P3 to sRGB for matrix/TRC profiles (both D65, sRGB tone curve), clipped like lcms. */
function p3ToSrgb(rgb: readonly number[]): number[] {
  const linear = rgb.map((v) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
  const matrix = [
    [1.2249401, -0.2249404, 0],
    [-0.0420569, 1.0420571, 0],
    [-0.0196376, -0.0786361, 1.0982735],
  ];
  return matrix.map((row) => {
    const v = Math.min(1, Math.max(0, row[0] * linear[0] + row[1] * linear[1] + row[2] * linear[2]));
    return 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);
  });
}

describe('HEIC (decoded by libheif wasm, rendered by sharp)', () => {
  it('renders upright sRGB renditions with the right sizes', async () => {
    const input = image(HEIC);
    const { original, renditions } = await renderClinicPhoto(input);
    assert.deepEqual(original, { format: 'heif', width: 4032, height: 3024, takenAt: '2019-03-21T11:04:22.348Z' });
    assert.deepEqual(
      renditions.map((r) => [r.name, r.format, r.width, r.height]),
      [
        ['thumb', 'webp', 160, 160],
        ['small', 'webp', 480, 360],
        ['large', 'jpeg', 1600, 1200],
      ],
    );
    for (const r of renditions) await assertCleanSrgb(r);

    // Same picture, same way up, as libheif's own decode (the fixture's irot is 0 and EXIF Orientation 1).
    const reference = await colourGrid(await libheifPixels(input));
    const large = await colourGrid(rendition(renditions, 'large').data);
    assert.ok(meanAbsDiff(large, reference) < 4, `differs from libheif's decode by ${meanAbsDiff(large, reference).toFixed(1)}`);
    const upsideDown = await colourGrid((await libheifPixels(input)).rotate(180));
    assert.ok(meanAbsDiff(large, upsideDown) > 15, 'the check can tell orientations apart');
  });

  it('applies the HEIF irot transform (via libheif), once', async () => {
    // irot payload byte = angle / 90, anticlockwise: 1 turns the landscape fixture into portrait.
    const rotated = patched(image(HEIC), 'irot', 4, 1);
    const { original, renditions } = await renderClinicPhoto(rotated);
    assert.deepEqual([original.width, original.height], [3024, 4032]);
    assert.deepEqual([rendition(renditions, 'large').width, rendition(renditions, 'large').height], [1200, 1600]);
    const expected = await colourGrid(sharp(await (await libheifPixels(image(HEIC))).png().toBuffer()).rotate(-90));
    assert.ok(meanAbsDiff(await colourGrid(rendition(renditions, 'large').data), expected) < 4);
  });

  it('ignores the EXIF Orientation inside a HEIC (it restates irot; applying it would rotate twice)', async () => {
    // MM-order IFD entry 0x0112 SHORT 1 = 1 → 6 ("rotate 90° clockwise" for a JPEG).
    const exif6 = patched(image(HEIC), Buffer.from('011200030000000100010000', 'hex'), 9, 6);
    const { original, renditions } = await renderClinicPhoto(exif6);
    assert.deepEqual([original.width, original.height], [4032, 3024]);
    assert.deepEqual([rendition(renditions, 'large').width, rendition(renditions, 'large').height], [1600, 1200]);
  });

  it('hands the pixels to sharp with the original Display P3 profile attached', async () => {
    const input = image(HEIC);
    const { icc } = await sharp(input).metadata();
    assert.ok(icc, 'fixture has an ICC profile');
    const tiff = await decodeHeicToTiff(input, { primaryPage: 0, icc, box: { width: 1600, height: 1200 } });
    const meta = await sharp(tiff).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['tiff', 1600, 1200, 4]);
    assert.ok(meta.icc?.equals(icc), 'ICC profile carried over byte for byte');
  });

  it('converts saturated Display P3 colours to the right sRGB values', async () => {
    const p3Profile = (await sharp(image(HEIC)).metadata()).icc!;
    const patches = [
      [40, 160, 220],
      [220, 60, 40],
      [60, 200, 80],
    ];
    for (const p3 of patches) {
      const pixels = Buffer.alloc(64 * 64 * 4);
      for (let i = 0; i < 64 * 64; i++) pixels.set([...p3, 255], i * 4);
      const { renditions } = await renderClinicPhoto(rgbaToTiff({ width: 64, height: 64, data: pixels }, p3Profile));
      const expected = p3ToSrgb(p3);
      const untagged = await colourGrid(rgbaToTiff({ width: 64, height: 64, data: pixels }, undefined), 1, 1);
      assert.ok(meanAbsDiff(untagged, expected) > 8, `P3 ${p3} is far enough from sRGB for the test to mean something`);
      for (const r of renditions) {
        const got = await colourGrid(r.data, 1, 1);
        assert.ok(meanAbsDiff(got, expected) < 2, `${r.name}: P3 ${p3} became ${got}, expected ${expected.map(Math.round)}`);
      }
    }
  });

  it('accepts the complete fixture and finds where a cut-off one ends', () => {
    const input = image(HEIC);
    assert.doesNotThrow(() => assertHeifComplete(input));
    assert.throws(
      () => assertHeifComplete(input.subarray(0, 100_000)),
      (error: Error) => {
        assert.equal((error as Error & { code: string }).code, 'corrupt');
        assert.match(String((error.cause as Error).message), /but the file has 100000 bytes/);
        return true;
      },
    );
  });
});

describe('rgbaToTiff', () => {
  it('round-trips pixels through sharp, in several strips', async () => {
    const width = 5;
    const height = 130; // 3 strips of 64 rows
    const pixels = Buffer.alloc(width * height * 4);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 256;
    const { data, info } = await sharp(rgbaToTiff({ width, height, data: pixels }, undefined))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [width, height, 4]);
    assert.ok(data.equals(pixels));
  });
});
